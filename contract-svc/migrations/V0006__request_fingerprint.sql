-- The fingerprint of the request that claimed a request id (SHA-256 hex of the request without
-- its id): the same id with a different request is refused. Empty for claims made before.
ALTER TABLE request_log ADD COLUMN request_hash CHAR(64) NOT NULL DEFAULT '';
