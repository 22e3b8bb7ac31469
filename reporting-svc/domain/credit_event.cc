#include "reporting-svc/domain/credit_event.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/money/money.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "reporting-svc/domain/figures.h"

namespace sla::reporting {

absl::StatusOr<std::optional<CreditEvent>> ParseCreditEvent(const std::string& type, const std::string& payload_json) {
  const bool note = type == "credit_note.issued" || type == "debit_note.issued";
  if (!note && type != "credit.deferred" && type != "credit.dropped" && type != "credit.revised") {
    return std::nullopt;
  }
  google::protobuf::Struct p;
  if (!google::protobuf::util::JsonStringToMessage(payload_json, &p).ok()) {
    return absl::DataLossError("unreadable payload");
  }
  auto field = [&](const char* f) -> std::string {
    auto it = p.fields().find(f);
    return it == p.fields().end() ? "" : it->second.string_value();
  };
  // Amounts travel as decimal strings; anything else, or beyond the bound on amounts, is
  // refused rather than guessed.
  auto number = [&](const char* f) -> absl::StatusOr<int64_t> {
    int64_t v = 0;
    if (!absl::SimpleAtoi(field(f), &v)) return InvalidField(absl::StrCat("payload.", f), "is not a whole number");
    if (v > money::kMaxAmountMinor || v < -money::kMaxAmountMinor) {
      return InvalidField(absl::StrCat("payload.", f), "is out of range");
    }
    return v;
  };
  CreditEvent e;
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(field("contract"), "contracts", "payload.contract"));
  e.contract = {k.first, k.second};
  SLA_ASSIGN_OR_RETURN(e.period, ParsePeriod(field("period"), "payload.period"));
  e.currency = field("currency");
  const bool revision = p.fields().contains("revision");
  if (type == "credit_note.issued" && !revision) {
    e.status = "issued";
    e.note = field("credit_note");
    SLA_ASSIGN_OR_RETURN(e.amount_minor, number("total_minor"));
    if (p.fields().contains("cap_cut_minor")) {
      SLA_ASSIGN_OR_RETURN(e.cap_cut_minor, number("cap_cut_minor"));
    }
  } else if (note) {
    // A delta credit note adds to the period's credit, a debit note takes back (its total is
    // the positive amount taken back).
    const bool debit = type == "debit_note.issued";
    e.kind = CreditEvent::Kind::kAdjust;
    e.status = "issued";
    e.note = field(debit ? "debit_note" : "credit_note");
    SLA_ASSIGN_OR_RETURN(const int64_t amount, number("total_minor"));
    e.amount_minor = debit ? -amount : amount;
  } else if (type == "credit.revised") {
    e.kind = CreditEvent::Kind::kAdjust;
    e.status = field("status");
    SLA_ASSIGN_OR_RETURN(e.amount_minor, number("delta_minor"));
  } else {
    e.status = type == "credit.deferred" ? "deferred" : "dropped";
    SLA_ASSIGN_OR_RETURN(e.amount_minor, number("total_minor"));
    if (p.fields().contains("cap_cut_minor")) {
      SLA_ASSIGN_OR_RETURN(e.cap_cut_minor, number("cap_cut_minor"));
    }
  }
  return e;
}

}  // namespace sla::reporting
