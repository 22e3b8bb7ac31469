#include "contract-svc/app/contract_manager.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/list_request.h"
#include "common/core/terms_validation.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "contract-svc/app/access.h"
#include "contract-svc/app/calendar_manager.h"
#include "contract-svc/domain/customer.h"
#include "google/protobuf/util/time_util.h"

namespace sla::contract {
namespace {

using google::protobuf::util::TimeUtil;

// Every calendar resource name the terms mention.
std::set<std::string> CalendarNames(const sla::v1::SlaTerms& t) {
  std::set<std::string> out;
  auto add = [&](const std::string& n) {
    if (!n.empty()) out.insert(n);
  };
  for (const auto& s : t.services()) add(s.service_calendar());
  for (const auto& p : t.priority_targets()) {
    for (const auto* c :
         {&p.first_response(), &p.resolution_plan(), &p.update_interval(), &p.resolution()}) {
      add(c->calendar());
    }
  }
  for (const auto& a : t.availability_targets()) {
    add(a.calendar());
    for (const auto& w : a.maintenance_windows()) add(w.calendar());
    for (const auto& c : a.downtime_contacts()) add(c.calendar());
  }
  for (const auto& c : t.responsibilities().issue_reporting()) add(c.calendar());
  for (const auto& l : t.escalation().levels()) {
    for (const auto& c : l.notify()) add(c.calendar());
  }
  for (const auto& x : t.pricing().extra_charges()) add(x.outside_calendar());
  for (const auto& ch : t.communication_channels()) add(ch.contact().calendar());
  for (const auto& c : t.reporting().recipients()) add(c.calendar());
  return out;
}

absl::Status CheckEtag(const Contract& c, const std::string& etag) {
  if (etag.empty()) return InvalidField("etag", "is required");
  if (c.etag() != etag) return EtagMismatch(c.name());
  return absl::OkStatus();
}

absl::Status RequireState(const Contract& c, Contract::State want, const char* what) {
  if (c.state == want) return absl::OkStatus();
  static const char* kNames[] = {"", "DRAFT", "ACTIVE", "TERMINATED"};
  return WrongState(c.name(), absl::StrCat("is ", kNames[static_cast<int>(c.state)], "; ", what));
}

}  // namespace

ContractManager::ContractManager(ContractRepository* contracts, CalendarRepository* calendars,
                                 std::function<absl::Time()> clock,
                                 std::function<std::string()> new_id)
    : contracts_(contracts),
      calendars_(calendars),
      clock_(std::move(clock)),
      new_id_(std::move(new_id)) {}

absl::Status ContractManager::ValidateWithCalendars(const sla::v1::SlaTerms& terms,
                                                    const char* prefix) {
  absl::Status lookup_error;
  // Terms name the same few calendars many times: look each one up once.
  absl::flat_hash_map<std::string, bool> known;
  const core::CalendarExists exists = [&](absl::string_view name) {
    auto [it, inserted] = known.try_emplace(std::string(name), false);
    if (!inserted) return it->second;
    absl::StatusOr<std::string> id = ParseCalendarName(name, "calendar");
    if (!id.ok()) return false;
    absl::StatusOr<StoredCalendar> c = calendars_->Get(*id);
    if (!c.ok() && c.status().code() != absl::StatusCode::kNotFound) lookup_error = c.status();
    it->second = c.ok();
    return it->second;
  };
  absl::Status s = core::ValidateTerms(terms, exists, prefix);
  return lookup_error.ok() ? s : lookup_error;
}

absl::StatusOr<CalendarsByName> ContractManager::CalendarsOf(const sla::v1::SlaTerms& terms) {
  CalendarsByName out;
  for (const std::string& name : CalendarNames(terms)) {
    SLA_ASSIGN_OR_RETURN(std::string id, ParseCalendarName(name, "terms"));
    SLA_ASSIGN_OR_RETURN(StoredCalendar c, calendars_->Get(id));
    out[name] = std::move(c.calendar);
  }
  return out;
}

absl::StatusOr<sla::v1::SlaTerms> ContractManager::Freeze(const sla::v1::SlaTerms& terms,
                                                          absl::Time effective_from) {
  SLA_ASSIGN_OR_RETURN(CalendarsByName calendars, CalendarsOf(terms));
  const std::vector<LintFinding> findings =
      LintTerms(terms, calendars, TermsToday(clock_(), terms));
  std::vector<std::string> errors;
  for (const LintFinding& f : findings) {
    if (f.severity == Severity::kError)
      errors.push_back(absl::StrCat(f.rule, " (", f.field_path, ")"));
  }
  if (!errors.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("lint reports errors that block activation: ", absl::StrJoin(errors, ", ")));
  }
  sla::v1::SlaTerms frozen = terms;
  frozen.clear_calendars();
  for (const std::string& name : CalendarNames(terms)) *frozen.add_calendars() = calendars.at(name);
  *frozen.mutable_effective_from() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(effective_from));
  return frozen;
}

