// Use cases of contracts: drafts, activation, amendment and termination (reading terms:
// TermsReader). Access as in access.h. Every version is immutable once written; its
// terms carry a snapshot of the calendars they name, so a version never changes meaning.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/api/request_key.h"
#include "common/server/identity.h"
#include "contract-svc/app/terms_history.h"
#include "contract-svc/domain/agreement.h"
#include "contract-svc/domain/contract.h"
#include "contract-svc/domain/lint.h"
#include "contract-svc/storage/calendar_repository.h"
#include "contract-svc/storage/contract_repository.h"

namespace sla::contract {

// A contract with the terms a reader sees: the draft's while DRAFT, else the latest version's.
struct ContractView {
  Contract contract;
  sla::v1::SlaTerms terms;
};

class ContractManager {
 public:
  ContractManager(ContractRepository* contracts, CalendarRepository* calendars,
                  std::function<absl::Time()> clock, std::function<std::string()> new_id);

  absl::StatusOr<ContractView> Create(const server::Identity& caller, const std::string& parent,
                                      const std::string& display_name,
                                      const sla::v1::SlaTerms& terms,
                                      const api::RequestKey& request_id);
  absl::StatusOr<ContractView> Get(const server::Identity& caller, const std::string& name);

  struct Page {
    std::vector<ContractView> contracts;
    std::string next_page_token;
  };
  // `parent` is `customers/{customer}` or `customers/-` (all the caller may read); `filter`
  // may be `state = DRAFT|ACTIVE|TERMINATED`.
  absl::StatusOr<Page> List(const server::Identity& caller, const std::string& parent,
                            int page_size, const std::string& page_token,
                            const std::string& filter);

  // Changes a draft's display_name and/or terms (per `mask`); FAILED_PRECONDITION unless DRAFT.
  absl::StatusOr<ContractView> UpdateDraft(const server::Identity& caller, const std::string& name,
                                           const std::string& etag, const std::string& display_name,
                                           const sla::v1::SlaTerms& terms,
                                           const std::vector<std::string>& mask);

  // DRAFT → ACTIVE with version 1 from `effective_from`. FAILED_PRECONDITION while lint reports
  // an error (the message names the rules).
  absl::StatusOr<ContractView> Activate(const server::Identity& caller, const std::string& name,
                                        const std::string& etag, absl::Time effective_from);

  // Appends version n+1 effective from `effective_from` (after version n's start).
  absl::StatusOr<ContractView> Amend(const server::Identity& caller, const std::string& name,
                                     const std::string& etag, const sla::v1::SlaTerms& terms,
                                     absl::Time effective_from);

  // ACTIVE → TERMINATED as of `effective_time`, which must honour the notice period of the
  // terms in force unless `for_cause`.
  absl::StatusOr<ContractView> Terminate(const server::Identity& caller, const std::string& name,
                                         const std::string& etag, const std::string& reason,
                                         absl::Time effective_time, bool for_cause);

  // Reads for TermsReader. The contract if `caller` may read it (NOT_FOUND otherwise).
  absl::StatusOr<Contract> Readable(const server::Identity& caller, const std::string& name);
  // The contract with the terms a reader sees.
  absl::StatusOr<ContractView> View(Contract c);
  // The calendars the terms name, as they are now.
  absl::StatusOr<CalendarsByName> CalendarsOf(const sla::v1::SlaTerms& terms);

 private:
  absl::Status ValidateWithCalendars(const sla::v1::SlaTerms& terms, const char* prefix);
  // Lint errors → FAILED_PRECONDITION; else the terms with calendars snapshotted.
  absl::StatusOr<sla::v1::SlaTerms> Freeze(const sla::v1::SlaTerms& terms,
                                           absl::Time effective_from);

  ContractRepository* contracts_;
  CalendarRepository* calendars_;
  std::function<absl::Time()> clock_;
  std::function<std::string()> new_id_;
};

}  // namespace sla::contract
