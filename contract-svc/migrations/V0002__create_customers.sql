-- Customers: the MSP's tenants. Times are microseconds since the Unix epoch (UTC).
CREATE TABLE customers (
  id VARCHAR(64) NOT NULL,
  display_name VARCHAR(200) NOT NULL,
  display_name_lower VARCHAR(200) NOT NULL,
  state TINYINT NOT NULL,
  time_zone VARCHAR(64) NOT NULL DEFAULT '',
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY customers_by_state (state, id)
) ENGINE=InnoDB;
