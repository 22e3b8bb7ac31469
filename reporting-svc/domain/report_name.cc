#include "reporting-svc/domain/report_name.h"

#include <vector>

#include "absl/strings/str_split.h"
#include "common/api/resource_name.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "reporting-svc/domain/figures.h"

namespace sla::reporting {

absl::StatusOr<ReportName> ParseReportName(const std::string& name, const std::string& field) {
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  ReportName n;
  n.name = name;
  std::string period;
  if (parts.size() == 4 && parts[0] == "customers" && parts[2] == "reports") {
    if (parts[1] != "-") {
      if (!api::ValidId(parts[1])) return InvalidField(field, "has an invalid customer id");
      n.scope.customer_id = parts[1];
    }
    period = parts[3];
  } else if (parts.size() == 6 && parts[0] == "customers" && parts[2] == "contracts" &&
             parts[4] == "reports") {
    if (!api::ValidId(parts[1]) || !api::ValidId(parts[3]))
      return InvalidField(field, "has an invalid id");
    n.scope = {parts[1], parts[3]};
    period = parts[5];
  } else {
    return InvalidField(
        field,
        "must be customers/{c}/contracts/{k}/reports/{YYYY-MM}, customers/{c}/reports/"
        "{YYYY-MM} or customers/-/reports/{YYYY-MM}");
  }
  SLA_ASSIGN_OR_RETURN(n.period, ParsePeriod(period, field));
  return n;
}

}  // namespace sla::reporting
