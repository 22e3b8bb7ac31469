// The authorization matrix of docs/security.md, walked against the four running services:
// every RPC of every service (read from the generated descriptors, so a new RPC without a row
// fails), every role, on the caller's own customer's objects and on another customer's.
//
// A cell is one of:
//   allowed  the call got past authorization (OK, or a later answer such as
//            FAILED_PRECONDITION, INVALID_ARGUMENT, ABORTED on a stale etag);
//   denied   PERMISSION_DENIED;
//   hidden   NOT_FOUND: the object belongs to another customer and its existence is not told.
// Customer roles act for tenant A; "own" targets A's objects, "foreign" B's.
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/text_format.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/server/raw_client.h"
#include "reporting-svc/api/reporting_api_fixture.h"

namespace sla::reporting {
namespace {

using ticket::Tenant;
using ticket::Utc;

enum class Cell { kAllowed, kDenied, kHidden };

const char* Name(Cell c) { return c == Cell::kAllowed ? "allowed" : c == Cell::kDenied ? "denied" : "hidden"; }

const std::vector<std::string> kRoles = {"msp_admin",     "msp_agent",      "customer_admin",
                                         "customer_user", "billing_system", "service"};

// Who may call an RPC. `staff`: the non-customer roles allowed (all others: denied).
// `customers`: what customer roles get — kAllowed on their own objects (hidden on foreign
// ones), kDenied for both, or kHidden for both is never used.
struct Rule {
  std::set<std::string> staff;
  std::set<std::string> customer_roles;  // customer roles allowed on their own objects
  bool tenant_scoped = true;             // false: no object, own and foreign are the same call
  // The tenant is checked before the role: a customer role that may not call it gets NOT_FOUND
  // (not PERMISSION_DENIED) for another customer's object. Either refuses without telling
  // whether the object exists.
  bool tenant_first = false;
};

const std::set<std::string> kAllStaff = {"msp_admin", "msp_agent", "billing_system", "service"};
const std::set<std::string> kBothCustomers = {"customer_admin", "customer_user"};

struct Row {
  std::string method;  // "/sla.ticket.v1.TicketService/GetTicket"
  std::string request;  // text format with {customer} {contract} {ticket} {outage} {invoice} {credit_note} {report}
  Rule rule;
};

// The matrix (docs/security.md mirrors it).
std::vector<Row> Matrix() {
  const std::string C = "/sla.contract.v1.ContractService/";
  const std::string T = "/sla.ticket.v1.TicketService/";
  const std::string B = "/sla.billing.v1.BillingService/";
  const std::string R = "/sla.reporting.v1.ReportingService/";
  return {
      // contract-svc: msp_admin changes; staff and systems read all; customers read their own.
      {C + "CreateCustomer", "customer { display_name: 'New' }", {{"msp_admin"}, {}, false}},
      {C + "GetCustomer", "name: '{customer}'", {kAllStaff, kBothCustomers}},
      {C + "ListCustomers", "", {kAllStaff, kBothCustomers, false}},
      {C + "UpdateCustomer", "customer { name: '{customer}' display_name: 'X' etag: 'v0' } update_mask { paths: 'display_name' }",
       {{"msp_admin"}, {}}},
      {C + "CreateCalendar", "calendar_id: 'new-cal' calendar { display_name: 'n' time_zone: 'UTC' always_open: true }",
       {{"msp_admin"}, {}, false}},
      {C + "GetCalendar", "name: 'calendars/bangkok-office'", {kAllStaff, kBothCustomers, false}},
      {C + "ListCalendars", "", {kAllStaff, kBothCustomers, false}},
      {C + "UpdateCalendar", "calendar { name: 'calendars/always-on' display_name: 'x' etag: 'v0' } update_mask { paths: 'display_name' }",
       {{"msp_admin"}, {}, false}},
      {C + "CreateContract", "parent: '{customer}' contract { display_name: 'Draft' }", {{"msp_admin"}, {}}},
      {C + "GetContract", "name: '{contract}'", {kAllStaff, kBothCustomers}},
      {C + "ListContracts", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      {C + "UpdateContract", "contract { name: '{contract}' display_name: 'x' etag: 'v0' } update_mask { paths: 'display_name' }",
       {{"msp_admin"}, {}}},
      {C + "ActivateContract", "name: '{contract}' etag: 'v0' effective_from { seconds: 1797292800 }", {{"msp_admin"}, {}}},
      {C + "AmendContract", "name: '{contract}' etag: 'v0' effective_from { seconds: 1797292800 }", {{"msp_admin"}, {}}},
      {C + "TerminateContract", "name: '{contract}' etag: 'v0' reason: 'matrix' effective_time { seconds: 1830000000 }", {{"msp_admin"}, {}}},
      {C + "ResolveTerms", "contract: '{contract}' at { seconds: 1797292800 }", {kAllStaff, kBothCustomers}},
      {C + "LintContract", "name: '{contract}'", {kAllStaff, kBothCustomers}},
      {C + "RenderAgreement", "name: '{contract}' format: MARKDOWN", {kAllStaff, kBothCustomers}},
      // ticket-svc.
      {T + "CreateTicket",
       "parent: '{customer}' ticket { contract: '{contract}' service_id: 'service-desk' priority: PRIORITY_P3 "
       "title: 'matrix' reporter: 'r' }",
       {{"msp_admin", "msp_agent", "service"}, kBothCustomers}},
      {T + "GetTicket", "name: '{ticket}'", {kAllStaff, kBothCustomers}},
      {T + "ListTickets", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      // Customers may close or reopen (closing a NEW ticket is then refused as a transition).
      {T + "TransitionTicket", "name: '{ticket}' status: CLOSED", {{"msp_admin", "msp_agent"}, kBothCustomers}},
      {T + "ChangePriority", "name: '{ticket}' priority: PRIORITY_P3 reason: 'matrix'", {{"msp_admin", "msp_agent"}, {}}},
      {T + "RecordRootCause", "name: '{ticket}' root_cause: 'x' preventive_action: 'y'", {{"msp_admin", "msp_agent"}, {}}},
      {T + "PauseClocks", "name: '{ticket}' exclusion_id: 'customer-caused' reason: 'matrix'", {{"msp_admin", "msp_agent"}, {}}},
      {T + "ResumeClocks", "name: '{ticket}' reason: 'matrix'", {{"msp_admin", "msp_agent"}, {}}},
      // Manual escalation: the roles the terms' escalation policy names (the example contract:
      // customer_admin and msp_agent).
      {T + "EscalateTicket", "name: '{ticket}' clock: CLOCK_RESOLUTION reason: 'matrix'",
       {{"msp_agent"}, {"customer_admin"}, true, true}},
      {T + "AddComment", "parent: '{ticket}' comment { body: 'matrix' visibility: PUBLIC }",
       {{"msp_admin", "msp_agent"}, kBothCustomers}},
      {T + "ListComments", "parent: '{ticket}'", {kAllStaff, kBothCustomers}},
      {T + "ListSlaHistory", "parent: '{ticket}'", {kAllStaff, kBothCustomers}},
      {T + "ListEscalations", "parent: '{ticket}'", {kAllStaff, kBothCustomers}},
      {T + "CreateOutage",
       "parent: '{customer}' outage { contract: '{contract}' service_id: 'email-hosting' start_time { seconds: 1797728400 } "
       "end_time { seconds: 1797729600 } }",
       {{"msp_admin", "msp_agent", "service"}, {}}},
      {T + "CloseOutage", "name: '{outage}' end_time { seconds: 1797729600 }", {{"msp_admin", "msp_agent", "service"}, {}}},
      {T + "GetOutage", "name: '{outage}'", {kAllStaff, kBothCustomers}},
      {T + "ListOutages", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      {T + "ListEvents", "page_size: 1", {kAllStaff, {}, false}},
      {T + "WatchEvents", "", {kAllStaff, {}, false}},
      // billing-svc.
      {B + "GetInvoice", "name: '{invoice}'", {kAllStaff, kBothCustomers}},
      {B + "ListInvoices", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      {B + "PreviewCredits", "contract: '{contract}' period { year: 2027 month: 1 }", {kAllStaff, kBothCustomers}},
      {B + "ClosePeriod", "contract: '{contract}' period { year: 2026 month: 12 }", {{"msp_admin", "billing_system"}, {}}},
      {B + "GetCreditNote", "name: '{credit_note}'", {kAllStaff, kBothCustomers}},
      {B + "ListCreditNotes", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      {B + "ListEvents", "page_size: 1", {kAllStaff, {}, false}},
      {B + "WatchEvents", "", {kAllStaff, {}, false}},
      // reporting-svc.
      {R + "GetReport", "name: '{report}'", {kAllStaff, kBothCustomers}},
      {R + "IssueReport", "name: '{report}'", {{"msp_admin", "msp_agent", "service"}, {}, true, true}},
      {R + "ListReports", "parent: '{contract}'", {kAllStaff, kBothCustomers}},
      {R + "ExportReport", "name: '{report}' format: REPORT_FORMAT_HTML", {kAllStaff, kBothCustomers}},
      {R + "SimulateTerms", "subject: '{contract}' lookback_periods: 1", {{"msp_admin", "msp_agent", "service"}, {}, true, true}},
      {R + "ListEvents", "page_size: 1", {kAllStaff, {}, false}},
      {R + "WatchEvents", "", {kAllStaff, {}, false}},
  };
}

Cell Expected(const Rule& rule, const std::string& role, bool own) {
  const bool customer = kBothCustomers.contains(role);
  if (!customer) return rule.staff.contains(role) ? Cell::kAllowed : Cell::kDenied;
  if (!rule.customer_roles.contains(role)) return !own && rule.tenant_scoped && rule.tenant_first ? Cell::kHidden : Cell::kDenied;
  return own || !rule.tenant_scoped ? Cell::kAllowed : Cell::kHidden;
}

Cell Observed(const grpc::Status& s) {
  if (s.error_code() == grpc::StatusCode::PERMISSION_DENIED) return Cell::kDenied;
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return Cell::kHidden;
  return Cell::kAllowed;
}

struct Objects {
  std::map<std::string, std::string> names;  // placeholder → resource name
};

class AuthorizationMatrixTest : public ReportingApiTest {
 protected:
  // A tenant with a ticket, an outage, a closed December (invoice and credit note) and its
  // December report.
  Objects Populate(const Tenant& t) {
    Objects o;
    o.names["customer"] = t.customer;
    o.names["contract"] = t.contract;
    clock_.Set(Utc(2026, 12, 2, 3));
    o.names["ticket"] = Open(t, sla::v1::PRIORITY_P1).name();  // never answered: a credit
    tpb::CreateOutageRequest oreq;
    oreq.set_parent(t.customer);
    oreq.mutable_outage()->set_contract(t.contract);
    oreq.mutable_outage()->set_service_id("email-hosting");
    oreq.mutable_outage()->mutable_start_time()->set_seconds(Utc(2026, 12, 2, 1));
    tpb::Outage outage;
    EXPECT_TRUE(stub_->CreateOutage(As("msp_agent").get(), oreq, &outage).ok());
    o.names["outage"] = outage.name();
    return o;
  }

  void CloseAndReport(const Tenant& t, Objects& o) {
    billing::pb::ClosePeriodResponse closed;
    const grpc::Status s = Close(t, 2026, 12, &closed);
    ASSERT_TRUE(s.ok()) << s.error_message();
    o.names["invoice"] = closed.invoice().name();
    o.names["credit_note"] = closed.credit_note().name();
    ASSERT_FALSE(closed.credit_note().name().empty());
    SyncAll();
    pb::IssueReportRequest ir;
    ir.set_name(absl::StrCat(t.contract, "/reports/2026-12"));
    pb::Report report;
    const grpc::Status r = stub_r_->IssueReport(As("msp_admin").get(), ir, &report);
    ASSERT_TRUE(r.ok()) << r.error_message();
    o.names["report"] = report.name();
  }

  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& method) {
    const auto port = [&]() -> int {
      if (method.find("ContractService") != std::string::npos) return contract_port_;
      if (method.find("TicketService") != std::string::npos) return harness_->ticket_port();
      if (method.find("BillingService") != std::string::npos) return billing_port_;
      return reporting_port_;
    }();
    return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  }

  int contract_port_ = 0;
};

TEST_F(AuthorizationMatrixTest, EveryRpcEveryRoleOwnAndForeignObjects) {
  const Tenant a = NewTenant("Acme");
  const Tenant b = NewTenant("Globex");
  Objects own = Populate(a);
  Objects foreign = Populate(b);
  clock_.Set(Utc(2027, 1, 5, 0));
  Sync();
  CloseAndReport(a, own);
  CloseAndReport(b, foreign);
  if (HasFatalFailure()) return;
  contract_port_ = harness_->contract_port();

  // Every RPC of the four services has a row.
  std::map<std::string, const Row*> rows;
  const std::vector<Row> matrix = Matrix();
  for (const Row& r : matrix) rows[r.method] = &r;
  (void)sla::contract::v1::Contract::descriptor();
  (void)tpb::Ticket::descriptor();
  (void)billing::pb::Invoice::descriptor();
  (void)pb::Report::descriptor();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const char* service : {"sla.contract.v1.ContractService", "sla.ticket.v1.TicketService",
                              "sla.billing.v1.BillingService", "sla.reporting.v1.ReportingService"}) {
    const auto* sd = pool->FindServiceByName(service);
    ASSERT_NE(sd, nullptr) << service;
    for (int i = 0; i < sd->method_count(); ++i) {
      const std::string path = absl::StrCat("/", service, "/", sd->method(i)->name());
      EXPECT_TRUE(rows.contains(path)) << path << " has no row in the authorization matrix";
      ++methods;
    }
  }
  EXPECT_EQ(methods, static_cast<int>(matrix.size())) << "a row names an RPC that does not exist";

  int cells = 0, foreign_leaks = 0;
  for (const Row& row : matrix) {
    const auto* method = pool->FindMethodByName(
        absl::StrReplaceAll(row.method.substr(1), {{"/", "."}}));
    ASSERT_NE(method, nullptr) << row.method;
    const bool streaming = method->server_streaming();
    for (const bool is_own : {true, false}) {
      if (!is_own && !row.rule.tenant_scoped) continue;
      const Objects& objects = is_own ? own : foreign;
      std::string text = row.request;
      for (const auto& [key, value] : objects.names) text = absl::StrReplaceAll(text, {{"{" + key + "}", value}});
      google::protobuf::DynamicMessageFactory factory;
      std::unique_ptr<google::protobuf::Message> request(factory.GetPrototype(method->input_type())->New());
      ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, request.get())) << row.method << ": " << text;
      for (const std::string& role : kRoles) {
        const bool customer = kBothCustomers.contains(role);
        // contract-svc checks tokens against real time, the others against the test's clock.
        const absl::Time now = row.method.find("ContractService") != std::string::npos ? absl::Now() : clock_.Now();
        auto token = server::MintToken(Jwt(), {"matrix-" + role, customer ? a.id : "", {role}}, now, absl::Hours(1));
        ASSERT_TRUE(token.ok());
        const server::RawResponse r =
            server::RawUnaryCall(ChannelFor(row.method), row.method, request->SerializeAsString(),
                                 {{"authorization", "Bearer " + *token}}, absl::Seconds(streaming ? 1 : 10));
        const Cell want = Expected(row.rule, role, is_own);
        const Cell got = Observed(r.status);
        ++cells;
        if (got != want) {
          ADD_FAILURE() << "matrix cell " << row.method << " | " << role << " | " << (is_own ? "own" : "foreign")
                        << ": want " << Name(want) << ", got " << Name(got) << " (" << r.status.error_code() << " "
                        << r.status.error_message() << ")";
        }
        // The worst failure: a customer role reading or changing another customer's object.
        if (customer && !is_own && row.rule.tenant_scoped && got == Cell::kAllowed) ++foreign_leaks;
      }
    }
  }
  EXPECT_EQ(foreign_leaks, 0);
  EXPECT_GT(cells, 500);
}

}  // namespace
}  // namespace sla::reporting