absl::StatusOr<ContractView> ContractManager::View(Contract c) {
  ContractView v{std::move(c), {}};
  if (v.contract.state == Contract::State::kDraft) {
    v.terms = v.contract.draft_terms;
  } else {
    SLA_ASSIGN_OR_RETURN(
        ContractVersion latest,
        contracts_->GetVersion(v.contract.customer_id, v.contract.id, v.contract.latest_version));
    v.terms = std::move(latest.terms);
  }
  return v;
}

absl::StatusOr<Contract> ContractManager::Readable(const server::Identity& caller,
                                                   const std::string& name) {
  SLA_ASSIGN_OR_RETURN(ContractName n, ParseContractName(name, "name"));
  SLA_RETURN_IF_ERROR(RequireReadAccess(caller, n.customer_id, name));
  return contracts_->Get(n.customer_id, n.contract_id);
}

absl::StatusOr<ContractView> ContractManager::Create(const server::Identity& caller,
                                                     const std::string& parent,
                                                     const std::string& display_name,
                                                     const sla::v1::SlaTerms& terms,
                                                     const api::RequestKey& request_id) {
  SLA_RETURN_IF_ERROR(RequireMspAdmin(caller, "contracts"));
  SLA_ASSIGN_OR_RETURN(std::string customer_id, ParseCustomerName(parent, "parent"));
  if (absl::StripAsciiWhitespace(display_name).empty())
    return InvalidField("contract.display_name", "is required");
  if (display_name.size() > 200)
    return InvalidField("contract.display_name", "at most 200 characters");
  SLA_RETURN_IF_ERROR(ValidateWithCalendars(terms, "contract.terms"));
  Contract c;
  c.customer_id = customer_id;
  c.id = new_id_();
  c.display_name = display_name;
  c.state = Contract::State::kDraft;
  c.draft_terms = terms;
  c.version = 1;
  c.create_time = c.update_time = clock_();
  SLA_ASSIGN_OR_RETURN(Contract stored, contracts_->Create(c, request_id, caller.subject));
  return View(std::move(stored));
}

absl::StatusOr<ContractView> ContractManager::Get(const server::Identity& caller,
                                                  const std::string& name) {
  SLA_ASSIGN_OR_RETURN(Contract c, Readable(caller, name));
  return View(std::move(c));
}

