-- The event create_ticket writes carries its typed payload (sla.v1.EventPayload, binary) in
-- the outbox's payload_proto column (common/outbox/migrations/producer/V1002, which runs after
-- this service's own migrations; a procedure's columns are resolved when it is called).
DROP PROCEDURE create_ticket;
-- sla:begin
CREATE PROCEDURE create_ticket(
  IN r_request_id VARCHAR(128),
  IN r_method VARCHAR(64),
  IN r_caller VARCHAR(256),
  IN r_resource VARCHAR(512),
  IN r_hash CHAR(64),
  IN t_id VARCHAR(64),
  IN t_customer_id VARCHAR(64),
  IN t_contract_id VARCHAR(64),
  IN t_service_id VARCHAR(128),
  IN t_priority TINYINT,
  IN t_status TINYINT,
  IN t_title VARCHAR(300),
  IN t_description TEXT,
  IN t_reporter VARCHAR(256),
  IN t_terms_version VARCHAR(512),
  IN t_root_cause TEXT,
  IN t_preventive_action TEXT,
  IN t_state BLOB,
  IN t_version BIGINT,
  IN t_history_seq BIGINT,
  IN t_create_time BIGINT,
  IN t_update_time BIGINT,
  IN t_resolve_time BIGINT,
  IN t_close_time BIGINT,
  IN t_reopen_count INT,
  IN t_breached TINYINT,
  IN t_next_event_at BIGINT,
  IN t_next_due_at BIGINT,
  IN t_warn_at BIGINT,
  IN h_seq BIGINT,
  IN h_entries BLOB,
  IN e_type VARCHAR(64),
  IN e_subject VARCHAR(512),
  IN e_event_time BIGINT,
  IN e_payload MEDIUMBLOB)
BEGIN
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;
  START TRANSACTION;
  IF r_request_id <> '' AND EXISTS (SELECT 1 FROM request_log WHERE request_id = r_request_id
             AND method = r_method AND caller = r_caller AND resource_name = r_resource) THEN
    ROLLBACK;
  ELSE
  IF r_request_id <> '' THEN
    INSERT INTO request_log (request_id, method, caller, resource_name, request_hash)
      VALUES (r_request_id, r_method, r_caller, r_resource, r_hash);
  END IF;
  INSERT INTO tickets (id, customer_id, contract_id, service_id, priority, status, title, description, reporter, terms_version, root_cause, preventive_action, state, version, history_seq, create_time, update_time, resolve_time, close_time, reopen_count, breached, next_event_at, next_due_at, warn_at)
    VALUES (t_id, t_customer_id, t_contract_id, t_service_id, t_priority, t_status, t_title, t_description, t_reporter, t_terms_version, t_root_cause, t_preventive_action, t_state, t_version, t_history_seq, t_create_time, t_update_time, t_resolve_time, t_close_time, t_reopen_count, t_breached, t_next_event_at, t_next_due_at, t_warn_at);
  INSERT INTO sla_history (ticket_id, seq, entries) VALUES (t_id, h_seq, h_entries);
  INSERT INTO outbox (type, subject, customer_id, event_time, payload_proto)
    VALUES (e_type, e_subject, t_customer_id, e_event_time, e_payload);
  COMMIT;
  END IF;
END;
-- sla:end
