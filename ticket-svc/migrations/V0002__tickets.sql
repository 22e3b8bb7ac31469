-- Tickets with their clocks. The clocks live in `state` (ticket-svc's storage proto); the
-- columns beside it are what queries filter on, derived from the clocks at each write:
--   next_event_at: the earliest escalation level or breach to fire (the worker's queue),
--   next_due_at:   the earliest due time of a running clock (filter `due_before`),
--   warn_at:       when the first running clock becomes "at risk" (filter `at_risk`).
-- Instants are Unix seconds (the clock engine's unit). Every column has a default so that the
-- worker can update a batch of rows with one INSERT … ON DUPLICATE KEY UPDATE.
CREATE TABLE tickets (
  id VARCHAR(64) NOT NULL,
  customer_id VARCHAR(64) NOT NULL DEFAULT '',
  contract_id VARCHAR(64) NOT NULL DEFAULT '',
  service_id VARCHAR(128) NOT NULL DEFAULT '',
  priority TINYINT NOT NULL DEFAULT 0,
  status TINYINT NOT NULL DEFAULT 0,
  title VARCHAR(300) NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  reporter VARCHAR(256) NOT NULL DEFAULT '',
  terms_version VARCHAR(512) NOT NULL DEFAULT '',
  root_cause TEXT NOT NULL DEFAULT '',
  preventive_action TEXT NOT NULL DEFAULT '',
  state BLOB NOT NULL DEFAULT '',
  version BIGINT NOT NULL DEFAULT 1,
  history_seq BIGINT NOT NULL DEFAULT 0,
  create_time BIGINT NOT NULL DEFAULT 0,
  update_time BIGINT NOT NULL DEFAULT 0,
  resolve_time BIGINT NOT NULL DEFAULT 0,
  close_time BIGINT NOT NULL DEFAULT 0,
  reopen_count INT NOT NULL DEFAULT 0,
  breached TINYINT NOT NULL DEFAULT 0,
  next_event_at BIGINT NULL,
  next_due_at BIGINT NULL,
  warn_at BIGINT NULL,
  PRIMARY KEY (id),
  KEY tickets_next_event (next_event_at),
  KEY tickets_customer (customer_id, id),
  KEY tickets_customer_status (customer_id, status, id)
) ENGINE=InnoDB;

CREATE TABLE ticket_comments (
  id VARCHAR(64) NOT NULL,
  ticket_id VARCHAR(64) NOT NULL,
  author VARCHAR(256) NOT NULL,
  side TINYINT NOT NULL,
  visibility TINYINT NOT NULL,
  kind TINYINT NOT NULL,
  body MEDIUMTEXT NOT NULL,
  awaits_reply TINYINT NOT NULL,
  create_time BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY comments_ticket (ticket_id, id)
) ENGINE=InnoDB;

-- Every recalculation of a ticket's clocks: one row per change, holding the entries it caused
-- (a serialized sla.ticket.v1.ListSlaHistoryResponse); `seq` is its first entry's number.
CREATE TABLE sla_history (
  ticket_id VARCHAR(64) NOT NULL,
  seq BIGINT NOT NULL,
  entries BLOB NOT NULL,
  PRIMARY KEY (ticket_id, seq)
) ENGINE=InnoDB;

-- Fired escalation levels. The primary key is the rule "each level fires at most once per
-- ticket and clock (and update-interval cycle)", enforced by the database itself.
CREATE TABLE escalations (
  ticket_id VARCHAR(64) NOT NULL,
  clock TINYINT NOT NULL,
  cycle INT NOT NULL,
  level INT NOT NULL,
  fire_time BIGINT NOT NULL,
  escalation BLOB NOT NULL,
  PRIMARY KEY (ticket_id, clock, cycle, level)
) ENGINE=InnoDB;

CREATE TABLE outages (
  id VARCHAR(64) NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  service_id VARCHAR(128) NOT NULL,
  start_time BIGINT NOT NULL,
  end_time BIGINT NULL,
  planned TINYINT NOT NULL,
  exclusion_id VARCHAR(128) NOT NULL,
  ticket VARCHAR(256) NOT NULL,
  summary VARCHAR(2000) NOT NULL,
  version BIGINT NOT NULL,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY outages_customer (customer_id, id),
  KEY outages_service (service_id, start_time)
) ENGINE=InnoDB;

-- The transactional outbox. Writers insert rows (seq NULL) in the transaction of the change;
-- the sequencer numbers committed rows in one serialized transaction, so consumers reading
-- `seq > cursor` never see a gap filled later. See docs/architecture.md.
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

-- The terms versions tickets are measured against, as fetched from contract-svc (versions are
-- immutable, so this copy never goes stale).
CREATE TABLE terms_versions (
  name VARCHAR(512) NOT NULL,
  terms MEDIUMBLOB NOT NULL,
  effective_from BIGINT NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB;
