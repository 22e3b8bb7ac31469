-- What billing-svc learns from ticket-svc's event stream, the credits and documents it issues,
-- and its own outbox. Instants are Unix seconds.

-- Position in each followed stream, committed with the effects of the events before it.
CREATE TABLE consumer_cursor (
  source VARCHAR(32) NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (source)
) ENGINE=InnoDB;

-- Breached clocks (from `clock.breached`); the key makes a replayed event a no-op.
CREATE TABLE breach_facts (
  ticket VARCHAR(256) NOT NULL,
  clock TINYINT NOT NULL,
  cycle INT NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  priority TINYINT NOT NULL,
  breach_time BIGINT NOT NULL,
  PRIMARY KEY (ticket, clock, cycle),
  KEY breach_contract_time (customer_id, contract_id, breach_time)
) ENGINE=InnoDB;

-- Outages (from `outage.opened` / `outage.closed`), latest state.
CREATE TABLE outage_facts (
  outage VARCHAR(256) NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  service_id VARCHAR(128) NOT NULL,
  start_time BIGINT NOT NULL,
  end_time BIGINT NULL,
  planned TINYINT NOT NULL,
  exclusion_id VARCHAR(128) NOT NULL,
  PRIMARY KEY (outage),
  KEY outage_contract_time (customer_id, contract_id, start_time)
) ENGINE=InnoDB;

-- A closed period: the row whose key makes closing happen once, whoever closes it.
CREATE TABLE closed_periods (
  customer_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  year INT NOT NULL,
  month INT NOT NULL,
  terms_version VARCHAR(512) NOT NULL,
  closed_at BIGINT NOT NULL,
  PRIMARY KEY (customer_id, contract_id, year, month)
) ENGINE=InnoDB;

-- Credits, at most one per (contract, period, rule, subject). `applied_*` is the invoice
-- period that deducted it (NULL until then); status: 1 issued, 2 deferred, 3 dropped.
CREATE TABLE credits (
  customer_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  year INT NOT NULL,
  month INT NOT NULL,
  rule_id VARCHAR(128) NOT NULL,
  subject VARCHAR(128) NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  status TINYINT NOT NULL,
  line BLOB NOT NULL,
  applied_year INT NULL,
  applied_month INT NULL,
  PRIMARY KEY (customer_id, contract_id, year, month, rule_id, subject)
) ENGINE=InnoDB;

-- Invoices and credit notes; numbers are gapless per series because they are taken from
-- `document_series` in the transaction that issues the document.
CREATE TABLE documents (
  series VARCHAR(8) NOT NULL,
  number BIGINT NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  year INT NOT NULL,
  month INT NOT NULL,
  body BLOB NOT NULL,
  issue_time BIGINT NOT NULL,
  PRIMARY KEY (series, number),
  UNIQUE KEY documents_period (series, customer_id, contract_id, year, month),
  KEY documents_customer (customer_id, series, number)
) ENGINE=InnoDB;

CREATE TABLE document_series (
  series VARCHAR(8) NOT NULL,
  last_number BIGINT NOT NULL,
  PRIMARY KEY (series)
) ENGINE=InnoDB;
INSERT INTO document_series (series, last_number) VALUES ('INV', 0), ('CN', 0);

-- The transactional outbox (common/outbox).
CREATE TABLE outbox (
  id BIGINT NOT NULL AUTO_INCREMENT,
  seq BIGINT NULL,
  type VARCHAR(64) NOT NULL,
  subject VARCHAR(512) NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  event_time BIGINT NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY outbox_seq (seq)
) ENGINE=InnoDB;

CREATE TABLE outbox_sequence (
  id TINYINT NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
INSERT INTO outbox_sequence (id, last_seq) VALUES (1, 0);