absl::StatusOr<ContractManager::Page> ContractManager::List(const server::Identity& caller,
                                                            const std::string& parent,
                                                            int page_size,
                                                            const std::string& page_token,
                                                            const std::string& filter) {
  std::string customer_id;
  if (parent != "customers/-") {
    SLA_ASSIGN_OR_RETURN(customer_id, ParseCustomerName(parent, "parent"));
  }
  // `customers/-` means "mine" for a customer.
  SLA_ASSIGN_OR_RETURN(server::CustomerScope scope,
                       server::CustomerScope::ForCaller(caller, customer_id, parent, "contracts"));
  SLA_ASSIGN_OR_RETURN(int limit, api::PageSize(page_size));
  SLA_ASSIGN_OR_RETURN(std::string after,
                       api::DecodePageToken(page_token, absl::StrCat(parent, "|", filter)));
  std::optional<Contract::State> state;
  SLA_ASSIGN_OR_RETURN(std::vector<api::Restriction> restrictions, api::ParseFilter(filter));
  for (const api::Restriction& r : restrictions) {
    if (r.field != "state" || r.op != '=') {
      return InvalidField("filter", "only `state = DRAFT|ACTIVE|TERMINATED` is supported");
    }
    if (r.value == "DRAFT")
      state = Contract::State::kDraft;
    else if (r.value == "ACTIVE")
      state = Contract::State::kActive;
    else if (r.value == "TERMINATED")
      state = Contract::State::kTerminated;
    else
      return InvalidField("filter", absl::StrCat("unknown state `", r.value, "`"));
  }
  SLA_ASSIGN_OR_RETURN(std::vector<Contract> rows, contracts_->List(scope, state, after, limit));
  Page page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(limit);
    page.next_page_token = api::EncodePageToken(rows.back().id, absl::StrCat(parent, "|", filter));
  }
  for (Contract& c : rows) {
    SLA_ASSIGN_OR_RETURN(ContractView v, View(std::move(c)));
    page.contracts.push_back(std::move(v));
  }
  return page;
}

absl::StatusOr<ContractView> ContractManager::UpdateDraft(const server::Identity& caller,
                                                          const std::string& name,
                                                          const std::string& etag,
                                                          const std::string& display_name,
                                                          const sla::v1::SlaTerms& terms,
                                                          const std::vector<std::string>& mask) {
  SLA_RETURN_IF_ERROR(RequireMspAdmin(caller, "contracts"));
  SLA_ASSIGN_OR_RETURN(ContractName n, ParseContractName(name, "contract.name"));
  if (mask.empty()) return InvalidField("update_mask", "is required: name the fields to change");
  for (const std::string& p : mask) {
    if (p != "display_name" && p != "terms")
      return InvalidField("update_mask", absl::StrCat("`", p, "` cannot be updated"));
  }
  const bool set_terms = std::find(mask.begin(), mask.end(), "terms") != mask.end();
  const bool set_name = std::find(mask.begin(), mask.end(), "display_name") != mask.end();
  if (set_name && absl::StripAsciiWhitespace(display_name).empty()) {
    return InvalidField("contract.display_name", "is required");
  }
  if (set_terms) SLA_RETURN_IF_ERROR(ValidateWithCalendars(terms, "contract.terms"));
  SLA_ASSIGN_OR_RETURN(Contract c, contracts_->Update(
                                       n.customer_id, n.contract_id,
                                       [&](Contract& c, ContractMutation&) -> absl::Status {
                                         SLA_RETURN_IF_ERROR(CheckEtag(c, etag));
                                         SLA_RETURN_IF_ERROR(RequireState(
                                             c, Contract::State::kDraft,
                                             "only a draft can be edited; amend it instead"));
                                         if (set_name) c.display_name = display_name;
                                         if (set_terms) c.draft_terms = terms;
                                         return absl::OkStatus();
                                       },
                                       clock_()));
  return View(std::move(c));
}

absl::StatusOr<ContractView> ContractManager::Activate(const server::Identity& caller,
                                                       const std::string& name,
                                                       const std::string& etag,
                                                       absl::Time effective_from) {
  SLA_RETURN_IF_ERROR(RequireMspAdmin(caller, "contracts"));
  SLA_ASSIGN_OR_RETURN(ContractName n, ParseContractName(name, "name"));
  SLA_ASSIGN_OR_RETURN(Contract current, contracts_->Get(n.customer_id, n.contract_id));
  SLA_RETURN_IF_ERROR(CheckEtag(current, etag));
  SLA_RETURN_IF_ERROR(
      RequireState(current, Contract::State::kDraft, "only a draft can be activated"));
  SLA_ASSIGN_OR_RETURN(sla::v1::SlaTerms frozen, Freeze(current.draft_terms, effective_from));
  SLA_ASSIGN_OR_RETURN(
      Contract c,
      contracts_->Update(
          n.customer_id, n.contract_id,
          [&](Contract& c, ContractMutation& m) -> absl::Status {
            // Re-checked under the row lock: the draft must be the one linted.
            SLA_RETURN_IF_ERROR(CheckEtag(c, etag));
            SLA_RETURN_IF_ERROR(
                RequireState(c, Contract::State::kDraft, "only a draft can be activated"));
            c.state = Contract::State::kActive;
            m.new_version = ContractVersion{c.customer_id, c.id, 1, frozen, effective_from};
            return absl::OkStatus();
          },
          clock_()));
  return View(std::move(c));
}

