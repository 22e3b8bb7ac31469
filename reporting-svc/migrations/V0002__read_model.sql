-- reporting-svc's read model, built from ticket-svc's and billing-svc's event streams, and the
-- reports it issues. Instants are Unix seconds; `period_index` is year × 12 + month − 1 of the
-- month in the contract's billing time zone (the terms version the ticket is measured by).

-- Position in each followed stream, committed with the effects of the events before it.
CREATE TABLE consumer_cursor (
  source VARCHAR(32) NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (source)
) ENGINE=InnoDB;

-- One row per ticket, in the period it was opened. Clock outcome states: 0 pending (or no such
-- clock), 1 met on time, 2 breached (met late or not met). Durations are those of clock.met.
-- Clustered by (period, contract): a contract's month and the MSP-wide month are each one
-- contiguous range of the table; events find their ticket by the unique (customer, ticket).
CREATE TABLE rpt_tickets (
  customer_id VARCHAR(64) NOT NULL,
  ticket_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  service_id VARCHAR(128) NOT NULL,
  priority TINYINT NOT NULL,
  period_index INT NOT NULL,
  open_time BIGINT NOT NULL,
  terms_version VARCHAR(512) NOT NULL,
  resp_state TINYINT NOT NULL DEFAULT 0,
  resp_business BIGINT NULL,
  resp_wall BIGINT NULL,
  resp_time BIGINT NULL,
  res_state TINYINT NOT NULL DEFAULT 0,
  res_business BIGINT NULL,
  res_wall BIGINT NULL,
  res_time BIGINT NULL,
  breach_count INT NOT NULL DEFAULT 0,
  reopen_count INT NOT NULL DEFAULT 0,
  rca_required TINYINT NOT NULL DEFAULT 0,
  rca_recorded TINYINT NOT NULL DEFAULT 0,
  closed TINYINT NOT NULL DEFAULT 0,
  -- Paused intervals "start-end,start-end" (for what-if replays), and an open pause's start.
  pauses TEXT NOT NULL,
  pause_open BIGINT NULL,
  PRIMARY KEY (period_index, contract_id, customer_id, ticket_id),
  UNIQUE KEY rpt_tickets_ticket (customer_id, ticket_id),
  KEY rpt_tickets_customer (customer_id, period_index)
) ENGINE=InnoDB;

-- Headline counts per contract and period, kept with every change of a ticket's outcome (the
-- delta of the change, in the same transaction): trends over 12 periods and MSP-wide read these
-- few rows instead of every ticket. Tickets count in their opening period, breaches in theirs.
CREATE TABLE rpt_period_totals (
  period_index INT NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  tickets BIGINT NOT NULL DEFAULT 0,
  resp_met BIGINT NOT NULL DEFAULT 0,
  resp_decided BIGINT NOT NULL DEFAULT 0,
  res_met BIGINT NOT NULL DEFAULT 0,
  res_decided BIGINT NOT NULL DEFAULT 0,
  breaches BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (period_index, contract_id, customer_id),
  KEY rpt_period_totals_contract (contract_id, customer_id, period_index),
  KEY rpt_period_totals_customer (customer_id, period_index)
) ENGINE=InnoDB;

-- Breached clocks, each once (the key makes a replayed event a no-op).
CREATE TABLE rpt_breaches (
  customer_id VARCHAR(64) NOT NULL,
  ticket_id VARCHAR(64) NOT NULL,
  clock TINYINT NOT NULL,
  cycle INT NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  priority TINYINT NOT NULL,
  breach_time BIGINT NOT NULL,
  period_index INT NOT NULL,
  PRIMARY KEY (customer_id, ticket_id, clock, cycle),
  KEY rpt_breaches_contract (contract_id, period_index, customer_id),
  KEY rpt_breaches_period (period_index)
) ENGINE=InnoDB;

-- Escalation levels fired, each once per ticket, clock and cycle.
CREATE TABLE rpt_escalations (
  customer_id VARCHAR(64) NOT NULL,
  ticket_id VARCHAR(64) NOT NULL,
  clock TINYINT NOT NULL,
  cycle INT NOT NULL,
  level INT NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  manual TINYINT NOT NULL,
  fire_time BIGINT NOT NULL,
  period_index INT NOT NULL,
  PRIMARY KEY (customer_id, ticket_id, clock, cycle, level),
  KEY rpt_escalations_contract (contract_id, period_index, customer_id),
  KEY rpt_escalations_period (period_index)
) ENGINE=InnoDB;

-- Outages, latest state (end_time NULL while open).
CREATE TABLE rpt_outages (
  customer_id VARCHAR(64) NOT NULL,
  outage_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  service_id VARCHAR(128) NOT NULL,
  start_time BIGINT NOT NULL,
  end_time BIGINT NULL,
  planned TINYINT NOT NULL,
  exclusion_id VARCHAR(128) NOT NULL,
  PRIMARY KEY (customer_id, outage_id),
  KEY rpt_outages_contract (contract_id, customer_id, start_time)
) ENGINE=InnoDB;

-- Credits billing-svc decided for a contract's period: status issued / deferred / dropped.
CREATE TABLE rpt_credits (
  customer_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  period_index INT NOT NULL,
  status VARCHAR(16) NOT NULL,
  credit_note VARCHAR(256) NOT NULL,
  currency CHAR(3) NOT NULL,
  amount_minor BIGINT NOT NULL,
  cap_cut_minor BIGINT NOT NULL,
  PRIMARY KEY (customer_id, contract_id, period_index),
  KEY rpt_credits_period (period_index)
) ENGINE=InnoDB;

-- Issued reports: immutable revisions (the serialized Report). A re-run that finds the same
-- figures issues nothing new.
CREATE TABLE reports (
  customer_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  period_index INT NOT NULL,
  revision INT NOT NULL,
  issue_time BIGINT NOT NULL,
  body LONGBLOB NOT NULL,
  PRIMARY KEY (customer_id, contract_id, period_index, revision)
) ENGINE=InnoDB;

-- The transactional outbox (common/outbox): `report.issued`.
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
