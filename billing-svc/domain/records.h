// What billing-svc keeps, in domain terms: the keys of contracts and periods, closed periods,
// credit rows, and numbered documents. The repository (app/billing_repository.h) reads and
// writes these; MariaDB (storage/) and the in-memory fake (app tests) implement it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/core/credits.h"
#include "common/core/period.h"
#include "common/server/customer_scope.h"

namespace sla::billing {

struct ContractKey {
  std::string customer_id;
  std::string contract_id;
};
// "customer/contract", the key of per-contract results.
std::string KeyText(const ContractKey& k);

struct PeriodKey {
  ContractKey key;
  core::Period period;
};
// "customer/contract/year*12+month-1", how ClosedAmong names a closed period.
std::string ClosedText(const PeriodKey& p);
// A period as one number, year * 12 + month - 1 (consecutive months differ by one).
inline int MonthIndex(const core::Period& p) { return p.year * 12 + p.month - 1; }

// Breaches in [start, end) and outages overlapping it.
struct FactsQuery {
  ContractKey key;
  int64_t start = 0;
  int64_t end = 0;
};

// A period being closed: claimed once, by one closer.
struct Claim {
  PeriodKey at;
  core::PeriodBounds bounds;
  std::string terms_version;
  int64_t closed_at = 0;
};

struct StalePeriod {
  ContractKey key;
  core::Period period;
};
struct ClosedPeriod {
  bool stale = false;
  int revision = 0;
  std::string terms_version;
};

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
// Credit rows of several contracts (each at most once in a query), by KeyText.
using CreditsByContract = std::map<std::string, std::vector<StoredCredit>>;
// A credit row and the period whose close it concerns (applied by, released with).
using CreditOn = std::pair<ContractCredit, core::Period>;

struct DocumentRow {
  std::string series;  // "INV", "CN", "DN"
  int64_t number = 0;
  ContractKey key;
  core::Period period;
  std::string body;  // the serialized document
  int64_t issue_time = 0;
  int revision = 0;
};

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

}  // namespace sla::billing
