-- common/outbox, consumer side (versions 2001–2999, recorded in the service's own
-- schema_migrations after its own migrations): the position in each followed stream and the
-- events set aside.
--
-- A cursor is the stream's epoch, the last applied sequence and that event's digest; the
-- producer checks the digest against its own event at that number, so a rewound stream is
-- refused rather than skipped. A cursor written before epochs existed (epoch '') adopts the
-- producer's epoch on its next read and keeps its position.
CREATE TABLE IF NOT EXISTS consumer_cursor (
  source VARCHAR(32) NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (source)
) ENGINE=InnoDB;
ALTER TABLE consumer_cursor
  ADD COLUMN IF NOT EXISTS epoch CHAR(32) NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS last_digest CHAR(16) NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS last_event_time BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS applied_time BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS stopped_reason VARCHAR(1024) NOT NULL DEFAULT '';

-- Events that cannot be applied (an unreadable payload, a contract that no longer resolves),
-- with the reason: the consumer moves on instead of repeating one batch forever. An operator
-- replays one once its cause is fixed (state `replayed`), or leaves it.
CREATE TABLE IF NOT EXISTS dead_letters (
  source VARCHAR(32) NOT NULL,
  sequence BIGINT NOT NULL,
  event_type VARCHAR(64) NOT NULL,
  subject VARCHAR(512) NOT NULL,
  customer_id VARCHAR(64) NOT NULL,
  reason VARCHAR(2048) NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  dead_at BIGINT NOT NULL,
  PRIMARY KEY (source, sequence)
) ENGINE=InnoDB;
ALTER TABLE dead_letters
  ADD COLUMN IF NOT EXISTS epoch CHAR(32) NOT NULL DEFAULT '',
  ADD COLUMN IF NOT EXISTS event_time BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS state VARCHAR(16) NOT NULL DEFAULT 'dead',
  ADD COLUMN IF NOT EXISTS attempts INT NOT NULL DEFAULT 1,
  ADD COLUMN IF NOT EXISTS replayed_at BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS replayed_by VARCHAR(256) NOT NULL DEFAULT '',
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (source, epoch, sequence);
