// A realistic contract (docs/examples/acme-managed-it-terms.json) through the gRPC API:
// draft → lint → activate → amend → resolve the terms in force at instants → terminate.
#include <cstdlib>
#include <fstream>

#include "common/test_util/example_terms.h"
#include "contract-svc/api/contract_api_fixture.h"
#include "google/protobuf/util/time_util.h"

namespace sla::contract {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp At(const char* rfc3339) {
  google::protobuf::Timestamp t;
  EXPECT_TRUE(TimeUtil::FromString(rfc3339, &t)) << rfc3339;
  return t;
}

class ContractLifecycleTest : public ContractApiTest {
 protected:
  void SetUp() override {
    ContractApiTest::SetUp();
    if (HasFatalFailure()) return;
    for (const char* id : {"bangkok-office", "always-on"}) {
      pb::CreateCalendarRequest req;
      req.set_calendar_id(id);
      req.mutable_calendar()->set_display_name(id);
      req.mutable_calendar()->set_time_zone("Asia/Bangkok");
      if (std::string(id) == "always-on") {
        req.mutable_calendar()->set_always_open(true);
      } else {
        for (auto day : {sla::v1::MONDAY, sla::v1::TUESDAY, sla::v1::WEDNESDAY, sla::v1::THURSDAY,
                         sla::v1::FRIDAY}) {
          auto* w = req.mutable_calendar()->add_weekly_intervals();
          w->set_day(day);
          w->set_start_minute(540);
          w->set_end_minute(1020);
        }
      }
      sla::v1::BusinessCalendar out;
      ASSERT_TRUE(stub_->CreateCalendar(As("msp_admin").get(), req, &out).ok());
    }
    pb::CreateCustomerRequest creq;
    creq.mutable_customer()->set_display_name("Acme Co., Ltd.");
    ASSERT_TRUE(stub_->CreateCustomer(As("msp_admin").get(), creq, &customer_).ok());
    customer_id_ = customer_.name().substr(strlen("customers/"));
  }

  static sla::v1::SlaTerms ExampleTerms() { return test::ExampleTerms(); }

  grpc::Status CreateDraft(const sla::v1::SlaTerms& terms, pb::Contract* out) {
    pb::CreateContractRequest req;
    req.set_parent(customer_.name());
    req.mutable_contract()->set_display_name("Managed IT services 2027");
    *req.mutable_contract()->mutable_terms() = terms;
    return stub_->CreateContract(As("msp_admin").get(), req, out);
  }

  grpc::Status Activate(const pb::Contract& c, const char* from, pb::Contract* out) {
    pb::ActivateContractRequest req;
    req.set_name(c.name());
    req.set_etag(c.etag());
    *req.mutable_effective_from() = At(from);
    return stub_->ActivateContract(As("msp_admin").get(), req, out);
  }

  grpc::Status Resolve(const std::string& name, const char* at, pb::ResolveTermsResponse* out,
                       const std::string& role = "service", const std::string& tenant = "") {
    pb::ResolveTermsRequest req;
    req.set_contract(name);
    *req.mutable_at() = At(at);
    return stub_->ResolveTerms(As(role, tenant).get(), req, out);
  }

