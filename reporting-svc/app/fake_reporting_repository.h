// ReportingRepository in memory, for app tests. The read model is held as the rows the
// projection would have written (one per ticket, breach, escalation, outage, credit), set up
// by the test through Edit; queries filter them by scope and period and aggregate them as the
// MariaDB statements do. Issued reports, pending revisions and published events follow the
// tables' rules (a revision once, newest first). A transaction works on a copy and keeps it
// only when `fn` succeeds.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/test_util/in_memory_store.h"
#include "reporting-svc/app/reporting_repository.h"

namespace sla::reporting::testing {

struct FakeReportingState {
  struct Where {
    std::string customer_id;
    std::string contract_id;
    int period = 0;  // year * 12 + month - 1
  };
  struct Ticket {
    Where at;
    TicketFigures figures;
    ReplayTicket replay;
  };
  struct Breach {
    Where at;
    v1::BreachEntry entry;
  };
  struct Escalation {
    Where at;
    int level = 0;
    bool manual = false;
  };
  struct Outage {
    Where at;  // period unused: outages are found by time
    OutageRow row;
  };
  struct Credit {
    Where at;
    v1::CreditFigure figure;
  };
  struct Report {
    Where at;
    int revision = 0;
    int64_t issue_time = 0;
    std::string body;
  };
  std::vector<Ticket> tickets;
  std::vector<Breach> breaches;
  std::vector<Escalation> escalations;
  std::vector<Outage> outages;
  std::vector<Credit> credits;
  std::vector<Report> reports;
  std::vector<PendingRevision> pending;
  std::vector<outbox::Row> events;
};

class FakeReportingRepository final : public ReportingRepository {
 public:
  absl::Status Transact(absl::FunctionRef<absl::Status(ReportingTx&)> fn) override;
  absl::Status Read(absl::FunctionRef<absl::Status(ReportingTx&)> fn) override;

  // What the repository holds now (a copy), and a way to set it up.
  FakeReportingState state() { return store_.state(); }
  void Edit(absl::FunctionRef<void(FakeReportingState&)> edit) { store_.Edit(edit); }
  // The next call of `method` (e.g. "InsertDocuments") fails with `error`.
  void FailNext(const std::string& method, absl::Status error) {
    store_.FailNext(method, std::move(error));
  }

 private:
  test::InMemoryStore<FakeReportingState> store_;
};

}  // namespace sla::reporting::testing
