-- Late data after a period closed (delta credit and debit notes), deferred credits released
-- by a later period, and the bounds a closed period covered.

-- `start_time`/`end_time`: the period's bounds in the contract's zone, so that a fact that
-- arrives later can find the closed period it falls in. `stale`: such a fact arrived and a
-- delta is due. `revision`: deltas issued for the period so far.
ALTER TABLE closed_periods
  ADD COLUMN start_time BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN end_time BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN stale TINYINT NOT NULL DEFAULT 0,
  ADD COLUMN revision INT NOT NULL DEFAULT 0,
  ADD KEY closed_stale (stale);

-- Revision 0 is what the period's close recorded; revision n the nth delta (amount = the
-- change). `released_*`: the period whose close paid a deferred credit out.
ALTER TABLE credits
  ADD COLUMN revision INT NOT NULL DEFAULT 0,
  ADD COLUMN released_year INT NULL,
  ADD COLUMN released_month INT NULL,
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (customer_id, contract_id, year, month, rule_id, subject, revision);

-- A period has one invoice and one credit note at revision 0, and one delta note (credit or
-- debit) per later revision.
ALTER TABLE documents
  ADD COLUMN revision INT NOT NULL DEFAULT 0,
  DROP INDEX documents_period,
  ADD UNIQUE KEY documents_period (series, customer_id, contract_id, year, month, revision);

INSERT INTO document_series (series, last_number) VALUES ('DN', 0);
INSERT IGNORE INTO consumer_cursor (source, last_seq) VALUES ('ticket-svc', 0);
