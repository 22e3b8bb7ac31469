-- Events carry a typed payload (sla.v1.EventPayload, binary) from this release on. Rows written
-- before it keep their JSON in `payload` and are converted when read (common/outbox/payload.h).
ALTER TABLE outbox
  ADD COLUMN IF NOT EXISTS payload_proto MEDIUMBLOB NULL,
  MODIFY payload MEDIUMTEXT NOT NULL DEFAULT '';
