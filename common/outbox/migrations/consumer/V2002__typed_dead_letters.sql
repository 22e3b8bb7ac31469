-- A set-aside event keeps its typed payload (sla.v1.EventPayload, binary); rows set aside
-- before this release keep their JSON in `payload` and are converted when replayed.
ALTER TABLE dead_letters
  ADD COLUMN IF NOT EXISTS payload_proto MEDIUMBLOB NULL,
  MODIFY payload MEDIUMTEXT NOT NULL DEFAULT '';
