-- The "next to breach" queue (ListTickets order_by = next_due_time): tickets with a running
-- clock by due time, per customer and across customers, read in index order page by page.
ALTER TABLE tickets
  ADD KEY tickets_customer_due (customer_id, next_due_at, id),
  ADD KEY tickets_due (next_due_at, id);
