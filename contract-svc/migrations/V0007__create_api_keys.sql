-- API keys for machine clients. Only SHA-256 hashes of secrets are kept; the previous secret's
-- hash works until previous_expire_time_us after a rotation. Times: microseconds since the
-- Unix epoch (UTC); NULL = not set.
CREATE TABLE api_keys (
  id VARCHAR(64) NOT NULL,
  display_name VARCHAR(200) NOT NULL,
  roles VARCHAR(200) NOT NULL,
  customer_id VARCHAR(64) NOT NULL DEFAULT '',
  state TINYINT NOT NULL,
  expire_time_us BIGINT NULL,
  secret_hash CHAR(64) NOT NULL,
  secret_hint VARCHAR(100) NOT NULL,
  previous_secret_hash CHAR(64) NOT NULL DEFAULT '',
  previous_expire_time_us BIGINT NULL,
  rotate_time_us BIGINT NULL,
  revoke_time_us BIGINT NULL,
  creator VARCHAR(255) NOT NULL,
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY api_keys_by_customer (customer_id, id)
) ENGINE=InnoDB;
