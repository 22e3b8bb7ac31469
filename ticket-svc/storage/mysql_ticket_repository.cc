#include "ticket-svc/storage/mysql_ticket_repository.h"

#include "common/mysql/request_log.h"
#include "common/outbox/outbox.h"
#include "ticket-svc/storage/ticket_store.h"

namespace sla::ticket::storage {

absl::StatusOr<std::optional<Ticket>> MysqlTicketTx::LoadTicket(const std::string& id,
                                                                bool for_update) {
  return storage::LoadTicket(c_, id, for_update);
}
absl::Status MysqlTicketTx::SaveTickets(absl::Span<const std::pair<const Ticket*, Derived>> rows) {
  return storage::SaveTickets(c_, rows);
}
absl::StatusOr<std::vector<Ticket>> MysqlTicketTx::ClaimDueTickets(int64_t now, int limit) {
  return storage::ClaimDueTickets(c_, now, limit);
}
absl::StatusOr<std::vector<ListedTicket>> MysqlTicketTx::ListTickets(const TicketQuery& q) {
  return storage::ListTickets(c_, q);
}
absl::Status MysqlTicketTx::InsertHistory(absl::Span<const HistoryRow> rows) {
  return storage::InsertHistory(c_, rows);
}
absl::Status MysqlTicketTx::InsertEscalations(absl::Span<const EscalationRow> rows) {
  return storage::InsertEscalations(c_, rows);
}
absl::StatusOr<std::vector<std::string>> MysqlTicketTx::ListHistory(const std::string& ticket_id) {
  return storage::ListHistory(c_, ticket_id);
}
absl::StatusOr<std::vector<std::string>> MysqlTicketTx::ListEscalations(
    const std::string& ticket_id) {
  return storage::ListEscalations(c_, ticket_id);
}
absl::Status MysqlTicketTx::Publish(absl::Span<const outbox::Row> events) {
  return outbox::Insert(c_, events);
}
absl::Status MysqlTicketTx::InsertComment(const CommentRow& row) {
  return storage::InsertComment(c_, row);
}
absl::StatusOr<std::vector<CommentRow>> MysqlTicketTx::ListComments(const std::string& ticket_id,
                                                                    bool include_internal,
                                                                    const std::string& after_id,
                                                                    int limit) {
  return storage::ListComments(c_, ticket_id, include_internal, after_id, limit);
}
absl::Status MysqlTicketTx::InsertOutage(const OutageRow& o) {
  return storage::InsertOutage(c_, o);
}
absl::StatusOr<std::optional<OutageRow>> MysqlTicketTx::LoadOutage(const std::string& id,
                                                                   bool for_update) {
  return storage::LoadOutage(c_, id, for_update);
}
absl::Status MysqlTicketTx::UpdateOutage(const OutageRow& o) {
  return storage::UpdateOutage(c_, o);
}
absl::StatusOr<std::vector<OutageRow>> MysqlTicketTx::ListOutages(const OutageQuery& q) {
  return storage::ListOutages(c_, q);
}
absl::StatusOr<std::optional<std::string>> MysqlTicketTx::LoadTermsVersion(
    const std::string& name) {
  return storage::LoadTermsVersion(c_, name);
}
absl::Status MysqlTicketTx::StoreTermsVersion(const std::string& name, const std::string& terms,
                                              int64_t effective_from) {
  return storage::StoreTermsVersion(c_, name, terms, effective_from);
}
absl::StatusOr<std::optional<std::string>> MysqlTicketTx::ClaimRequestId(
    const api::RequestKey& key, const std::string& method, const std::string& caller,
    const std::string& resource_name) {
  return mysql::ClaimRequestId(c_, key, method, caller, resource_name);
}
absl::StatusOr<std::optional<std::string>> MysqlTicketTx::LookupRequestId(
    const api::RequestKey& key, const std::string& method, const std::string& caller) {
  return mysql::LookupRequestId(c_, key, method, caller);
}

absl::Status MysqlTicketRepository::Transact(absl::FunctionRef<absl::Status(TicketTx&)> fn) {
  return mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) {
    MysqlTicketTx tx(c);
    return fn(tx);
  });
}

absl::Status MysqlTicketRepository::Read(absl::FunctionRef<absl::Status(TicketTx&)> fn) {
  return mysql::WithConnection(*pool_, [&](mysql::Connection& c) {
    MysqlTicketTx tx(c);
    return fn(tx);
  });
}

absl::Status MysqlTicketRepository::InsertNewTickets(absl::Span<const NewTicketRows* const> rows) {
  if (create_pool_ == nullptr) return absl::UnimplementedError("new tickets are written alone");
  absl::Status all;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    absl::StatusOr<mysql::PooledConnection> conn = create_pool_->Acquire();
    all = conn.ok() ? InsertNewTicketsInOneRoundTrip(**conn, rows) : conn.status();
    if (conn.ok() && all.code() == absl::StatusCode::kUnavailable) conn->MarkBroken();
    // A deadlock rolled everything back, so the batch may run again; after a lost connection
    // the COMMIT may have run, so nothing is replayed.
    if (!mysql::IsRetryableAbort(all)) break;
  }
  return all;
}

absl::Status MysqlTicketRepository::InsertNewTicketAlone(const NewTicketRows& r) {
  return storage::InsertNewTicketAlone(*pool_, r);
}

}  // namespace sla::ticket::storage
