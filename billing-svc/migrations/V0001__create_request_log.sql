-- Idempotency: the resource a create with a given request_id made, so a retry returns it.
CREATE TABLE request_log (
  request_id VARCHAR(128) NOT NULL,
  method VARCHAR(64) NOT NULL,
  caller VARCHAR(256) NOT NULL,
  resource_name VARCHAR(512) NOT NULL,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (request_id, method, caller)
) ENGINE=InnoDB;
