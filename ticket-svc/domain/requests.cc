#include "ticket-svc/domain/requests.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::ticket {

absl::Status CheckLength(const std::string& v, size_t max, const char* field, bool required) {
  if (required && v.empty()) return InvalidField(field, "is required");
  if (v.size() > max)
    return InvalidField(field, absl::StrCat("is longer than ", max, " characters"));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ValidateNewTicket(const NewTicketInput& in,
                                              const std::string& customer) {
  SLA_ASSIGN_OR_RETURN(auto contract,
                       api::ParseCustomerChild(in.contract, "contracts", "ticket.contract"));
  if (contract.first != customer) {
    return InvalidField("ticket.contract", "must be a contract of the parent customer");
  }
  SLA_RETURN_IF_ERROR(CheckLength(in.service_id, kMaxShort, "ticket.service_id", true));
  if (in.priority < sla::v1::PRIORITY_P1 || in.priority > sla::v1::PRIORITY_P5) {
    return InvalidField("ticket.priority", "is required (PRIORITY_P1..PRIORITY_P5)");
  }
  SLA_RETURN_IF_ERROR(CheckLength(in.title, kMaxTitle, "ticket.title", true));
  SLA_RETURN_IF_ERROR(CheckLength(in.description, kMaxText, "ticket.description", false));
  SLA_RETURN_IF_ERROR(CheckLength(in.reporter, kMaxShort, "ticket.reporter", true));
  SLA_RETURN_IF_ERROR(CheckLength(in.request_id, kMaxRequestId, "request_id", false));
  return contract.second;
}

absl::Status ValidateNewComment(const NewCommentInput& in) {
  SLA_RETURN_IF_ERROR(CheckLength(in.body, kMaxText, "comment.body", true));
  return CheckLength(in.request_id, kMaxRequestId, "request_id", false);
}

}  // namespace sla::ticket
