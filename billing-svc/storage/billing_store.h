// billing-svc's tables on MariaDB. Functions take the caller's transaction's connection, so a
// batch of events and the cursor after it, or a period's credits, documents and events,
// commit together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include <map>

#include "billing-svc/domain/adjustment.h"
#include "billing-svc/domain/period.h"
#include "common/mysql/connection_pool.h"

namespace sla::billing::storage {

using mysql::Connection;

struct ContractKey {
  std::string customer_id;
  std::string contract_id;
};

// Idempotent: a replayed breach is ignored.
absl::Status InsertBreach(Connection& c, const ContractKey& k, const BreachFact& b, int cycle);
// The outage's latest state; returns the state it replaced, if any.
absl::StatusOr<std::optional<OutageFact>> UpsertOutage(Connection& c, const ContractKey& k, const OutageFact& o);
// Marks the closed periods overlapping [from, until) stale: a fact about them arrived after
// they closed, so a delta is due.
absl::Status MarkStale(Connection& c, const ContractKey& k, int64_t from, int64_t until);
// Serialises with the event consumer: a close or delta taken after this sees every batch of
// facts committed before it, and a batch committed after it sees the period closed (and marks
// it stale if it concerns it).
absl::Status LockFactsShared(Connection& c);
// Breaches in [start, end) and outages overlapping it.
absl::StatusOr<PeriodFacts> LoadFacts(Connection& c, const ContractKey& k, int64_t start, int64_t end);

absl::StatusOr<bool> IsClosed(Connection& c, const ContractKey& k, const Period& p);
// Claims the period for closing: false if it was closed before.
absl::StatusOr<bool> ClaimPeriod(Connection& c, const ContractKey& k, const Period& p,
                                 const PeriodBounds& bounds, const std::string& terms_version, int64_t now);
// Per contract ("customer/contract"), the newest closed period as year * 12 + month - 1.
absl::StatusOr<std::map<std::string, int>> NewestClosedPeriods(Connection& c);

struct StalePeriod {
  ContractKey key;
  Period period;
};
absl::StatusOr<std::vector<StalePeriod>> StalePeriods(Connection& c, int limit);
struct ClosedPeriod {
  bool stale = false;
  int revision = 0;
  std::string terms_version;
};
// The closed period, locked; nullopt if it is not closed.
absl::StatusOr<std::optional<ClosedPeriod>> LockClosedPeriod(Connection& c, const ContractKey& k, const Period& p);
absl::Status FinishRevision(Connection& c, const ContractKey& k, const Period& p, int revision);

using billing::CreditStatus;
struct StoredCredit {
  Period period;
  std::string rule_id;
  std::string subject;
  int64_t amount_minor = 0;
  std::string currency;
  CreditStatus status = CreditStatus::kIssued;
  std::string line;  // serialized DocumentLine
  int revision = 0;
};
absl::Status InsertCredit(Connection& c, const ContractKey& k, const StoredCredit& credit);
// The periods (of `periods`) in which `rule_id` earned a credit, issued, deferred or dropped.
absl::StatusOr<std::vector<Period>> RulePeriods(Connection& c, const ContractKey& k,
                                                const std::string& rule_id, const Period& from,
                                                const Period& until);
// Every credit row of the period, all revisions (not what an invoice carried).
absl::StatusOr<std::vector<RecordedCredit>> RecordedCredits(Connection& c, const ContractKey& k, const Period& p);
// Deferred credits of periods before `before`, not paid out yet, locked.
absl::StatusOr<std::vector<StoredCredit>> LockPendingDeferred(Connection& c, const ContractKey& k,
                                                              const Period& before);
// Pays deferred credits out with the close of `on`: issued from then on, applied by the
// invoice after it.
absl::Status ReleaseDeferred(Connection& c, const ContractKey& k, const std::vector<StoredCredit>& credits,
                             const Period& on);
// Issued credits of earlier periods not yet deducted from an invoice, locked (deferred credits
// paid out by `before`'s own close wait for the invoice after it).
absl::StatusOr<std::vector<StoredCredit>> LockUnappliedCredits(Connection& c, const ContractKey& k,
                                                               const Period& before);
absl::Status MarkApplied(Connection& c, const ContractKey& k, const std::vector<StoredCredit>& credits,
                         const Period& on);

// The next number of `series` ("INV", "CN", "DN"), gapless: taken under the series row's lock.
absl::StatusOr<int64_t> NextNumber(Connection& c, const std::string& series);
absl::Status InsertDocument(Connection& c, const std::string& series, int64_t number,
                            const ContractKey& k, const Period& p, const std::string& body,
                            int64_t issue_time, int revision = 0);
// The period's document at revision 0 (its close).
absl::StatusOr<std::optional<std::string>> LoadPeriodDocument(Connection& c, const std::string& series,
                                                              const ContractKey& k, const Period& p);
absl::StatusOr<std::optional<std::pair<std::string, std::string>>> LoadDocument(
    Connection& c, const std::string& series, int64_t number);  // (customer_id, body)

struct DocumentQuery {
  std::string series;
  std::string customer_id;  // empty: all
  std::optional<std::string> contract_id;
  std::optional<Period> period;
  int64_t after_number = 0;
  int limit = 50;
};
struct StoredDocument {
  int64_t number = 0;
  std::string body;
};
absl::StatusOr<std::vector<StoredDocument>> ListDocuments(Connection& c, const DocumentQuery& q);

}  // namespace sla::billing::storage
