-- Contracts and their immutable term versions. `draft_terms` and `terms` are serialized
-- sla.v1.SlaTerms. Times are microseconds since the Unix epoch (UTC).
CREATE TABLE contracts (
  id VARCHAR(64) NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  display_name VARCHAR(200) NOT NULL,
  state TINYINT NOT NULL,
  draft_terms MEDIUMBLOB NOT NULL,
  latest_version INT NOT NULL DEFAULT 0,
  termination_time_us BIGINT NULL,
  termination_reason VARCHAR(2000) NOT NULL DEFAULT '',
  version BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  update_time_us BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY contracts_by_customer (customer_id, id),
  CONSTRAINT contracts_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;

CREATE TABLE contract_versions (
  contract_id VARCHAR(64) NOT NULL,
  version INT NOT NULL,
  terms MEDIUMBLOB NOT NULL,
  effective_from_us BIGINT NOT NULL,
  create_time_us BIGINT NOT NULL,
  PRIMARY KEY (contract_id, version),
  KEY versions_by_time (contract_id, effective_from_us),
  CONSTRAINT versions_contract FOREIGN KEY (contract_id) REFERENCES contracts (id)
) ENGINE=InnoDB;
