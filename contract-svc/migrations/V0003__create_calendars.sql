-- Named business calendars, reusable across contracts. `body` is the serialized
-- sla.v1.BusinessCalendar without its output-only fields. Times in microseconds (UTC).
CREATE TABLE calendars (
  id VARCHAR(64) NOT NULL,
  display_name VARCHAR(200) NOT NULL,
  body MEDIUMBLOB NOT NULL,
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