  pb::Customer customer_;
  std::string customer_id_;
};

TEST_F(ContractLifecycleTest, DraftLintActivateAmendResolve) {
  pb::Contract draft;
  ASSERT_TRUE(CreateDraft(ExampleTerms(), &draft).ok());
  EXPECT_EQ(draft.state(), pb::Contract::DRAFT);
  EXPECT_EQ(draft.version(), 0);

  pb::LintContractRequest lint;
  lint.set_name(draft.name());
  pb::LintContractResponse findings;
  ASSERT_TRUE(stub_->LintContract(As("msp_agent").get(), lint, &findings).ok());
  EXPECT_EQ(findings.findings_size(), 0) << findings.DebugString();

  pb::Contract active;
  ASSERT_TRUE(Activate(draft, "2026-12-01T00:00:00+07:00", &active).ok());
  EXPECT_EQ(active.state(), pb::Contract::ACTIVE);
  EXPECT_EQ(active.version(), 1);
  // The version carries a snapshot of the calendars it names.
  EXPECT_EQ(active.terms().calendars_size(), 2);

  // A draft can no longer be edited once active.
  pb::UpdateContractRequest edit;
  *edit.mutable_contract() = active;
  edit.mutable_update_mask()->add_paths("display_name");
  pb::Contract out;
  EXPECT_EQ(stub_->UpdateContract(As("msp_admin").get(), edit, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Amend: P2 resolution becomes 8 business hours from 2027-01-01.
  sla::v1::SlaTerms amended = ExampleTerms();
  amended.mutable_priority_targets(1)->mutable_resolution()->set_target_seconds(8 * 3600);
  pb::AmendContractRequest amend;
  amend.set_name(active.name());
  amend.set_etag(active.etag());
  *amend.mutable_terms() = amended;
  *amend.mutable_effective_from() = At("2027-01-01T00:00:00+07:00");
  pb::Contract v2;
  ASSERT_TRUE(stub_->AmendContract(As("msp_admin").get(), amend, &v2).ok());
  EXPECT_EQ(v2.version(), 2);
  // The same amendment again carries a stale etag.
  EXPECT_EQ(stub_->AmendContract(As("msp_admin").get(), amend, &out).error_code(),
            grpc::StatusCode::ABORTED);
  // A version must start after the previous one.
  amend.set_etag(v2.etag());
  *amend.mutable_effective_from() = At("2026-12-15T00:00:00Z");
  const grpc::Status early = stub_->AmendContract(As("msp_admin").get(), amend, &out);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(early.error_message(), "field `effective_from`"))
      << early.error_message();

  // Terms in force at instants: before, during version 1, during version 2.
  pb::ResolveTermsResponse r;
  EXPECT_EQ(Resolve(v2.name(), "2026-11-30T16:59:59Z", &r).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Resolve(v2.name(), "2026-11-30T17:00:00Z", &r).ok());  // = 2026-12-01 00:00 +07
  EXPECT_EQ(r.version().name(), v2.name() + "/versions/1");
  EXPECT_EQ(r.version().terms().priority_targets(1).resolution().target_seconds(), 4 * 3600);
  EXPECT_EQ(TimeUtil::ToString(r.version().effective_until()), "2026-12-31T17:00:00Z");
  ASSERT_TRUE(Resolve(v2.name(), "2027-03-01T00:00:00Z", &r).ok());
  EXPECT_EQ(r.version().name(), v2.name() + "/versions/2");
  EXPECT_EQ(r.version().terms().priority_targets(1).resolution().target_seconds(), 8 * 3600);
  EXPECT_FALSE(r.version().has_effective_until());

  // Render the version in force: the amended P2 resolution target, with its unit.
  pb::RenderAgreementRequest render;
  render.set_name(r.version().name());
  render.set_format(pb::RenderAgreementRequest::MARKDOWN);
  pb::RenderAgreementResponse doc;
  ASSERT_TRUE(stub_->RenderAgreement(As("msp_agent").get(), render, &doc).ok());
  EXPECT_TRUE(
      absl::StrContains(doc.content(), "Version 2, in force from 2027-01-01 00:00 Asia/Bangkok."));
  EXPECT_TRUE(absl::StrContains(doc.content(), "| 8 hours of business time (bangkok-office) |"))
      << doc.content();
}

TEST_F(ContractLifecycleTest, CreateIsIdempotentAndListFiltersByState) {
  pb::CreateContractRequest req;
  req.set_parent(customer_.name());
  req.set_request_id("create-contract-7");
  req.mutable_contract()->set_display_name("Managed IT services 2027");
  *req.mutable_contract()->mutable_terms() = ExampleTerms();
  pb::Contract first, again, active;
  ASSERT_TRUE(stub_->CreateContract(As("msp_admin").get(), req, &first).ok());
  ASSERT_TRUE(stub_->CreateContract(As("msp_admin").get(), req, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  pb::Contract second;
  ASSERT_TRUE(CreateDraft(ExampleTerms(), &second).ok());
  ASSERT_TRUE(Activate(second, "2026-12-01T00:00:00Z", &active).ok());

  pb::ListContractsRequest list;
  list.set_parent(customer_.name());
  pb::ListContractsResponse resp;
  ASSERT_TRUE(stub_->ListContracts(As("msp_agent").get(), list, &resp).ok());
  EXPECT_EQ(resp.contracts_size(), 2);
  list.set_filter("state = ACTIVE");
  ASSERT_TRUE(stub_->ListContracts(As("msp_agent").get(), list, &resp).ok());
  ASSERT_EQ(resp.contracts_size(), 1);
  EXPECT_EQ(resp.contracts(0).name(), active.name());
  list.set_filter("state = PAUSED");
  EXPECT_EQ(stub_->ListContracts(As("msp_agent").get(), list, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ContractLifecycleTest, CalendarsInUseCannotChangeInPlace) {
  pb::GetCalendarRequest get;
  get.set_name("calendars/bangkok-office");
  sla::v1::BusinessCalendar cal;
  ASSERT_TRUE(stub_->GetCalendar(As("msp_admin").get(), get, &cal).ok());
  pb::UpdateCalendarRequest update;
  *update.mutable_calendar() = cal;
  update.mutable_calendar()->set_display_name("Bangkok office (renamed)");
  update.mutable_update_mask()->add_paths("display_name");
  // A draft does not pin its calendars.
  pb::Contract draft, active;
  ASSERT_TRUE(CreateDraft(ExampleTerms(), &draft).ok());
  ASSERT_TRUE(stub_->UpdateCalendar(As("msp_admin").get(), update, &cal).ok());
  // An activated version does.
  ASSERT_TRUE(Activate(draft, "2026-12-01T00:00:00Z", &active).ok());
  *update.mutable_calendar() = cal;
  update.mutable_calendar()->set_display_name("Bangkok office (again)");
  const grpc::Status s = stub_->UpdateCalendar(As("msp_admin").get(), update, &cal);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "create a new calendar")) << s.error_message();
  // The version keeps its snapshot regardless.
  pb::ResolveTermsResponse r;
  ASSERT_TRUE(Resolve(active.name(), "2027-01-01T00:00:00Z", &r).ok());
  bool found = false;
  for (const auto& c : r.version().terms().calendars()) {
    if (c.name() == "calendars/bangkok-office") {
      found = true;
      EXPECT_EQ(c.display_name(), "Bangkok office (renamed)");
      EXPECT_EQ(c.weekly_intervals_size(), 5);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ContractLifecycleTest, LintErrorsBlockActivation) {
  sla::v1::SlaTerms terms = ExampleTerms();
  terms.clear_review_date();
  terms.mutable_responsibilities()->clear_customer();
  pb::Contract draft, out;
  ASSERT_TRUE(CreateDraft(terms, &draft).ok());
  const grpc::Status s = Activate(draft, "2026-12-01T00:00:00Z", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(),
            "lint reports errors that block activation: no-customer-responsibilities "
            "(terms.responsibilities.customer), no-review-date (terms.review_date)");
  pb::GetContractRequest get;
  get.set_name(draft.name());
  ASSERT_TRUE(stub_->GetContract(As("msp_admin").get(), get, &out).ok());
  EXPECT_EQ(out.state(), pb::Contract::DRAFT);
}

TEST_F(ContractLifecycleTest, BadDraftsAreRefusedWithFieldPaths) {
  sla::v1::SlaTerms terms = ExampleTerms();
  terms.mutable_priority_targets(0)->mutable_first_response()->set_calendar("calendars/mars");
  pb::Contract out;
  const grpc::Status s = CreateDraft(terms, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "field `contract.terms.priority_targets[0].first_response.calendar`: calendar "
            "`calendars/mars` does not exist");
  // A fee whose sums could overflow 64 bits is refused, not stored.
  terms = ExampleTerms();
  terms.mutable_pricing()->mutable_monthly_fee()->set_amount_minor(9'000'000'000'000'000'000);
  const grpc::Status huge = CreateDraft(terms, &out);
  EXPECT_EQ(huge.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(huge.error_message().find("contract.terms.pricing.monthly_fee.amount_minor"),
            std::string::npos)
      << huge.error_message();

  pb::CreateContractRequest req;
  req.set_parent("customers/cust-nobody");
  req.mutable_contract()->set_display_name("x");
  *req.mutable_contract()->mutable_terms() = ExampleTerms();
  EXPECT_EQ(stub_->CreateContract(As("msp_admin").get(), req, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ContractLifecycleTest, TerminationHonoursNoticeUnlessForCause) {
  pb::Contract draft, active, out;
  ASSERT_TRUE(CreateDraft(ExampleTerms(), &draft).ok());
  ASSERT_TRUE(Activate(draft, "2026-11-01T00:00:00Z", &active).ok());
  pb::TerminateContractRequest req;
  req.set_name(active.name());
  req.set_etag(active.etag());
  req.set_reason("Customer is moving its IT in-house.");
  *req.mutable_effective_time() = At("2026-12-31T00:00:00Z");  // 43 days: notice is 90
  const grpc::Status s = stub_->TerminateContract(As("msp_admin").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "90-day notice")) << s.error_message();

  req.set_for_cause(true);
  req.set_reason("Chronic breach of the P1 response target.");
  ASSERT_TRUE(stub_->TerminateContract(As("msp_admin").get(), req, &out).ok());
  EXPECT_EQ(out.state(), pb::Contract::TERMINATED);
  pb::ResolveTermsResponse r;
  ASSERT_TRUE(Resolve(out.name(), "2026-12-30T23:59:59Z", &r).ok());
  EXPECT_EQ(TimeUtil::ToString(r.version().effective_until()), "2026-12-31T00:00:00Z");
  EXPECT_EQ(Resolve(out.name(), "2026-12-31T00:00:00Z", &r).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ContractLifecycleTest, CustomersSeeOnlyTheirOwnContracts) {
  pb::Contract mine;
  ASSERT_TRUE(CreateDraft(ExampleTerms(), &mine).ok());
  pb::CreateCustomerRequest creq;
  creq.mutable_customer()->set_display_name("Beta Bank");
  pb::Customer other;
  ASSERT_TRUE(stub_->CreateCustomer(As("msp_admin").get(), creq, &other).ok());
  const std::string other_id = other.name().substr(strlen("customers/"));

  pb::GetContractRequest get;
  get.set_name(mine.name());
  pb::Contract out;
  EXPECT_TRUE(stub_->GetContract(As("customer_user", customer_id_).get(), get, &out).ok());
  EXPECT_EQ(stub_->GetContract(As("customer_user", other_id).get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  pb::ResolveTermsResponse r;
  EXPECT_EQ(
      Resolve(mine.name(), "2027-01-01T00:00:00Z", &r, "customer_admin", other_id).error_code(),
      grpc::StatusCode::NOT_FOUND);

  pb::ListContractsRequest list;
  list.set_parent("customers/-");
  pb::ListContractsResponse resp;
  ASSERT_TRUE(stub_->ListContracts(As("customer_user", other_id).get(), list, &resp).ok());
  EXPECT_EQ(resp.contracts_size(), 0);
  ASSERT_TRUE(stub_->ListContracts(As("customer_user", customer_id_).get(), list, &resp).ok());
  EXPECT_EQ(resp.contracts_size(), 1);
  list.set_parent(customer_.name());
  EXPECT_EQ(stub_->ListContracts(As("customer_user", other_id).get(), list, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  pb::CreateContractRequest create;
  create.set_parent(customer_.name());
  EXPECT_EQ(
      stub_->CreateContract(As("customer_admin", customer_id_).get(), create, &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ContractLifecycleTest, RendersTheAgreementOfAVersion) {
  pb::Contract draft, active;
  ASSERT_TRUE(CreateDraft(ExampleTerms(), &draft).ok());
  pb::RenderAgreementRequest req;
  req.set_name(draft.name());
  req.set_format(pb::RenderAgreementRequest::MARKDOWN);
  pb::RenderAgreementResponse resp;
  ASSERT_TRUE(stub_->RenderAgreement(As("msp_agent").get(), req, &resp).ok());
  EXPECT_TRUE(absl::StrContains(resp.content(), "Status: draft — not in force.")) << resp.content();
  EXPECT_EQ(resp.content_type(), "text/markdown; charset=utf-8");

  ASSERT_TRUE(Activate(draft, "2026-12-01T00:00:00+07:00", &active).ok());
  req.set_name(active.name() + "/versions/1");
  req.set_format(pb::RenderAgreementRequest::HTML);
  ASSERT_TRUE(stub_->RenderAgreement(As("customer_user", customer_id_).get(), req, &resp).ok());
  EXPECT_EQ(resp.content_type(), "text/html; charset=utf-8");
  for (const char* s :
       {"<h1>Managed IT services 2027</h1>", "between the MSP and Acme Co., Ltd.</p>",
        "Version 1, in force from 2026-12-01 00:00 Asia/Bangkok.",
        "bangkok-office: Mon 09:00–17:00, Tue 09:00–17:00"}) {
    EXPECT_TRUE(absl::StrContains(resp.content(), s)) << s;
  }
  if (const char* out = std::getenv("SLA_AGREEMENT_HTML_OUT")) {
    std::ofstream(out) << resp.content();  // for a look in a browser
  }

  req.set_name(active.name() + "/versions/7");
  EXPECT_EQ(stub_->RenderAgreement(As("msp_agent").get(), req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_name(active.name());
  req.set_format(pb::RenderAgreementRequest::FORMAT_UNSPECIFIED);
  EXPECT_EQ(stub_->RenderAgreement(As("msp_agent").get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  req.set_format(pb::RenderAgreementRequest::HTML);
  EXPECT_EQ(
      stub_->RenderAgreement(As("customer_user", "cust-other").get(), req, &resp).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace sla::contract
