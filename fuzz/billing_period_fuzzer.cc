// billing-svc's period computation on fuzzed but valid terms (credit schedule, pricing,
// availability targets and maintenance windows) and fuzzed facts (breaches, outages over the
// period's edges): availability in whole minutes, band decisions, caps and rounding must
// answer OK or a client error for anything, never overflow into a crash, and the credit lines
// must sum to the total.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "common/core/period.h"
#include "common/core/terms_validation.h"
#include "fuzz/fuzz_util.h"
#include "sla/billing/v1/billing_service.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  sla::billing::v1::ClosePeriodRequest close;
  if (!close.ParseFromString(in.ConsumeRandomLengthString(256))) return 0;
  sla::v1::SlaTerms terms;
  if (!terms.ParseFromString(in.ConsumeRandomLengthString(8192))) return 0;
  absl::flat_hash_set<std::string> calendars;
  for (const auto& c : terms.calendars()) calendars.insert(c.name());
  // billing-svc bills only terms that contract-svc accepted.
  if (!sla::core::ValidateTerms(terms, [&](absl::string_view n) {
         return calendars.contains(n);
       }).ok())
    return 0;
  const sla::core::Period period{std::clamp(close.period().year(), 1971, 2200),
                                 std::clamp(close.period().month(), 1, 12)};
  absl::StatusOr<sla::core::PeriodBounds> b =
      sla::core::Bounds(period, terms.pricing().billing_time_zone());
  sla::fuzz::ExpectClientError(b.status());
  if (!b.ok()) return 0;
  const int64_t span = b->end - b->start;
  sla::core::PeriodFacts facts;
  while (in.remaining_bytes() > 0 && facts.outages.size() + facts.breaches.size() < 200) {
    if (in.ConsumeBool()) {
      sla::core::OutageFact o;
      o.outage = "o";
      o.service_id =
          terms.services_size()
              ? terms.services(in.ConsumeIntegralInRange<int>(0, terms.services_size() - 1))
                    .service_id()
              : "";
      o.start = b->start + in.ConsumeIntegralInRange<int64_t>(-span, span);
      o.end = in.ConsumeBool() ? 0 : o.start + in.ConsumeIntegralInRange<int64_t>(1, span);
      o.planned = in.ConsumeBool();
      if (in.ConsumeBool() && terms.exclusions_size())
        o.exclusion_id = terms.exclusions(0).exclusion_id();
      facts.outages.push_back(o);
    } else {
      sla::core::BreachFact f;
      f.ticket = "customers/c/tickets/t";
      f.clock = static_cast<sla::v1::ClockKind>(in.ConsumeIntegralInRange<int>(1, 4));
      f.priority = static_cast<sla::v1::Priority>(in.ConsumeIntegralInRange<int>(1, 5));
      f.time = b->start + in.ConsumeIntegralInRange<int64_t>(0, span - 1);
      facts.breaches.push_back(f);
    }
  }
  const int64_t active_from =
      in.ConsumeBool() ? 0 : b->start + in.ConsumeIntegralInRange<int64_t>(0, span);
  absl::StatusOr<sla::core::PeriodComputation> pc = sla::core::ComputePeriod(
      terms, "customers/c/contracts/k/versions/1", period, active_from, 0, facts, b->end + 3600);
  sla::fuzz::ExpectClientError(pc.status());
  if (!pc.ok()) return 0;
  int64_t sum = 0;
  for (const auto& line : pc->credits.lines) sum += line.amount_minor;
  if (sum != pc->credits.total_minor) __builtin_trap();
  return 0;
}
