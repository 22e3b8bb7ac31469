-- Events of a followed stream that cannot be applied (an unreadable payload, a contract or
-- version that no longer resolves): set aside with the reason, so that the consumer moves on
-- instead of repeating one batch forever. Operators see them here and as `event.dead_lettered`
-- on reporting-svc's own event stream.
CREATE TABLE dead_letters (
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

-- Report revisions that late data made due, recorded with the cursor that consumed the data,
-- and removed once the new revision is issued: a revision is not lost when contract-svc is
-- unavailable at that moment, it is retried on the next pass.
CREATE TABLE pending_revisions (
  customer_id VARCHAR(64) NOT NULL,
  contract_id VARCHAR(64) NOT NULL,
  period_index INT NOT NULL,
  reason VARCHAR(256) NOT NULL,
  PRIMARY KEY (customer_id, contract_id, period_index)
) ENGINE=InnoDB;

-- The delta credit and debit notes billing-svc issued for a period after it closed, in order
-- (space-separated names); amount_minor is the net of all of the period's documents.
ALTER TABLE rpt_credits ADD COLUMN adjustment_notes TEXT NOT NULL DEFAULT '';
