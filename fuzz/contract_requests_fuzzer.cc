// contract-svc's create and update messages from the wire, through the checks contract-svc
// applies before it stores anything: customers, calendars, and contract terms (validation with
// field paths, lint, and the agreement document in both formats). The first byte picks the
// message; the rest is its serialized form.
#include "common/calendar/calendar_proto.h"
#include "common/core/terms_validation.h"
#include "contract-svc/domain/agreement.h"
#include "contract-svc/domain/customer.h"
#include "contract-svc/domain/lint.h"
#include "fuzz/fuzz_util.h"
#include "sla/contract/v1/contract_service.pb.h"

namespace {

namespace pb = sla::contract::v1;

void Customer(const pb::Customer& p) {
  sla::contract::Customer c;
  c.display_name = p.display_name();
  c.time_zone = p.time_zone();
  c.state = static_cast<sla::contract::Customer::State>(static_cast<int>(p.state()));
  sla::fuzz::ExpectClientError(sla::contract::ValidateCustomer(c));
}

void Terms(const sla::v1::SlaTerms& terms) {
  // Every calendar the terms carry counts as existing, as after contract-svc's lookup.
  sla::contract::CalendarsByName calendars;
  for (const auto& c : terms.calendars()) calendars[c.name()] = c;
  const absl::Status valid = sla::core::ValidateTerms(
      terms, [&](absl::string_view name) { return calendars.contains(name); });
  sla::fuzz::ExpectClientError(valid);
  if (!valid.ok()) return;
  (void)sla::contract::LintTerms(terms, calendars, absl::CivilDay(2026, 12, 1));
  const sla::contract::AgreementDocument doc = sla::contract::BuildAgreement(
      {"Fuzzed contract", "customers/c/contracts/k", "Fuzz & Co <x>"}, terms);
  (void)sla::contract::RenderMarkdown(doc);
  (void)sla::contract::RenderHtml(doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t kind = data[0] % 5;
  ++data;
  --size;
  switch (kind) {
    case 0: {
      pb::CreateCustomerRequest r;
      if (sla::fuzz::Parse(data, size, &r)) Customer(r.customer());
      break;
    }
    case 1: {
      pb::UpdateCustomerRequest r;
      if (sla::fuzz::Parse(data, size, &r)) Customer(r.customer());
      break;
    }
    case 2: {
      pb::CreateCalendarRequest r;
      if (sla::fuzz::Parse(data, size, &r)) {
        sla::fuzz::ExpectClientError(
            sla::calendar::SpecFromProto(r.calendar(), "calendar").status());
      }
      break;
    }
    case 3: {
      pb::CreateContractRequest r;
      if (sla::fuzz::Parse(data, size, &r)) Terms(r.contract().terms());
      break;
    }
    case 4: {
      pb::AmendContractRequest r;
      if (sla::fuzz::Parse(data, size, &r)) Terms(r.terms());
      break;
    }
  }
  return 0;
}