absl::StatusOr<ContractView> ContractManager::Amend(const server::Identity& caller,
                                                    const std::string& name,
                                                    const std::string& etag,
                                                    const sla::v1::SlaTerms& terms,
                                                    absl::Time effective_from) {
  SLA_RETURN_IF_ERROR(RequireMspAdmin(caller, "contracts"));
  SLA_ASSIGN_OR_RETURN(ContractName n, ParseContractName(name, "name"));
  SLA_RETURN_IF_ERROR(ValidateWithCalendars(terms, "terms"));
  SLA_ASSIGN_OR_RETURN(sla::v1::SlaTerms frozen, Freeze(terms, effective_from));
  SLA_ASSIGN_OR_RETURN(
      Contract c,
      contracts_->Update(
          n.customer_id, n.contract_id,
          [&](Contract& c, ContractMutation& m) -> absl::Status {
            SLA_RETURN_IF_ERROR(CheckEtag(c, etag));
            SLA_RETURN_IF_ERROR(RequireState(c, Contract::State::kActive,
                                             "only an active contract can be amended"));
            if (m.latest && effective_from <= m.latest->effective_from) {
              return InvalidField(
                  "effective_from",
                  absl::StrCat("must be after version ", m.latest->version, "'s start, ",
                               absl::FormatTime(m.latest->effective_from)));
            }
            m.new_version =
                ContractVersion{c.customer_id, c.id, c.latest_version + 1, frozen, effective_from};
            return absl::OkStatus();
          },
          clock_()));
  return View(std::move(c));
}

absl::StatusOr<ContractView> ContractManager::Terminate(const server::Identity& caller,
                                                        const std::string& name,
                                                        const std::string& etag,
                                                        const std::string& reason,
                                                        absl::Time effective_time, bool for_cause) {
  SLA_RETURN_IF_ERROR(RequireMspAdmin(caller, "contracts"));
  SLA_ASSIGN_OR_RETURN(ContractName n, ParseContractName(name, "name"));
  if (absl::StripAsciiWhitespace(reason).empty()) return InvalidField("reason", "is required");
  if (reason.size() > 2000) return InvalidField("reason", "at most 2000 characters");
  const absl::Time now = clock_();
  SLA_ASSIGN_OR_RETURN(
      Contract c,
      contracts_->Update(
          n.customer_id, n.contract_id,
          [&](Contract& c, ContractMutation& m) -> absl::Status {
            SLA_RETURN_IF_ERROR(CheckEtag(c, etag));
            SLA_RETURN_IF_ERROR(RequireState(c, Contract::State::kActive,
                                             "only an active contract can be terminated"));
            const int notice_days = m.latest ? m.latest->terms.termination().notice_days() : 0;
            const absl::Time earliest = now + absl::Hours(24) * notice_days;
            if (!for_cause && effective_time < earliest) {
              return InvalidField("effective_time", absl::StrCat("must honour the ", notice_days,
                                                                 "-day notice period: not before ",
                                                                 absl::FormatTime(earliest)));
            }
            if (effective_time < now - absl::Hours(24)) {
              return InvalidField("effective_time", "must not be in the past");
            }
            c.state = Contract::State::kTerminated;
            c.termination_time = effective_time;
            c.termination_reason = reason;
            return absl::OkStatus();
          },
          now));
  return View(std::move(c));
}

}  // namespace sla::contract
