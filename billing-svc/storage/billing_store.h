// billing-svc's tables on MariaDB. Functions take the caller's transaction's connection, so a
// batch of events and the cursor after it, or a period's credits, documents and events,
// commit together.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "billing-svc/domain/adjustment.h"
#include "common/core/period.h"
#include "common/mysql/connection_pool.h"
#include "common/server/customer_scope.h"

namespace sla::billing::storage {

using mysql::Connection;

struct ContractKey {
  std::string customer_id;
  std::string contract_id;
};

// Idempotent: a replayed breach is ignored.
absl::Status InsertBreach(Connection& c, const ContractKey& k, const core::BreachFact& b,
                          int cycle);
// The outage's latest state; returns the state it replaced, if any.
absl::StatusOr<std::optional<core::OutageFact>> UpsertOutage(Connection& c, const ContractKey& k,
                                                             const core::OutageFact& o);
// Marks the closed periods overlapping [from, until) stale: a fact about them arrived after
// they closed, so a delta is due.
absl::Status MarkStale(Connection& c, const ContractKey& k, int64_t from, int64_t until);
// Serialises with the event consumer: a close or delta taken after this sees every batch of
// facts committed before it, and a batch committed after it sees the period closed (and marks
// it stale if it concerns it).
absl::Status LockFactsShared(Connection& c);
// "customer/contract", the key of per-contract results.
std::string KeyText(const ContractKey& k);

struct PeriodKey {
  ContractKey key;
  core::Period period;
};

// Breaches in [start, end) and outages overlapping it.
struct FactsQuery {
  ContractKey key;
  int64_t start = 0;
  int64_t end = 0;
};
absl::StatusOr<core::PeriodFacts> LoadFacts(Connection& c, const ContractKey& k, int64_t start,
                                            int64_t end);
// The same for several contracts (each at most once) in one round trip per table; results in
// the order of `queries`.
absl::StatusOr<std::vector<core::PeriodFacts>> LoadFactsMany(
    Connection& c, const std::vector<FactsQuery>& queries);

// Which of `periods` are closed, as "customer/contract/year*12+month-1".
absl::StatusOr<std::set<std::string>> ClosedAmong(Connection& c,
                                                  const std::vector<PeriodKey>& periods);
std::string ClosedText(const PeriodKey& p);
struct Claim {
  PeriodKey at;
  core::PeriodBounds bounds;
  std::string terms_version;
  int64_t closed_at = 0;
};
// Claims the periods for closing; ALREADY_EXISTS if one was closed meanwhile (by another
// replica): the caller's transaction then must not go on.
absl::Status ClaimPeriods(Connection& c, const std::vector<Claim>& claims);
// Per contract ("customer/contract"), the newest closed period as year * 12 + month - 1.
absl::StatusOr<std::map<std::string, int>> NewestClosedPeriods(Connection& c);

struct StalePeriod {
  ContractKey key;
  core::Period period;
};
absl::StatusOr<std::vector<StalePeriod>> StalePeriods(Connection& c, int limit);
struct ClosedPeriod {
  bool stale = false;
  int revision = 0;
  std::string terms_version;
};
// The closed period, locked; nullopt if it is not closed.
absl::StatusOr<std::optional<ClosedPeriod>> LockClosedPeriod(Connection& c, const ContractKey& k,
                                                             const core::Period& p);
absl::Status FinishRevision(Connection& c, const ContractKey& k, const core::Period& p,
                            int revision);

using core::CreditStatus;
struct StoredCredit {
  core::Period period;
  std::string rule_id;
  std::string subject;
  int64_t amount_minor = 0;
  std::string currency;
  core::CreditStatus status = core::CreditStatus::kIssued;
  std::string line;  // serialized DocumentLine
  int revision = 0;
};
struct ContractCredit {
  ContractKey key;
  StoredCredit credit;
};
absl::Status InsertCredits(Connection& c, const std::vector<ContractCredit>& credits);
// Every credit row of the period, all revisions (not what an invoice carried).
absl::StatusOr<std::vector<RecordedCredit>> RecordedCredits(Connection& c, const ContractKey& k,
                                                            const core::Period& p);

// Credit rows of several contracts (each at most once in `periods`), by KeyText.
using CreditsByContract = std::map<std::string, std::vector<StoredCredit>>;
// Deferred credits of periods before each period, not paid out yet, locked.
absl::StatusOr<CreditsByContract> LockPendingDeferred(Connection& c,
                                                      const std::vector<PeriodKey>& before);
// Issued credits of periods before each period not yet deducted from an invoice, locked
// (deferred credits paid out by that period's own close wait for the invoice after it).
absl::StatusOr<CreditsByContract> LockUnappliedCredits(Connection& c,
                                                       const std::vector<PeriodKey>& before);
// Credits of the `window` periods up to each period, the period itself included (chronic breach).
absl::StatusOr<CreditsByContract> RecentCredits(Connection& c, const std::vector<PeriodKey>& until,
                                                int window);
// Marks credits as deducted by the invoice of `on` (each row its own period).
absl::Status MarkApplied(Connection& c,
                         const std::vector<std::pair<ContractCredit, core::Period>>& rows);
// Pays deferred credits out with the close of `on`: issued from then on, applied by the
// invoice after it.
absl::Status ReleaseDeferred(Connection& c,
                             const std::vector<std::pair<ContractCredit, core::Period>>& rows);

// Reserves `count` consecutive numbers of `series` ("INV", "CN", "DN"), gapless: taken under the
// series row's lock, held until the transaction ends. Returns the first.
absl::StatusOr<int64_t> ReserveNumbers(Connection& c, const std::string& series, int count);
struct DocumentRow {
  std::string series;
  int64_t number = 0;
  ContractKey key;
  core::Period period;
  std::string body;
  int64_t issue_time = 0;
  int revision = 0;
};
absl::Status InsertDocuments(Connection& c, const std::vector<DocumentRow>& docs);
// The period's document at revision 0 (its close).
absl::StatusOr<std::optional<std::string>> LoadPeriodDocument(Connection& c,
                                                              const std::string& series,
                                                              const ContractKey& k,
                                                              const core::Period& p);
absl::StatusOr<std::optional<std::pair<std::string, std::string>>> LoadDocument(
    Connection& c, const std::string& series, int64_t number);  // (customer_id, body)

struct DocumentQuery {
  explicit DocumentQuery(server::CustomerScope s) : scope(std::move(s)) {}
  std::string series;
  server::CustomerScope scope;  // whose documents: a caller's customer, never "" by accident
  std::optional<std::string> contract_id;
  std::optional<core::Period> period;
  int64_t after_number = 0;  // keyset paging: numbers after this (before it, newest first)
  bool newest_first = false;
  int limit = 50;
};
struct StoredDocument {
  int64_t number = 0;
  std::string body;
};
absl::StatusOr<std::vector<StoredDocument>> ListDocuments(Connection& c, const DocumentQuery& q);

}  // namespace sla::billing::storage
