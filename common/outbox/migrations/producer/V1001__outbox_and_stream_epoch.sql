-- common/outbox, producer side (versions 1001–1999, recorded in the service's own
-- schema_migrations after its own migrations): the outbox and its sequence, for a service whose
-- own migrations did not create them, and the stream's epoch.
--
-- The epoch names one history of the stream. Consumers remember it with their position, so a
-- producer database restored from a backup or failed over to a lagging replica, whose
-- numbers are reused, is told apart from the history they followed: an operator who restores
-- gives the stream a new epoch (docs/operations.md, "Event streams").
CREATE TABLE IF NOT EXISTS outbox (
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

CREATE TABLE IF NOT EXISTS outbox_sequence (
  id TINYINT NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
INSERT IGNORE INTO outbox_sequence (id, last_seq) VALUES (1, 0);

ALTER TABLE outbox_sequence ADD COLUMN IF NOT EXISTS epoch CHAR(32) NOT NULL DEFAULT '';
UPDATE outbox_sequence SET epoch = REPLACE(UUID(), '-', '') WHERE epoch = '';
