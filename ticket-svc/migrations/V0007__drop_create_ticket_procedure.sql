-- A new ticket has one write path: the statements of InsertNewTicketsInOneRoundTrip
-- (ticket-svc/storage/ticket_store.cc), for a batch or for one ticket alone. The procedure
-- that also wrote one, with its own copy of the column list, goes.
DROP PROCEDURE IF EXISTS create_ticket;
