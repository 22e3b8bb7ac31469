// Terms used by ticket-svc's tests: DOMAIN.md's "Bangkok office" calendar (Asia/Bangkok,
// Mon–Fri 09:00–17:00, holiday 2026-12-07), a 24/7 calendar, P1 on wall-clock time, P2/P3 on
// business hours, escalation at 50 % (warning), 75 % (warning) and 100 %.
#pragma once

#include <memory>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/core/terms_context.h"
#include "sla/v1/terms.pb.h"

namespace sla::core::testing {

inline sla::v1::SlaTerms BangkokTerms() {
  sla::v1::SlaTerms terms;
  auto* svc = terms.add_services();
  svc->set_service_id("service-desk");
  terms.add_services()->set_service_id("email-hosting");
  auto* office = terms.add_calendars();
  office->set_name("calendars/bangkok-office");
  office->set_time_zone("Asia/Bangkok");
  for (int d = sla::v1::MONDAY; d <= sla::v1::FRIDAY; ++d) {
    auto* w = office->add_weekly_intervals();
    w->set_day(static_cast<sla::v1::DayOfWeek>(d));
    w->set_start_minute(9 * 60);
    w->set_end_minute(17 * 60);
  }
  auto* h = office->add_holidays();
  h->mutable_date()->set_year(2026);
  h->mutable_date()->set_month(12);
  h->mutable_date()->set_day(7);
  auto* always = terms.add_calendars();
  always->set_name("calendars/always-on");
  always->set_time_zone("UTC");
  always->set_always_open(true);

  auto* p1 = terms.add_priority_targets();
  p1->set_priority(sla::v1::PRIORITY_P1);
  for (auto* t : {p1->mutable_first_response(), p1->mutable_resolution()}) {
    t->set_basis(sla::v1::TIME_BASIS_WALL_CLOCK);
    t->set_calendar("calendars/always-on");
  }
  p1->mutable_first_response()->set_target_seconds(15 * 60);
  p1->mutable_resolution()->set_target_seconds(4 * 3600);
  p1->mutable_update_interval()->set_target_seconds(3600);
  p1->mutable_update_interval()->set_basis(sla::v1::TIME_BASIS_WALL_CLOCK);
  p1->mutable_update_interval()->set_calendar("calendars/always-on");

  auto* p2 = terms.add_priority_targets();
  p2->set_priority(sla::v1::PRIORITY_P2);
  for (auto* t :
       {p2->mutable_first_response(), p2->mutable_resolution_plan(), p2->mutable_resolution()}) {
    t->set_basis(sla::v1::TIME_BASIS_BUSINESS);
    t->set_calendar("calendars/bangkok-office");
  }
  p2->mutable_first_response()->set_target_seconds(3600);
  p2->mutable_resolution_plan()->set_target_seconds(2 * 3600);
  p2->mutable_resolution()->set_target_seconds(4 * 3600);

  auto* p3 = terms.add_priority_targets();
  p3->set_priority(sla::v1::PRIORITY_P3);
  for (auto* t : {p3->mutable_first_response(), p3->mutable_resolution()}) {
    t->set_basis(sla::v1::TIME_BASIS_BUSINESS);
    t->set_calendar("calendars/bangkok-office");
  }
  p3->mutable_first_response()->set_target_seconds(4 * 3600);
  p3->mutable_resolution()->set_target_seconds(24 * 3600);

  auto* esc = terms.mutable_escalation();
  int level = 1;
  for (int64_t ppm : {500'000, 750'000, 1'000'000}) {
    auto* l = esc->add_levels();
    l->set_level(level++);
    l->set_threshold_ppm(ppm);
    l->set_warning(ppm < 1'000'000);
    auto* who = l->add_notify();
    who->set_name(ppm < 1'000'000 ? "Desk lead" : "Service manager");
    who->set_channel(sla::v1::CHANNEL_EMAIL);
    who->set_address("lead@example.com");
  }
  auto* ex = terms.add_exclusions();
  ex->set_exclusion_id("force-majeure");
  ex->set_kind(sla::v1::EXCLUSION_FORCE_MAJEURE);
  ex->set_pauses_clocks(true);
  auto* ex2 = terms.add_exclusions();
  ex2->set_exclusion_id("customer-change");
  ex2->set_kind(sla::v1::EXCLUSION_CUSTOMER_REQUESTED_CHANGE);
  terms.set_reopen_window_days(7);
  return terms;
}

inline std::shared_ptr<const TermsContext> BangkokContext(
    sla::v1::SlaTerms terms = BangkokTerms()) {
  auto ctx = TermsContext::Build("customers/c1/contracts/k1/versions/1", std::move(terms),
                                 absl::FromCivil(absl::CivilDay(2026, 1, 1), absl::UTCTimeZone()),
                                 absl::FromCivil(absl::CivilDay(2028, 1, 1), absl::UTCTimeZone()));
  return ctx.ok() ? *ctx : nullptr;
}

// Unix seconds of a UTC civil time.
inline int64_t Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone()));
}

}  // namespace sla::core::testing
