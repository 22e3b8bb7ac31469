// A month of SLA reporting through the real services (contract-svc, ticket-svc, billing-svc and
// reporting-svc in process, each on its own MariaDB database, over gRPC, on a simulated clock):
// tickets answered in time and late, a reopen, an RCA, an outage; then the scheduled report,
// its figures against values computed by hand below, the revision billing's late credits cause,
// exports, tenant isolation, MSP-wide figures and a what-if of proposed targets.
//
// The example contract (docs/examples/acme-managed-it-terms.json), December 2026, Bangkok:
// P1 first response 15 min and resolution 4 h on wall-clock time; P2 response 1 h, plan 2 h,
// resolution 4 h and P3 response 4 h, resolution 24 h of business time on "Bangkok office"
// (Mon–Fri 09:00–17:00, holiday 2026-12-07); e-mail availability 99.9 % with maintenance
// Sundays 02:00–04:00 Bangkok; RCA for P1 and P2.

#include <cstdlib>
#include <fstream>
#include <map>

#include "absl/strings/match.h"
#include "common/clients/event_feed.h"
#include "common/test_util/example_terms.h"
#include "tests/harness/reporting_api_fixture.h"

namespace sla::reporting {
namespace {

using ::testing::HasSubstr;
using ticket::Tenant;
using ticket::Utc;
namespace tpb = sla::ticket::v1;
namespace cpb = sla::contract::v1;

class ReportingFlowTest : public ReportingApiTest {};

TEST_F(ReportingFlowTest, AMonthBecomesAReportWithFiguresComputedByHand) {
  const Tenant acme = NewTenant("Acme");
  const Tenant globex = NewTenant("Globex");

  // A (P1), Wed 2026-12-02 10:00 UTC: answered after 10 min, resolved after 2 h, RCA, closed.
  // B (P1), same time: answered after 30 min (breach at 15 min), resolved after 3 h.
  clock_.Set(Utc(2026, 12, 2, 10));
  const tpb::Ticket a = Open(acme, sla::v1::PRIORITY_P1);
  const tpb::Ticket b = Open(acme, sla::v1::PRIORITY_P1);
  clock_.Set(Utc(2026, 12, 2, 10, 10));
  Comment(a);
  clock_.Set(Utc(2026, 12, 2, 10, 20));
  SyncAll();  // B's response breaches at 10:15
  clock_.Set(Utc(2026, 12, 2, 10, 30));
  Comment(b);
  clock_.Set(Utc(2026, 12, 2, 12));
  Resolve(a);
  clock_.Set(Utc(2026, 12, 2, 13));
  Resolve(b);
  tpb::RecordRootCauseRequest rca;
  rca.set_name(a.name());
  rca.set_root_cause("Expired certificate on the mail relay");
  rca.set_preventive_action("Certificate expiry monitoring");
  tpb::Ticket ignored;
  ASSERT_TRUE(stub_->RecordRootCause(As("msp_agent").get(), rca, &ignored).ok());
  ASSERT_TRUE(Move(a, tpb::Ticket::CLOSED).ok());

  // C (P2), Thu 2026-12-03 09:00 Bangkok (02:00 UTC): answered after 30 business minutes; no
  // plan (the 2 h plan clock breaches at 11:00 Bangkok); resolved at 12:00 Bangkok (3 h),
  // reopened at 13:00, resolved again at 13:30: 3 h 30 min of business time in all.
  // D (P3), same time: never answered (response breaches at 13:00 Bangkok).
  clock_.Set(Utc(2026, 12, 3, 2));
  const tpb::Ticket c = Open(acme, sla::v1::PRIORITY_P2);
  const tpb::Ticket d = Open(acme, sla::v1::PRIORITY_P3);
  Open(globex, sla::v1::PRIORITY_P3);
  clock_.Set(Utc(2026, 12, 3, 2, 30));
  Comment(c);
  clock_.Set(Utc(2026, 12, 3, 5));
  SyncAll();
  Resolve(c);
  clock_.Set(Utc(2026, 12, 3, 6));
  ASSERT_TRUE(Move(c, tpb::Ticket::IN_PROGRESS).ok());
  clock_.Set(Utc(2026, 12, 3, 6, 30));
  ASSERT_TRUE(Move(c, tpb::Ticket::RESOLVED).ok());

  // E-mail down 100 minutes on Wed 2026-12-09.
  clock_.Set(Utc(2026, 12, 20, 0));
  Outage(acme, Utc(2026, 12, 9, 3), Utc(2026, 12, 9, 4, 40));
  SyncAll();

  // The period ends (2027-01-01 00:00 Bangkok); the schedule issues the report.
  clock_.Set(Utc(2027, 1, 1, 1));
  SyncAll();  // D's resolution (24 business hours) breached on 2026-12-09
  auto issued = reporting_->manager().IssueDueReports(*directory_);
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_EQ(*issued, 2);  // Acme's and Globex's
  auto again = reporting_->manager().IssueDueReports(*directory_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);

  const std::string name = absl::StrCat(acme.contract, "/reports/2026-12");
  pb::Report r;
  ASSERT_TRUE(GetReport(name, &r).ok());
  EXPECT_EQ(r.revision(), 1);
  EXPECT_EQ(r.time_zone(), "Asia/Bangkok");
  EXPECT_EQ(r.period_start().seconds(), Utc(2026, 11, 30, 17));
  EXPECT_EQ(r.period_end().seconds(), Utc(2026, 12, 31, 17));

  const pb::PriorityCompliance& p1 = Of(r, sla::v1::PRIORITY_P1);
  EXPECT_EQ(p1.ticket_count(), 2);
  EXPECT_EQ(p1.response_met(), 1);
  EXPECT_EQ(p1.response_decided(), 2);
  EXPECT_EQ(p1.response_met_ppm(), 500'000);
  EXPECT_EQ(p1.time_to_respond().mean_business_seconds(), (600 + 1800) / 2);
  EXPECT_EQ(p1.time_to_respond().p90_business_seconds(), 1800);
  EXPECT_EQ(p1.time_to_respond().mean_wall_seconds(), 1200);
  EXPECT_EQ(p1.resolution_met_ppm(), 1'000'000);
  EXPECT_EQ(p1.time_to_resolve().mean_business_seconds(), (7200 + 10800) / 2);
  EXPECT_EQ(p1.time_to_resolve().p90_business_seconds(), 10800);
  EXPECT_EQ(p1.breach_count(), 1);
  EXPECT_EQ(p1.rca_required(), 1);
  EXPECT_EQ(p1.rca_completed(), 1);
  EXPECT_EQ(p1.response_target_text(), "First response within 15 minutes (around the clock)");

  const pb::PriorityCompliance& p2 = Of(r, sla::v1::PRIORITY_P2);
  EXPECT_EQ(p2.ticket_count(), 1);
  EXPECT_EQ(p2.response_met_ppm(), 1'000'000);
  EXPECT_EQ(p2.time_to_respond().mean_business_seconds(), 1800);
  EXPECT_EQ(p2.resolution_met(), 1);
  EXPECT_EQ(p2.time_to_resolve().mean_business_seconds(), 3 * 3600 + 1800);
  EXPECT_EQ(p2.breach_count(), 1);  // the resolution plan
  EXPECT_EQ(p2.reopened(), 1);
  EXPECT_EQ(p2.reopen_rate_ppm(), 1'000'000);
  EXPECT_THAT(p2.resolution_target_text(), HasSubstr("4 hours of business time"));

  const pb::PriorityCompliance& p3 = Of(r, sla::v1::PRIORITY_P3);
  EXPECT_EQ(p3.ticket_count(), 1);
  EXPECT_EQ(p3.response_decided(), 1);
  EXPECT_EQ(p3.response_met_ppm(), 0);
  EXPECT_EQ(p3.resolution_decided(), 1);
  EXPECT_EQ(p3.breach_count(), 2);

  EXPECT_EQ(r.total().ticket_count(), 4);
  EXPECT_EQ(r.total().response_met_ppm(), 500'000);    // 2 of 4
  EXPECT_EQ(r.total().resolution_met_ppm(), 750'000);  // 3 of 4
  EXPECT_EQ(r.breaches_size(), 4);
  EXPECT_EQ(r.breaches(0).ticket(), b.name());
  EXPECT_EQ(r.breaches(0).breach_time().seconds(), Utc(2026, 12, 2, 10, 15));

  // Escalations: what ticket-svc fired for these tickets, level by level.
  std::map<int, int64_t> fired;
  for (const tpb::Ticket* t : {&a, &b, &c, &d}) {
    tpb::ListEscalationsRequest req;
    req.set_parent(t->name());
    tpb::ListEscalationsResponse resp;
    ASSERT_TRUE(stub_->ListEscalations(As("msp_agent").get(), req, &resp).ok());
    for (const auto& e : resp.escalations()) fired[e.level()]++;
  }
  ASSERT_FALSE(fired.empty());
  std::map<int, int64_t> reported;
  for (const auto& e : r.escalations()) reported[e.level()] = e.count();
  EXPECT_EQ(reported, fired);

  // Availability: 44,640 min − 4 Sunday windows × 120 = 44,160 eligible; 100 down.
  ASSERT_EQ(r.availability_size(), 1);
  EXPECT_EQ(r.availability(0).eligible_minutes(), 44'160);
  EXPECT_EQ(r.availability(0).downtime_minutes(), 100);
  EXPECT_EQ(r.availability(0).actual_ppm(), 997'735);  // 44,060 / 44,160 = 99.77355 %
  EXPECT_FALSE(r.availability(0).met());
  EXPECT_TRUE(r.credits().empty());  // billing has not closed December yet
  ASSERT_EQ(r.trend_size(), 12);
  EXPECT_EQ(r.trend(11).period(), "2026-12");
  EXPECT_EQ(r.trend(11).ticket_count(), 4);
  // The totals kept event by event agree with the figures counted from the tickets.
  EXPECT_EQ(r.trend(11).response_met_ppm(), r.total().response_met_ppm());
  EXPECT_EQ(r.trend(11).resolution_met_ppm(), r.total().resolution_met_ppm());
  EXPECT_EQ(r.trend(11).breach_count(), 4);
  EXPECT_EQ(r.trend(0).ticket_count(), 0);
  EXPECT_EQ(r.trend(11).availability_ppm(), 997'735);
  EXPECT_FALSE(r.trend(11).availability_met());
  EXPECT_EQ(r.trend(10).availability_ppm(), 1'000'000);  // November: no outage

  // Billing closes December after its 72 h grace: the credits reach the report as revision 2.
  clock_.Set(Utc(2027, 1, 5, 0));
  billing::pb::ClosePeriodResponse closed;
  ASSERT_TRUE(Close(acme, 2026, 12, &closed).ok());
  ASSERT_TRUE(closed.has_credit_note());
  SyncAll();
  pb::Report r2;
  ASSERT_TRUE(GetReport(name, &r2).ok());
  EXPECT_EQ(r2.revision(), 2);
  EXPECT_THAT(r2.revision_note(), HasSubstr("late data"));
  ASSERT_EQ(r2.credits_size(), 1);
  EXPECT_EQ(r2.credits(0).credit_note(), closed.credit_note().name());
  EXPECT_EQ(r2.credits(0).amount_minor(), closed.credit_note().total().amount_minor());
  // 2 % of 12,345,600 for B's missed response + 10 % of e-mail's 3,345,600 fee.
  EXPECT_EQ(r2.credits(0).amount_minor(), 246'912 + 334'560);
  EXPECT_EQ(r2.credits(0).cap_cut_minor(), 0);
  EXPECT_EQ(r2.trend(11).credits_minor(), 246'912 + 334'560);
  pb::Report r1;
  ASSERT_TRUE(GetReport(name, &r1, "msp_agent", "", 1).ok());
  EXPECT_TRUE(r1.credits().empty());  // revision 1 is immutable
  pb::ListReportsRequest list;
  list.set_parent(acme.contract);
  pb::ListReportsResponse listed;
  ASSERT_TRUE(stub_r_->ListReports(As("customer_user", acme.id).get(), list, &listed).ok());
  ASSERT_EQ(listed.reports_size(), 2);
  EXPECT_EQ(listed.reports(0).revision(), 2);
  // Re-issuing with nothing new is a no-op.
  pb::IssueReportRequest issue;
  issue.set_name(name);
  pb::Report same;
  ASSERT_TRUE(stub_r_->IssueReport(As("msp_admin").get(), issue, &same).ok());
  EXPECT_EQ(same.revision(), 2);

  // Each revision was announced.
  ASSERT_TRUE(reporting_->sequencer().RunOnce().ok());
  pb::ListEventsRequest er;
  pb::ListEventsResponse events;
  ASSERT_TRUE(stub_r_->ListEvents(As("msp_agent").get(), er, &events).ok());
  int announced = 0;
  for (const auto& e : events.events())
    announced += e.type() == "report.issued" && e.subject() == name;
  EXPECT_EQ(announced, 2);

  // Exports.
  pb::ExportReportRequest ex;
  ex.set_name(name);
  ex.set_format(pb::REPORT_FORMAT_HTML);
  pb::ExportReportResponse html;
  ASSERT_TRUE(stub_r_->ExportReport(As("customer_user", acme.id).get(), ex, &html).ok());
  EXPECT_EQ(html.content_type(), "text/html; charset=utf-8");
  EXPECT_THAT(html.content(), HasSubstr("First response within 15 minutes (around the clock)"));
  EXPECT_THAT(html.content(), HasSubstr("99.7735 %"));
  if (const char* out = std::getenv("SLA_REPORT_HTML_OUT")) std::ofstream(out) << html.content();
  ex.set_format(pb::REPORT_FORMAT_CSV);
  pb::ExportReportResponse csv;
  ASSERT_TRUE(stub_r_->ExportReport(As("msp_agent").get(), ex, &csv).ok());
  EXPECT_THAT(csv.content(), HasSubstr("compliance,P1,response_met_ppm,500000\n"));
  ex.set_format(pb::REPORT_FORMAT_UNSPECIFIED);
  EXPECT_EQ(stub_r_->ExportReport(As("msp_agent").get(), ex, &csv).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Tenants see their own reports only; another tenant's answers NOT_FOUND.
  pb::Report seen;
  EXPECT_TRUE(GetReport(name, &seen, "customer_user", acme.id).ok());
  EXPECT_EQ(GetReport(name, &seen, "customer_admin", globex.id).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      GetReport(absl::StrCat(acme.customer, "/reports/2026-12"), &seen, "customer_user", globex.id)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetReport("customers/-/reports/2026-12", &seen, "customer_admin", acme.id).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_r_->IssueReport(As("customer_admin", acme.id).get(), issue, &same).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetReport("customers/acme/reports/2026-13", &seen).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // The customer's and the MSP-wide month.
  pb::Report customer;
  ASSERT_TRUE(GetReport(absl::StrCat(acme.customer, "/reports/2026-12"), &customer, "customer_user",
                        acme.id)
                  .ok());
  EXPECT_EQ(customer.total().ticket_count(), 4);
  EXPECT_EQ(customer.revision(), 0);
  pb::Report msp;
  ASSERT_TRUE(GetReport("customers/-/reports/2026-12", &msp).ok());
  EXPECT_EQ(msp.total().ticket_count(), 5);
  EXPECT_EQ(msp.contract_count(), 2);

  // Replaying both streams from the start changes nothing: every write is idempotent.
  ASSERT_TRUE(mysql::WithConnection(*pool_, [](mysql::Connection& conn) -> absl::Status {
                auto st = conn.Prepare("UPDATE consumer_cursor SET last_seq = 0");
                if (!st.ok()) return st.status();
                return mysql::Guard([&] { (*st)->executeUpdate(); });
              }).ok());
  SyncAll();
  pb::Report replayed;
  ASSERT_TRUE(GetReport("customers/-/reports/2026-12", &replayed).ok());
  replayed.clear_issue_time();
  msp.clear_issue_time();
  EXPECT_EQ(replayed.SerializeAsString(), msp.SerializeAsString());
  pb::Report r3;
  ASSERT_TRUE(GetReport(name, &r3).ok());
  EXPECT_EQ(r3.revision(), 2);

  // A period that has not ended cannot be issued.
  issue.set_name(absl::StrCat(acme.contract, "/reports/2027-01"));
  EXPECT_EQ(stub_r_->IssueReport(As("msp_admin").get(), issue, &same).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ReportingFlowTest, WhatIfReplaysThePastUnderProposedTargets) {
  const Tenant acme = NewTenant("Acme");
  // Two P1 tickets answered after 10 and 30 minutes.
  clock_.Set(Utc(2026, 12, 2, 10));
  const tpb::Ticket a = Open(acme, sla::v1::PRIORITY_P1);
  const tpb::Ticket b = Open(acme, sla::v1::PRIORITY_P1);
  clock_.Set(Utc(2026, 12, 2, 10, 10));
  Comment(a);
  clock_.Set(Utc(2026, 12, 2, 10, 30));
  Comment(b);
  clock_.Set(Utc(2027, 1, 2, 0));
  SyncAll();

  cpb::ResolveTermsRequest rt;
  rt.set_contract(acme.contract);
  rt.mutable_at()->set_seconds(Utc(2026, 12, 15, 0));
  cpb::ResolveTermsResponse terms;
  ASSERT_TRUE(harness_->contract_stub()
                  .ResolveTerms(ticket::SuiteHarness::AsService("reporting-svc", absl::Now()).get(),
                                rt, &terms)
                  .ok());
  auto simulate = [&](int64_t p1_response, pb::SimulateTermsResponse* out,
                      const std::string& role = "msp_admin", const std::string& tenant = "") {
    pb::SimulateTermsRequest req;
    req.set_subject(acme.contract);
    *req.mutable_proposed_terms() = terms.version().terms();
    for (auto& p : *req.mutable_proposed_terms()->mutable_priority_targets()) {
      if (p.priority() == sla::v1::PRIORITY_P1)
        p.mutable_first_response()->set_target_seconds(p1_response);
    }
    req.set_lookback_periods(1);
    return stub_r_->SimulateTerms(As(role, tenant).get(), req, out);
  };
  pb::SimulateTermsResponse loose, tight;
  ASSERT_TRUE(simulate(1800, &loose).ok());
  ASSERT_TRUE(simulate(300, &tight).ok());
  ASSERT_EQ(loose.periods_size(), 1);
  EXPECT_EQ(loose.periods(0).period(), "2026-12");
  ASSERT_EQ(loose.predicted_size(), 1);
  EXPECT_EQ(loose.predicted(0).response_met_ppm(), 1'000'000);  // 10 and 30 min ≤ 30 min
  EXPECT_EQ(tight.predicted(0).response_met_ppm(), 0);          // both over 5 min
  // Both responses, and both resolutions: never resolved, 4 h of wall-clock time ran out.
  EXPECT_EQ(tight.periods(0).predicted_breaches(), 4);
  EXPECT_EQ(loose.periods(0).predicted_breaches(), 2);
  EXPECT_EQ(tight.periods_with_breaches(), 1);
  // 2 % of the fee per missed P1 response, capped at 10 %: 2 × 246,912.
  EXPECT_EQ(tight.credit_exposure_minor(), 2 * 246'912);
  EXPECT_EQ(loose.credit_exposure_minor(), 0);

  pb::SimulateTermsResponse denied;
  EXPECT_EQ(simulate(300, &denied, "customer_admin", acme.id).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(simulate(-5, &denied).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReportingFlowTest, LintWarnsOfATargetTheContractsHistoryWouldHaveMissed) {
  const Tenant acme = NewTenant("Acme");
  // December: two P1 tickets answered after 10 and 30 minutes (the target is 15 min), one P3
  // answered after 5 minutes; none resolved, so every resolution target (P1 4 h wall-clock,
  // P3 one business day) runs out within the month.
  clock_.Set(Utc(2026, 12, 2, 3));
  const tpb::Ticket a = Open(acme, sla::v1::PRIORITY_P1);
  const tpb::Ticket b = Open(acme, sla::v1::PRIORITY_P1);
  const tpb::Ticket c = Open(acme, sla::v1::PRIORITY_P3);
  clock_.Set(Utc(2026, 12, 2, 3, 5));
  Comment(c);
  clock_.Set(Utc(2026, 12, 2, 3, 10));
  Comment(a);
  clock_.Set(Utc(2026, 12, 2, 3, 30));
  Comment(b);
  clock_.Set(Utc(2027, 1, 2, 0));
  SyncAll();

  auto lint = [&](int periods, cpb::LintContractResponse* out,
                  const std::string& role = "msp_agent", const std::string& tenant = "") {
    cpb::LintContractRequest req;
    req.set_name(acme.contract);
    req.set_history_lookback_periods(periods);
    // contract-svc checks tokens against real time.
    return harness_->contract_stub().LintContract(
        ticket::SuiteHarness::As(role, tenant, absl::Now()).get(), req, out);
  };
  cpb::LintContractResponse out;
  // Not configured yet: the history check says so instead of answering without it.
  EXPECT_EQ(lint(1, &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  harness_->ConnectTermsHistory(reporting_port_, [this] { return clock_.Now(); });

  out.Clear();
  const grpc::Status s = lint(1, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::map<std::string, const cpb::LintFinding*> history;
  for (const auto& f : out.findings()) {
    if (absl::EndsWith(f.rule(), "-in-history")) history[f.field_path()] = &f;
  }
  ASSERT_EQ(history.size(), 4u) << out.DebugString();
  const cpb::LintFinding* p1_response = history["terms.priority_targets[0].first_response"];
  ASSERT_NE(p1_response, nullptr);
  EXPECT_EQ(p1_response->severity(), cpb::LintFinding::WARNING);
  EXPECT_EQ(
      p1_response->message(),
      "P1 first response within 15 min would have been missed in the last month (1 of 2 met)");
  const cpb::LintFinding* p1_resolution = history["terms.priority_targets[0].resolution"];
  ASSERT_NE(p1_resolution, nullptr);
  EXPECT_EQ(p1_resolution->message(),
            "P1 resolution within 4 h would have been missed in the last month (0 of 2 met)");
  const cpb::LintFinding* p3_response = history["terms.priority_targets[2].first_response"];
  ASSERT_NE(p3_response, nullptr);
  EXPECT_EQ(p3_response->severity(), cpb::LintFinding::INFO);
  EXPECT_EQ(p3_response->rule(), "met-in-history");
  EXPECT_EQ(p3_response->message(),
            "P3 first response within 4 h would have been met in the last month (1 of 1 met)");
  const cpb::LintFinding* p3_resolution = history["terms.priority_targets[2].resolution"];
  ASSERT_NE(p3_resolution, nullptr);
  EXPECT_EQ(p3_resolution->message(),
            "P3 resolution within 1 d would have been missed in the last month (0 of 1 met)");

  // Customers do not get the MSP's record; the lookback is bounded.
  EXPECT_EQ(lint(1, &out, "customer_admin", acme.id).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(lint(37, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // The documented example terms, as a person writes them (no calendar snapshot): a draft
  // lints with its history check, and a what-if of the same terms runs.
  const sla::v1::SlaTerms example = test::ExampleTerms();
  ASSERT_TRUE(example.calendars().empty());
  cpb::CreateContractRequest create;
  create.set_parent(acme.customer);
  create.mutable_contract()->set_display_name("Renewal draft");
  *create.mutable_contract()->mutable_terms() = example;
  cpb::Contract draft;
  ASSERT_TRUE(harness_->contract_stub()
                  .CreateContract(ticket::SuiteHarness::As("msp_admin", "", absl::Now()).get(),
                                  create, &draft)
                  .ok());
  cpb::LintContractRequest draft_lint;
  draft_lint.set_name(draft.name());
  draft_lint.set_history_lookback_periods(1);
  cpb::LintContractResponse draft_out;
  const grpc::Status ds = harness_->contract_stub().LintContract(
      ticket::SuiteHarness::As("msp_agent", "", absl::Now()).get(), draft_lint, &draft_out);
  EXPECT_TRUE(ds.ok()) << ds.error_message();
  pb::SimulateTermsRequest sim;
  sim.set_subject(acme.contract);
  *sim.mutable_proposed_terms() = example;
  sim.set_lookback_periods(1);
  pb::SimulateTermsResponse sim_out;
  const grpc::Status ss = stub_r_->SimulateTerms(As("msp_agent").get(), sim, &sim_out);
  EXPECT_TRUE(ss.ok()) << ss.error_message();
}

// contract-svc → reporting-svc (lint's history check) and reporting-svc → contract-svc (terms)
// form a cycle by design; it never turns into a call back, and each side fails alone.
TEST_F(ReportingFlowTest, TheLintHistoryCycleNeverCallsBackAndEachSideFailsClearly) {
  const Tenant acme = NewTenant("Acme");
  clock_.Set(Utc(2027, 1, 2, 0));
  SyncAll();
  cpb::GetContractRequest get;
  get.set_name(acme.contract);
  cpb::Contract active;
  ASSERT_TRUE(
      harness_->contract_stub()
          .GetContract(ticket::SuiteHarness::As("msp_admin", "", absl::Now()).get(), get, &active)
          .ok());
  ASSERT_FALSE(active.terms().calendars().empty());  // the snapshot lint sends along
  harness_->ConnectTermsHistory(reporting_port_, [this] { return clock_.Now(); });

  auto simulate = [&](const sla::v1::SlaTerms& terms) {
    pb::SimulateTermsRequest sim;
    sim.set_subject(acme.contract);
    *sim.mutable_proposed_terms() = terms;
    sim.set_lookback_periods(1);
    pb::SimulateTermsResponse out;
    return stub_r_->SimulateTerms(As("msp_agent").get(), sim, &out);
  };
  harness_->StopContract();
  // With the calendars carried, as lint sends them, the what-if needs nothing from contract-svc.
  const grpc::Status carried = simulate(active.terms());
  EXPECT_TRUE(carried.ok()) << carried.error_message();
  // Without them it must ask, and says contract-svc is away (retryable), not a wrong answer.
  sla::v1::SlaTerms bare = active.terms();
  bare.clear_calendars();
  EXPECT_EQ(simulate(bare).error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(harness_->ResumeContract().ok());

  // reporting-svc away: the history check fails with UNAVAILABLE, lint without it still answers.
  server_->Shutdown(std::chrono::system_clock::now());
  auto lint = [&](int periods) {
    cpb::LintContractRequest req;
    req.set_name(acme.contract);
    req.set_history_lookback_periods(periods);
    cpb::LintContractResponse out;
    // contract-svc is back on its address; wait for the channel to reconnect rather than fail
    // fast, so that an UNAVAILABLE below can only be reporting-svc's.
    auto ctx = ticket::SuiteHarness::As("msp_agent", "", absl::Now());
    ctx->set_wait_for_ready(true);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return harness_->contract_stub().LintContract(ctx.get(), req, &out);
  };
  EXPECT_EQ(lint(1).error_code(), grpc::StatusCode::UNAVAILABLE);
  const grpc::Status plain = lint(0);
  EXPECT_TRUE(plain.ok()) << plain.error_message();
}

}  // namespace
}  // namespace sla::reporting
