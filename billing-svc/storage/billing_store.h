// billing-svc's tables on MariaDB. Functions take the caller's transaction's connection, so a
// batch of events and the cursor after it, or a period's credits, documents and events,
// commit together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
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
// The outage's latest state.
absl::Status UpsertOutage(Connection& c, const ContractKey& k, const OutageFact& o);
// Breaches in [start, end) and outages overlapping it.
absl::StatusOr<PeriodFacts> LoadFacts(Connection& c, const ContractKey& k, int64_t start, int64_t end);

absl::StatusOr<bool> IsClosed(Connection& c, const ContractKey& k, const Period& p);
// Claims the period for closing: false if it was closed before.
absl::StatusOr<bool> ClaimPeriod(Connection& c, const ContractKey& k, const Period& p,
                                 const std::string& terms_version, int64_t now);

enum class CreditStatus { kIssued = 1, kDeferred = 2, kDropped = 3 };
struct StoredCredit {
  Period period;
  std::string rule_id;
  std::string subject;
  int64_t amount_minor = 0;
  std::string currency;
  CreditStatus status = CreditStatus::kIssued;
  std::string line;  // serialized DocumentLine
};
absl::Status InsertCredit(Connection& c, const ContractKey& k, const StoredCredit& credit);
// The periods (of `periods`) in which `rule_id` earned a credit, issued, deferred or dropped.
absl::StatusOr<std::vector<Period>> RulePeriods(Connection& c, const ContractKey& k,
                                                const std::string& rule_id, const Period& from,
                                                const Period& until);
// Issued credits of earlier periods not yet deducted from an invoice, locked.
absl::StatusOr<std::vector<StoredCredit>> LockUnappliedCredits(Connection& c, const ContractKey& k,
                                                               const Period& before);
absl::Status MarkApplied(Connection& c, const ContractKey& k, const std::vector<StoredCredit>& credits,
                         const Period& on);

// The next number of `series` ("INV", "CN"), gapless: taken under the series row's lock.
absl::StatusOr<int64_t> NextNumber(Connection& c, const std::string& series);
absl::Status InsertDocument(Connection& c, const std::string& series, int64_t number,
                            const ContractKey& k, const Period& p, const std::string& body,
                            int64_t issue_time);
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
