// billing-svc's statements on MariaDB. Functions take the caller's transaction's connection, so a
// batch of events and the cursor after it, or a period's credits, documents and events,
// commit together. The use cases reach them through MysqlBillingTx; BillingTx
// (app/billing_repository.h) says what each one means.
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
#include "billing-svc/domain/records.h"
#include "common/core/period.h"
#include "common/mysql/connection_pool.h"

namespace sla::billing::storage {

using mysql::Connection;

// ticket-svc's facts, written by the event consumer (ticket_facts.h).
// Idempotent: a replayed breach is ignored.
absl::Status InsertBreach(Connection& c, const ContractKey& k, const core::BreachFact& b,
                          int cycle);
// The outage's latest state; returns the state it replaced, if any.
absl::StatusOr<std::optional<core::OutageFact>> UpsertOutage(Connection& c, const ContractKey& k,
                                                             const core::OutageFact& o);
// Marks the closed periods overlapping [from, until) stale: a fact about them arrived after
// they closed, so a delta is due.
absl::Status MarkStale(Connection& c, const ContractKey& k, int64_t from, int64_t until);

absl::Status LockFactsShared(Connection& c);
absl::StatusOr<std::vector<core::PeriodFacts>> LoadFactsMany(
    Connection& c, const std::vector<FactsQuery>& queries);

absl::StatusOr<std::set<std::string>> ClosedAmong(Connection& c,
                                                  const std::vector<PeriodKey>& periods);
absl::Status ClaimPeriods(Connection& c, const std::vector<Claim>& claims);
absl::StatusOr<std::map<std::string, int>> NewestClosedPeriods(Connection& c);
absl::StatusOr<std::vector<StalePeriod>> StalePeriods(Connection& c, int limit);
absl::StatusOr<std::optional<ClosedPeriod>> LockClosedPeriod(Connection& c, const ContractKey& k,
                                                             const core::Period& p);
absl::Status FinishRevision(Connection& c, const ContractKey& k, const core::Period& p,
                            int revision);

absl::Status InsertCredits(Connection& c, const std::vector<ContractCredit>& credits);
absl::StatusOr<std::vector<RecordedCredit>> RecordedCredits(Connection& c, const ContractKey& k,
                                                            const core::Period& p);
absl::StatusOr<CreditsByContract> LockPendingDeferred(Connection& c,
                                                      const std::vector<PeriodKey>& before);
absl::StatusOr<CreditsByContract> LockUnappliedCredits(Connection& c,
                                                       const std::vector<PeriodKey>& before);
absl::StatusOr<CreditsByContract> RecentCredits(Connection& c, const std::vector<PeriodKey>& until,
                                                int window);
absl::Status MarkApplied(Connection& c, const std::vector<CreditOn>& rows);
absl::Status ReleaseDeferred(Connection& c, const std::vector<CreditOn>& rows);

absl::StatusOr<int64_t> ReserveNumbers(Connection& c, const std::string& series, int count);
absl::Status InsertDocuments(Connection& c, const std::vector<DocumentRow>& docs);
absl::StatusOr<std::optional<std::string>> LoadPeriodDocument(Connection& c,
                                                              const std::string& series,
                                                              const ContractKey& k,
                                                              const core::Period& p);
absl::StatusOr<std::optional<std::pair<std::string, std::string>>> LoadDocument(
    Connection& c, const std::string& series, int64_t number);
absl::StatusOr<std::vector<StoredDocument>> ListDocuments(Connection& c, const DocumentQuery& q);

}  // namespace sla::billing::storage
