#include "contract-svc/app/terms_reader.h"

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::contract {

absl::StatusOr<AgreementDocument> TermsReader::Agreement(const server::Identity& caller,
                                                         const std::string& name,
                                                         const std::string& customer_display_name) {
  // `…/contracts/{c}` or `…/contracts/{c}/versions/{n}`.
  std::string contract_name = name;
  int version = -1;
  if (const size_t at = name.find("/versions/"); at != std::string::npos) {
    contract_name = name.substr(0, at);
    if (!absl::SimpleAtoi(name.substr(at + strlen("/versions/")), &version) || version < 1) {
      return InvalidField("name", "must be a contract or `…/contracts/{contract}/versions/{n}`");
    }
  }
  SLA_ASSIGN_OR_RETURN(Contract c, contracts_->Readable(caller, contract_name));
  AgreementInfo info{c.display_name, c.name(), customer_display_name, 0, absl::InfinitePast()};
  sla::v1::SlaTerms terms;
  if (version == -1 && c.state == Contract::State::kDraft) {
    terms = c.draft_terms;
    // A draft has no snapshot yet: show the calendars as they are now.
    SLA_ASSIGN_OR_RETURN(CalendarsByName calendars, contracts_->CalendarsOf(terms));
    for (auto& [n, cal] : calendars) *terms.add_calendars() = cal;
  } else {
    SLA_ASSIGN_OR_RETURN(
        ContractVersion v,
        repo_->GetVersion(c.customer_id, c.id, version == -1 ? c.latest_version : version));
    terms = std::move(v.terms);
    info.version = v.version;
    info.effective_from = v.effective_from;
  }
  return BuildAgreement(info, terms);
}

absl::StatusOr<std::vector<LintFinding>> TermsReader::Lint(const server::Identity& caller,
                                                           const std::string& name,
                                                           int history_periods) {
  if (history_periods < 0 || history_periods > 36) {
    return InvalidField("history_lookback_periods", "must be within 0..36");
  }
  SLA_ASSIGN_OR_RETURN(Contract c, contracts_->Readable(caller, name));
  if (history_periods > 0 && !caller.HasAnyRole({"msp_admin", "msp_agent"})) {
    return PermissionDenied("the history check of lint is for the MSP's staff");
  }
  SLA_ASSIGN_OR_RETURN(ContractView v, contracts_->View(std::move(c)));
  SLA_ASSIGN_OR_RETURN(CalendarsByName calendars, contracts_->CalendarsOf(v.terms));
  std::vector<LintFinding> findings = LintTerms(v.terms, calendars, TermsToday(clock_(), v.terms));
  if (history_periods > 0) {
    if (history_ == nullptr) {
      return absl::FailedPreconditionError(
          "the history check needs reporting-svc (--reporting_address)");
    }
    // A draft has no calendar snapshot yet: replay with the calendars as they are now, as
    // activation would freeze them.
    sla::v1::SlaTerms replayed = v.terms;
    if (replayed.calendars().empty()) {
      for (const auto& [n, cal] : calendars) *replayed.add_calendars() = cal;
    }
    absl::StatusOr<sla::reporting::v1::SimulateTermsResponse> replay =
        history_->Replay(v.contract.name(), replayed, history_periods);
    if (!replay.ok()) {
      // reporting-svc names fields of its own request (`proposed_terms.…`): they are the
      // contract's terms to this caller.
      const std::string path = InvalidFieldPath(replay.status());
      if (absl::StartsWith(path, "proposed_terms")) {
        const std::string message(replay.status().message());
        return InvalidField(
            absl::StrCat("terms", path.substr(strlen("proposed_terms"))),
            message.substr(message.find(": ") == std::string::npos ? 0 : message.find(": ") + 2));
      }
      return replay.status();
    }
    for (LintFinding& f : HistoryFindings(v.terms, *replay)) findings.push_back(std::move(f));
  }
  return findings;
}

absl::StatusOr<ResolvedVersion> TermsReader::ResolveTerms(const server::Identity& caller,
                                                          const std::string& contract,
                                                          absl::Time at) {
  SLA_ASSIGN_OR_RETURN(Contract c, contracts_->Readable(caller, contract));
  if (c.termination_time && at >= *c.termination_time) {
    return WrongState(c.name(),
                      absl::StrCat("was terminated as of ", absl::FormatTime(*c.termination_time)));
  }
  SLA_ASSIGN_OR_RETURN(std::optional<ResolvedVersion> v, repo_->VersionAt(c.customer_id, c.id, at));
  if (!v)
    return WrongState(c.name(), absl::StrCat("has no terms in force at ", absl::FormatTime(at)));
  if (c.termination_time && (!v->effective_until || *v->effective_until > *c.termination_time)) {
    v->effective_until = c.termination_time;
  }
  return *std::move(v);
}

absl::StatusOr<ResolvedVersion> TermsReader::ResolveVersion(const server::Identity& caller,
                                                            const std::string& contract,
                                                            const std::string& version) {
  SLA_ASSIGN_OR_RETURN(Contract c, contracts_->Readable(caller, contract));
  const std::string prefix = absl::StrCat(c.name(), "/versions/");
  int number = 0;
  if (!absl::StartsWith(version, prefix) ||
      !absl::SimpleAtoi(version.substr(prefix.size()), &number) || number < 1) {
    return InvalidField("version",
                        absl::StrCat("must be ", prefix, "{n} (a version of `contract`)"));
  }
  if (number > c.latest_version) return NotFound(version);
  ResolvedVersion out;
  SLA_ASSIGN_OR_RETURN(out.version, repo_->GetVersion(c.customer_id, c.id, number));
  if (number < c.latest_version) {
    SLA_ASSIGN_OR_RETURN(ContractVersion next, repo_->GetVersion(c.customer_id, c.id, number + 1));
    out.effective_until = next.effective_from;
  }
  if (c.termination_time && (!out.effective_until || *out.effective_until > *c.termination_time)) {
    out.effective_until = c.termination_time;
  }
  return out;
}

}  // namespace sla::contract
