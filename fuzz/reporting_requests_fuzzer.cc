// reporting-svc's SimulateTerms and IssueReport messages from the wire: the proposed terms go
// through the checks SimulateTerms applies (validation against the calendars they carry) and
// are compiled as ticket-svc compiles terms for its clocks; report names are parsed.
#include "absl/container/flat_hash_set.h"
#include "common/api/resource_name.h"
#include "common/core/terms_context.h"
#include "common/core/terms_validation.h"
#include "fuzz/fuzz_util.h"
#include "sla/reporting/v1/reporting_service.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool simulate = data[0] & 1;
  ++data;
  --size;
  if (!simulate) {
    sla::reporting::v1::IssueReportRequest r;
    if (!sla::fuzz::Parse(data, size, &r)) return 0;
    sla::fuzz::ExpectClientError(
        sla::api::ParseCustomerChild(r.name(), "contracts", "name").status());
    return 0;
  }
  sla::reporting::v1::SimulateTermsRequest r;
  if (!sla::fuzz::Parse(data, size, &r)) return 0;
  sla::fuzz::ExpectClientError(sla::api::ParseCustomerParent(r.subject(), false).status());
  absl::flat_hash_set<std::string> calendars;
  for (const auto& c : r.proposed_terms().calendars()) calendars.insert(c.name());
  const absl::Status valid = sla::core::ValidateTerms(
      r.proposed_terms(), [&](absl::string_view n) { return calendars.contains(n); },
      "proposed_terms");
  sla::fuzz::ExpectClientError(valid);
  if (!valid.ok()) return 0;
  const absl::Time begin = absl::FromCivil(absl::CivilDay(2026, 1, 1), absl::UTCTimeZone());
  sla::fuzz::ExpectClientError(sla::core::TermsContext::Build("proposed", r.proposed_terms(), begin,
                                                              begin + absl::Hours(24 * 400))
                                   .status());
  return 0;
}
