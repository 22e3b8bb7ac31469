#include "reporting-svc/domain/credit_event.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/money/money.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "reporting-svc/domain/figures.h"

namespace sla::reporting {

absl::StatusOr<std::optional<CreditEvent>> ReadCreditEvent(const std::string& type,
                                                           const sla::v1::CreditEventPayload& p) {
  const bool note = type == "credit_note.issued" || type == "debit_note.issued";
  if (!note && type != "credit.deferred" && type != "credit.dropped" && type != "credit.revised") {
    return std::nullopt;
  }
  // Beyond the bound on amounts is refused rather than guessed.
  auto amount = [](int64_t v, const char* field) -> absl::StatusOr<int64_t> {
    if (v > money::kMaxAmountMinor || v < -money::kMaxAmountMinor) {
      return InvalidField(absl::StrCat("payload.", field), "is out of range");
    }
    return v;
  };
  CreditEvent e;
  SLA_ASSIGN_OR_RETURN(auto k,
                       api::ParseCustomerChild(p.contract(), "contracts", "payload.contract"));
  e.contract = {k.first, k.second};
  SLA_ASSIGN_OR_RETURN(e.period, ParsePeriod(p.period(), "payload.period"));
  e.currency = p.currency();
  const bool revision = p.revision() > 0;
  if (type == "credit_note.issued" && !revision) {
    e.status = "issued";
    e.note = p.credit_note();
    SLA_ASSIGN_OR_RETURN(e.amount_minor, amount(p.total_minor(), "total_minor"));
    SLA_ASSIGN_OR_RETURN(e.cap_cut_minor, amount(p.cap_cut_minor(), "cap_cut_minor"));
  } else if (note) {
    // A delta credit note adds to the period's credit, a debit note takes back (its total is
    // the positive amount taken back).
    const bool debit = type == "debit_note.issued";
    e.kind = CreditEvent::Kind::kAdjust;
    e.status = "issued";
    e.note = debit ? p.debit_note() : p.credit_note();
    SLA_ASSIGN_OR_RETURN(const int64_t total, amount(p.total_minor(), "total_minor"));
    e.amount_minor = debit ? -total : total;
  } else if (type == "credit.revised") {
    e.kind = CreditEvent::Kind::kAdjust;
    e.status = p.status();
    if (e.status != "deferred" && e.status != "dropped") {
      return InvalidField("payload.status", "must be \"deferred\" or \"dropped\"");
    }
    SLA_ASSIGN_OR_RETURN(e.amount_minor, amount(p.delta_minor(), "delta_minor"));
  } else {
    e.status = type == "credit.deferred" ? "deferred" : "dropped";
    SLA_ASSIGN_OR_RETURN(e.amount_minor, amount(p.total_minor(), "total_minor"));
    SLA_ASSIGN_OR_RETURN(e.cap_cut_minor, amount(p.cap_cut_minor(), "cap_cut_minor"));
  }
  return e;
}

}  // namespace sla::reporting
