// TicketRepository on MariaDB: each TicketTx call is one statement of ticket_store.h on the
// transaction's connection; events go to the outbox in the same transaction.
#pragma once

#include "common/mysql/connection_pool.h"
#include "ticket-svc/app/ticket_repository.h"

namespace sla::ticket::storage {

class MysqlTicketTx final : public TicketTx {
 public:
  explicit MysqlTicketTx(mysql::Connection& c) : c_(c) {}

  absl::StatusOr<std::optional<Ticket>> LoadTicket(const std::string& id, bool for_update) override;
  absl::Status SaveTickets(absl::Span<const std::pair<const Ticket*, Derived>> rows) override;
  absl::StatusOr<std::vector<Ticket>> ClaimDueTickets(int64_t now, int limit) override;
  absl::StatusOr<std::vector<ListedTicket>> ListTickets(const TicketQuery& q) override;
  absl::Status InsertHistory(absl::Span<const HistoryRow> rows) override;
  absl::Status InsertEscalations(absl::Span<const EscalationRow> rows) override;
  absl::StatusOr<std::vector<std::string>> ListHistory(const std::string& ticket_id) override;
  absl::StatusOr<std::vector<std::string>> ListEscalations(const std::string& ticket_id) override;
  absl::Status Publish(absl::Span<const outbox::Row> events) override;
  absl::Status InsertComment(const CommentRow& row) override;
  absl::StatusOr<std::vector<CommentRow>> ListComments(const std::string& ticket_id,
                                                       bool include_internal,
                                                       const std::string& after_id,
                                                       int limit) override;
  absl::Status InsertOutage(const OutageRow& o) override;
  absl::StatusOr<std::optional<OutageRow>> LoadOutage(const std::string& id,
                                                      bool for_update) override;
  absl::Status UpdateOutage(const OutageRow& o) override;
  absl::StatusOr<std::vector<OutageRow>> ListOutages(const OutageQuery& q) override;
  absl::StatusOr<std::optional<std::string>> LoadTermsVersion(const std::string& name) override;
  absl::Status StoreTermsVersion(const std::string& name, const std::string& terms,
                                 int64_t effective_from) override;
  absl::StatusOr<std::optional<std::string>> ClaimRequestId(
      const api::RequestKey& key, const std::string& method, const std::string& caller,
      const std::string& resource_name) override;
  absl::StatusOr<std::optional<std::string>> LookupRequestId(const api::RequestKey& key,
                                                             const std::string& method,
                                                             const std::string& caller) override;

 private:
  mysql::Connection& c_;
};

class MysqlTicketRepository final : public TicketRepository {
 public:
  // `create_pool`: connections of their own for batches of new tickets, each sent as one
  // compound statement (one round trip); null: new tickets are written one by one on `pool`.
  explicit MysqlTicketRepository(mysql::ConnectionPool* pool,
                                 mysql::ConnectionPool* create_pool = nullptr)
      : pool_(pool), create_pool_(create_pool) {}

  absl::Status Transact(absl::FunctionRef<absl::Status(TicketTx&)> fn) override;
  absl::Status Read(absl::FunctionRef<absl::Status(TicketTx&)> fn) override;
  absl::Status InsertNewTickets(absl::Span<const NewTicketRows* const> rows) override;
  absl::Status InsertNewTicketAlone(const NewTicketRows& r) override;

 private:
  mysql::ConnectionPool* pool_;
  mysql::ConnectionPool* create_pool_;
};

}  // namespace sla::ticket::storage
