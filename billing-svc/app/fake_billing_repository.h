// BillingRepository in memory, for app tests: the rules of the MariaDB statements (claims once,
// credits by status and period, gapless numbers) over plain containers. A transaction works on
// a copy of the state and replaces it only when `fn` succeeds, so a failed use case leaves
// nothing behind, as a rolled-back transaction would. Not thread-safe beyond one call at a time
// (it serialises them).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "billing-svc/app/billing_repository.h"
#include "common/test_util/in_memory_store.h"

namespace sla::billing::testing {

struct FakeBillingState {
  struct Breach {
    ContractKey key;
    core::BreachFact fact;
  };
  struct Outage {
    ContractKey key;
    core::OutageFact fact;
  };
  struct ClosedRow {
    PeriodKey at;
    core::PeriodBounds bounds;
    std::string terms_version;
    int64_t closed_at = 0;
    bool stale = false;
    int revision = 0;
  };
  struct CreditRow {
    ContractCredit credit;
    std::optional<int> applied_on;   // MonthIndex of the invoice that deducted it
    std::optional<int> released_on;  // MonthIndex of the close that paid it out
  };
  std::vector<Breach> breaches;
  std::vector<Outage> outages;
  std::map<std::string, ClosedRow> closed;  // by ClosedText
  std::vector<CreditRow> credits;
  std::map<std::string, int64_t> last_number;  // per series
  std::vector<DocumentRow> documents;
  std::vector<outbox::Row> events;  // published, in order
};

class FakeBillingRepository final : public BillingRepository {
 public:
  absl::Status Transact(absl::FunctionRef<absl::Status(BillingTx&)> fn) override;
  absl::Status Read(absl::FunctionRef<absl::Status(BillingTx&)> fn) override;

  // What the repository holds now (a copy), and a way to set it up.
  FakeBillingState state() { return store_.state(); }
  void Edit(absl::FunctionRef<void(FakeBillingState&)> edit) { store_.Edit(edit); }
  // The next call of `method` (e.g. "InsertDocuments") fails with `error`.
  void FailNext(const std::string& method, absl::Status error) {
    store_.FailNext(method, std::move(error));
  }

 private:
  test::InMemoryStore<FakeBillingState> store_;
};

}  // namespace sla::billing::testing
