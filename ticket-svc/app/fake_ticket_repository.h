// TicketRepository in memory, for app tests: the rules of the MariaDB statements (unique ids and
// request ids, list orders and filters, due tickets claimed by next event) over plain
// containers. A transaction works on a copy of the state and replaces it only when `fn`
// succeeds, so a failed use case leaves nothing behind, as a rolled-back transaction would.
// Calls run one at a time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/test_util/fake_request_log.h"
#include "common/test_util/in_memory_store.h"
#include "ticket-svc/app/ticket_repository.h"

namespace sla::ticket::testing {

struct FakeTicketState {
  struct StoredTicket {
    Ticket ticket;
    Derived derived;
  };
  std::map<std::string, StoredTicket> tickets;  // by id
  std::vector<HistoryRow> history;              // in insertion order
  std::vector<EscalationRow> escalations;
  std::map<std::string, CommentRow> comments;  // by id
  std::map<std::string, OutageRow> outages;    // by id
  std::map<std::string, std::string> terms_versions;
  test::FakeRequestLog request_log;
  std::vector<outbox::Row> events;  // published, in order
};

class FakeTicketRepository final : public TicketRepository {
 public:
  absl::Status Transact(absl::FunctionRef<absl::Status(TicketTx&)> fn) override;
  absl::Status Read(absl::FunctionRef<absl::Status(TicketTx&)> fn) override;
  // Batches as MariaDB does: all or nothing.
  absl::Status InsertNewTickets(absl::Span<const NewTicketRows* const> rows) override;
  absl::Status InsertNewTicketAlone(const NewTicketRows& r) override;

  // What the repository holds now (a copy), and a way to set it up.
  FakeTicketState state() { return store_.state(); }
  void Edit(absl::FunctionRef<void(FakeTicketState&)> edit) { store_.Edit(edit); }
  // The next call of `method` (e.g. "SaveTickets", "InsertNewTickets") fails with `error`.
  void FailNext(const std::string& method, absl::Status error) {
    store_.FailNext(method, std::move(error));
  }

 private:
  test::InMemoryStore<FakeTicketState> store_;
};

}  // namespace sla::ticket::testing
