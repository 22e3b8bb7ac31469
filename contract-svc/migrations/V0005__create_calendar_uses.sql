-- Which contract versions name which calendars: a calendar in use cannot change in place.
CREATE TABLE calendar_uses (
  calendar_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  version INT NOT NULL,
  PRIMARY KEY (calendar_id, contract_id, version)
) ENGINE=InnoDB;
