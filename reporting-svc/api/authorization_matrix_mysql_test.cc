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

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/server/raw_client.h"
#include "tests/harness/reporting_api_fixture.h"

namespace sla::reporting {
namespace {

using ticket::Tenant;
using ticket::Utc;

enum class Cell { kAllowed, kDenied, kHidden };

const char* Name(Cell c) {
  return c == Cell::kAllowed ? "allowed" : c == Cell::kDenied ? "denied" : "hidden";
}

// `service:<name>` is that service's own identity (role `service`, subject its name).
const std::vector<std::string> kRoles = {
    "msp_admin",          "msp_agent",           "customer_admin",
    "customer_user",      "billing_system",      "service:contract-svc",
    "service:ticket-svc", "service:billing-svc", "service:reporting-svc"};

// Least privilege between services (docs/security.md): what each service calls with its own
// identity, and nothing more.
const std::map<std::string, std::set<std::string>> kServiceCalls = {
    {"contract-svc", {"/sla.reporting.v1.ReportingService/SimulateTerms"}},
    {"ticket-svc",
     {"/sla.contract.v1.ContractService/ResolveTerms",
      "/sla.contract.v1.ContractService/AuthenticateApiKey"}},
    {"billing-svc",
     {"/sla.contract.v1.ContractService/ResolveTerms",
      "/sla.contract.v1.ContractService/ListContracts",
      "/sla.contract.v1.ContractService/AuthenticateApiKey",
      "/sla.ticket.v1.TicketService/ListEvents", "/sla.ticket.v1.TicketService/WatchEvents"}},
    {"reporting-svc",
     {"/sla.contract.v1.ContractService/ResolveTerms",
      "/sla.contract.v1.ContractService/ListContracts",
      "/sla.contract.v1.ContractService/AuthenticateApiKey",
      "/sla.ticket.v1.TicketService/ListEvents", "/sla.ticket.v1.TicketService/WatchEvents",
      "/sla.billing.v1.BillingService/ListEvents", "/sla.billing.v1.BillingService/WatchEvents"}},
};

// The identity a role column calls with; customer roles act for `tenant`.
server::Identity Who(const std::string& role, const std::string& tenant) {
  if (role.rfind("service:", 0) == 0) return {role.substr(8), "", {"service"}};
  const bool customer = role == "customer_admin" || role == "customer_user";
  return {"matrix-" + role, customer ? tenant : "", {role}};
}

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

const std::set<std::string> kAllStaff = {"msp_admin", "msp_agent", "billing_system"};
const std::set<std::string> kBothCustomers = {"customer_admin", "customer_user"};

struct Row {
  std::string method;   // "/sla.ticket.v1.TicketService/GetTicket"
  std::string request;  // text format with {customer} {contract} {ticket} {outage} {invoice}
                        // {credit_note} {report}
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
      {C + "UpdateCustomer",
       "customer { name: '{customer}' display_name: 'X' etag: 'v0' } update_mask { paths: "
       "'display_name' }",
       {{"msp_admin"}, {}}},
      {C + "CreateCalendar",
       "calendar_id: 'new-cal' calendar { display_name: 'n' time_zone: 'UTC' always_open: true }",
       {{"msp_admin"}, {}, false}},
      {C + "GetCalendar", "name: 'calendars/bangkok-office'", {kAllStaff, kBothCustomers, false}},
      {C + "ListCalendars", "", {kAllStaff, kBothCustomers, false}},
      {C + "UpdateCalendar",
       "calendar { name: 'calendars/always-on' display_name: 'x' etag: 'v0' } update_mask { paths: "
       "'display_name' }",
       {{"msp_admin"}, {}, false}},
      {C + "CreateContract",
       "parent: '{customer}' contract { display_name: 'Draft' }",
       {{"msp_admin"}, {}}},
      {C + "GetContract", "name: '{contract}'", {kAllStaff, kBothCustomers}},
      {C + "ListContracts", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      {C + "UpdateContract",
       "contract { name: '{contract}' display_name: 'x' etag: 'v0' } update_mask { paths: "
       "'display_name' }",
       {{"msp_admin"}, {}}},
      {C + "ActivateContract",
       "name: '{contract}' etag: 'v0' effective_from { seconds: 1797292800 }",
       {{"msp_admin"}, {}}},
      {C + "AmendContract",
       "name: '{contract}' etag: 'v0' effective_from { seconds: 1797292800 }",
       {{"msp_admin"}, {}}},
      {C + "TerminateContract",
       "name: '{contract}' etag: 'v0' reason: 'matrix' effective_time { seconds: 1830000000 }",
       {{"msp_admin"}, {}}},
      {C + "ResolveTerms",
       "contract: '{contract}' at { seconds: 1797292800 }",
       {kAllStaff, kBothCustomers}},
      {C + "LintContract", "name: '{contract}'", {kAllStaff, kBothCustomers}},
      {C + "RenderAgreement", "name: '{contract}' format: MARKDOWN", {kAllStaff, kBothCustomers}},
      // API keys: msp_admin manages them; only the services that accept keys ask who one is.
      // Authenticate comes before rotate and revoke, which act on the same key.
      {C + "CreateApiKey",
       "api_key { display_name: 'm' roles: 'msp_agent' }",
       {{"msp_admin"}, {}, false}},
      {C + "GetApiKey", "name: '{api_key}'", {{"msp_admin"}, {}, false}},
      {C + "ListApiKeys", "", {{"msp_admin"}, {}, false}},
      {C + "AuthenticateApiKey", "secret: '{api_key_secret}'", {{}, {}, false}},
      {C + "RotateApiKey",
       "name: '{api_key}' grace_period { seconds: 3600 }",
       {{"msp_admin"}, {}, false}},
      {C + "RevokeApiKey", "name: '{api_key}'", {{"msp_admin"}, {}, false}},
      // ticket-svc.
      {T + "CreateTicket",
       "parent: '{customer}' ticket { contract: '{contract}' service_id: 'service-desk' priority: "
       "PRIORITY_P3 "
       "title: 'matrix' reporter: 'r' }",
       {{"msp_admin", "msp_agent"}, kBothCustomers}},
      {T + "GetTicket", "name: '{ticket}'", {kAllStaff, kBothCustomers}},
      {T + "ListTickets", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      // Customers may close or reopen (closing a NEW ticket is then refused as a transition).
      {T + "TransitionTicket",
       "name: '{ticket}' status: CLOSED",
       {{"msp_admin", "msp_agent"}, kBothCustomers}},
      {T + "ChangePriority",
       "name: '{ticket}' priority: PRIORITY_P3 reason: 'matrix'",
       {{"msp_admin", "msp_agent"}, {}}},
      {T + "RecordRootCause",
       "name: '{ticket}' root_cause: 'x' preventive_action: 'y'",
       {{"msp_admin", "msp_agent"}, {}}},
      {T + "PauseClocks",
       "name: '{ticket}' exclusion_id: 'customer-caused' reason: 'matrix'",
       {{"msp_admin", "msp_agent"}, {}}},
      {T + "ResumeClocks", "name: '{ticket}' reason: 'matrix'", {{"msp_admin", "msp_agent"}, {}}},
      // Manual escalation: the roles the terms' escalation policy names (the example contract:
      // customer_admin and msp_agent).
      {T + "EscalateTicket",
       "name: '{ticket}' clock: CLOCK_RESOLUTION reason: 'matrix'",
       {{"msp_agent"}, {"customer_admin"}, true, true}},
      {T + "AddComment",
       "parent: '{ticket}' comment { body: 'matrix' visibility: PUBLIC }",
       {{"msp_admin", "msp_agent"}, kBothCustomers}},
      {T + "ListComments", "parent: '{ticket}'", {kAllStaff, kBothCustomers}},
      {T + "ListSlaHistory", "parent: '{ticket}'", {kAllStaff, kBothCustomers}},
      {T + "ListEscalations", "parent: '{ticket}'", {kAllStaff, kBothCustomers}},
      {T + "CreateOutage",
       "parent: '{customer}' outage { contract: '{contract}' service_id: 'email-hosting' "
       "start_time { seconds: 1797728400 } "
       "end_time { seconds: 1797729600 } }",
       {{"msp_admin", "msp_agent"}, {}}},
      {T + "CloseOutage",
       "name: '{outage}' end_time { seconds: 1797729600 }",
       {{"msp_admin", "msp_agent"}, {}}},
      {T + "GetOutage", "name: '{outage}'", {kAllStaff, kBothCustomers}},
      {T + "ListOutages", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      {T + "ListEvents", "page_size: 1", {kAllStaff, {}, false}},
      {T + "WatchEvents", "", {kAllStaff, {}, false}},
      // billing-svc.
      {B + "GetInvoice", "name: '{invoice}'", {kAllStaff, kBothCustomers}},
      {B + "ListInvoices", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      {B + "PreviewCredits",
       "contract: '{contract}' period { year: 2027 month: 1 }",
       {kAllStaff, kBothCustomers}},
      {B + "ClosePeriod",
       "contract: '{contract}' period { year: 2026 month: 12 }",
       {{"msp_admin", "billing_system"}, {}}},
      {B + "GetCreditNote", "name: '{credit_note}'", {kAllStaff, kBothCustomers}},
      {B + "ListCreditNotes", "parent: '{customer}'", {kAllStaff, kBothCustomers}},
      {B + "ListEvents", "page_size: 1", {kAllStaff, {}, false}},
      {B + "WatchEvents", "", {kAllStaff, {}, false}},
      // reporting-svc.
      {R + "GetReport", "name: '{report}'", {kAllStaff, kBothCustomers}},
      {R + "IssueReport", "name: '{report}'", {{"msp_admin", "msp_agent"}, {}, true, true}},
      {R + "ListReports", "parent: '{contract}'", {kAllStaff, kBothCustomers}},
      {R + "ExportReport",
       "name: '{report}' format: REPORT_FORMAT_HTML",
       {kAllStaff, kBothCustomers}},
      {R + "SimulateTerms",
       "subject: '{contract}' lookback_periods: 1",
       {{"msp_admin", "msp_agent"}, {}, true, true}},
      {R + "ListEvents", "page_size: 1", {kAllStaff, {}, false}},
      {R + "WatchEvents", "", {kAllStaff, {}, false}},
  };
}

// A staff, system or service column may call the RPC (services: only what they use).
bool StaffMayCall(const Rule& rule, const std::string& role, const std::string& method) {
  if (role.rfind("service:", 0) == 0) return kServiceCalls.at(role.substr(8)).contains(method);
  return rule.staff.contains(role);
}

Cell Expected(const Rule& rule, const std::string& role, bool own, const std::string& method) {
  const bool customer = kBothCustomers.contains(role);
  if (!customer) return StaffMayCall(rule, role, method) ? Cell::kAllowed : Cell::kDenied;
  if (!rule.customer_roles.contains(role))
    return !own && rule.tenant_scoped && rule.tenant_first ? Cell::kHidden : Cell::kDenied;
  return own || !rule.tenant_scoped ? Cell::kAllowed : Cell::kHidden;
}

// A transport or server failure is no authorization answer: it must not pass for "allowed".
bool Inconclusive(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::INTERNAL ||
         s.error_code() == grpc::StatusCode::UNKNOWN ||
         s.error_code() == grpc::StatusCode::UNAUTHENTICATED;
}

Cell Observed(const grpc::Status& s) {
  if (s.error_code() == grpc::StatusCode::PERMISSION_DENIED) return Cell::kDenied;
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return Cell::kHidden;
  return Cell::kAllowed;
}

// Every string in `m`, at any depth, that names a customer's resource ("customers/X" or
// "customers/X/…") and whose customer is not `customer_id`.
void ForeignNames(const google::protobuf::Message& m, const std::string& customer_id,
                  std::vector<std::string>& out) {
  const auto* r = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  auto check = [&](const std::string& v) {
    if (!absl::StartsWith(v, "customers/")) return;
    const std::string own = absl::StrCat("customers/", customer_id);
    if (v != own && !absl::StartsWith(v, own + "/")) out.push_back(v);
  };
  for (const auto* f : fields) {
    if (f->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) check(r->GetRepeatedString(m, f, i));
      } else {
        check(r->GetString(m, f));
      }
    } else if (f->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i)
          ForeignNames(r->GetRepeatedMessage(m, f, i), customer_id, out);
      } else {
        ForeignNames(r->GetMessage(m, f), customer_id, out);
      }
    }
  }
}

// The customers whose resources `m` names (see ForeignNames).
void NamedCustomers(const google::protobuf::Message& m, std::set<std::string>& out) {
  std::vector<std::string> names;
  ForeignNames(m, "\x01", names);  // no customer has this id: every name is collected
  for (const std::string& n : names) {
    const std::vector<std::string> parts = absl::StrSplit(n, '/');
    if (parts.size() >= 2) out.insert(parts[1]);
  }
}

// One call as `identity`: a unary call, or for a server stream the first message (a stream
// that was let through has events to send: the fixture produced some on every service).
struct Answer {
  grpc::Status status;
  std::vector<std::string> bodies;
};

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
    contract::v1::CreateApiKeyRequest kreq;
    kreq.mutable_api_key()->set_display_name(absl::StrCat(t.id, " monitoring"));
    kreq.mutable_api_key()->add_roles("customer_user");
    kreq.mutable_api_key()->set_customer(t.customer);
    contract::v1::CreateApiKeyResponse key;
    const grpc::Status ks = harness_->contract_stub().CreateApiKey(
        ticket::SuiteHarness::As("msp_admin", "", absl::Now()).get(), kreq, &key);
    EXPECT_TRUE(ks.ok()) << ks.error_message();
    o.names["api_key"] = key.api_key().name();
    o.names["api_key_secret"] = key.secret();
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

  Answer Call(const google::protobuf::MethodDescriptor* method, const std::string& path,
              const google::protobuf::Message& request, const server::Identity& id) {
    // contract-svc checks tokens against real time, the others against the test's clock.
    const absl::Time now =
        path.find("ContractService") != std::string::npos ? absl::Now() : clock_.Now();
    auto token = server::MintToken(Jwt(), id, now, absl::Hours(1));
    EXPECT_TRUE(token.ok());
    const server::MetadataList md = {{"authorization", "Bearer " + token.value_or("")}};
    Answer a;
    if (method->server_streaming()) {
      server::RawStreamResponse r = server::RawServerStreamingCall(
          ChannelFor(path), path, request.SerializeAsString(), md, absl::Seconds(5), 1);
      a.status = r.status;
      a.bodies = std::move(r.messages);
      // Cancelled by the reader after the first message: the stream was let through.
      if (!a.bodies.empty() && a.status.error_code() == grpc::StatusCode::CANCELLED)
        a.status = grpc::Status::OK;
    } else {
      server::RawResponse r = server::RawUnaryCall(
          ChannelFor(path), path, request.SerializeAsString(), md, absl::Seconds(10));
      a.status = r.status;
      if (r.status.ok()) a.bodies.push_back(std::move(r.body));
    }
    return a;
  }

  // The resource names a customer acting for `customer_id` got back that are not its own.
  std::vector<std::string> Leaks(const google::protobuf::MethodDescriptor* method, const Answer& a,
                                 const std::string& customer_id) {
    std::vector<std::string> leaks;
    google::protobuf::DynamicMessageFactory factory;
    for (const std::string& body : a.bodies) {
      std::unique_ptr<google::protobuf::Message> m(
          factory.GetPrototype(method->output_type())->New());
      EXPECT_TRUE(m->ParseFromString(body)) << method->full_name();
      ForeignNames(*m, customer_id, leaks);
    }
    return leaks;
  }

  std::set<std::string> Customers(const google::protobuf::MethodDescriptor* method,
                                  const Answer& a) {
    std::set<std::string> out;
    google::protobuf::DynamicMessageFactory factory;
    for (const std::string& body : a.bodies) {
      std::unique_ptr<google::protobuf::Message> m(
          factory.GetPrototype(method->output_type())->New());
      EXPECT_TRUE(m->ParseFromString(body)) << method->full_name();
      NamedCustomers(*m, out);
    }
    return out;
  }

  std::unique_ptr<google::protobuf::Message> Request(
      const google::protobuf::MethodDescriptor* method, const std::string& text_in,
      const Objects& objects, const Objects& foreign) {
    std::string text = text_in;
    for (const auto& [key, value] : objects.names)
      text = absl::StrReplaceAll(text, {{"{" + key + "}", value}});
    for (const auto& [key, value] : foreign.names)
      text = absl::StrReplaceAll(text, {{"{b_" + key + "}", value}});
    std::unique_ptr<google::protobuf::Message> request(
        factory_.GetPrototype(method->input_type())->New());
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, request.get()))
        << method->full_name() << ": " << text;
    return request;
  }

  const google::protobuf::MethodDescriptor* Method(const std::string& path) {
    return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
        absl::StrReplaceAll(path.substr(1), {{"/", "."}}));
  }

  // Both tenants populated, December closed and reported for each.
  void SetUpTenants() {
    a_ = NewTenant("Acme");
    b_ = NewTenant("Globex");
    own_ = Populate(a_);
    foreign_ = Populate(b_);
    clock_.Set(Utc(2027, 1, 5, 0));
    Sync();
    CloseAndReport(a_, own_);
    CloseAndReport(b_, foreign_);
    // Every stream has events to send, so a stream that was let through shows it.
    ASSERT_TRUE(reporting_->sequencer().RunOnce().ok());
    ASSERT_TRUE(billing_->sequencer().RunOnce().ok());
    contract_port_ = harness_->contract_port();
    (void)sla::contract::v1::Contract::descriptor();
    (void)tpb::Ticket::descriptor();
    (void)billing::pb::Invoice::descriptor();
    (void)pb::Report::descriptor();
  }

  Tenant a_, b_;
  Objects own_, foreign_;
  google::protobuf::DynamicMessageFactory factory_;

  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& method) {
    const auto port = [&]() -> int {
      if (method.find("ContractService") != std::string::npos) return contract_port_;
      if (method.find("TicketService") != std::string::npos) return harness_->ticket_port();
      if (method.find("BillingService") != std::string::npos) return billing_port_;
      return reporting_port_;
    }();
    return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                               grpc::InsecureChannelCredentials());
  }

  int contract_port_ = 0;
};

TEST_F(AuthorizationMatrixTest, EveryRpcEveryRoleOwnAndForeignObjects) {
  SetUpTenants();
  if (HasFatalFailure()) return;
  const Tenant& a = a_;

  // Every RPC of the four services has a row.
  std::map<std::string, const Row*> rows;
  const std::vector<Row> matrix = Matrix();
  for (const Row& r : matrix) rows[r.method] = &r;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const char* service :
       {"sla.contract.v1.ContractService", "sla.ticket.v1.TicketService",
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

  int cells = 0, foreign_leaks = 0, checked_lists = 0;
  for (const Row& row : matrix) {
    const auto* method = Method(row.method);
    ASSERT_NE(method, nullptr) << row.method;
    for (const bool is_own : {true, false}) {
      if (!is_own && !row.rule.tenant_scoped) continue;
      auto request = Request(method, row.request, is_own ? own_ : foreign_, foreign_);
      for (const std::string& role : kRoles) {
        const bool customer = kBothCustomers.contains(role);
        const Answer r = Call(method, row.method, *request, Who(role, a.id));
        const Cell want = Expected(row.rule, role, is_own, row.method);
        const Cell got = Observed(r.status);
        ++cells;
        if (Inconclusive(r.status)) {
          ADD_FAILURE() << "matrix cell " << row.method << " | " << role << " | "
                        << (is_own ? "own" : "foreign") << ": no authorization answer ("
                        << r.status.error_code() << " " << r.status.error_message() << ")";
        } else if (got != want) {
          ADD_FAILURE() << "matrix cell " << row.method << " | " << role << " | "
                        << (is_own ? "own" : "foreign") << ": want " << Name(want) << ", got "
                        << Name(got) << " (" << r.status.error_code() << " "
                        << r.status.error_message() << ")";
        }
        // The worst failure: a customer role reading or changing another customer's object.
        if (customer && !is_own && row.rule.tenant_scoped && got == Cell::kAllowed) ++foreign_leaks;
        // What comes back holds nothing of another customer's.
        if (customer && r.status.ok()) {
          for (const std::string& leak : Leaks(method, r, a.id)) {
            ADD_FAILURE() << row.method << " | " << role << " returned another customer's " << leak;
            ++foreign_leaks;
          }
          if (method->name().rfind("List", 0) == 0) ++checked_lists;
        }
      }
    }
  }
  EXPECT_EQ(foreign_leaks, 0);
  EXPECT_GT(cells, 500);
  EXPECT_GT(checked_lists, 20);
}

// `customers/-` is "all I may read": a customer role gets its own customer's rows only, staff
// get every customer's.
TEST_F(AuthorizationMatrixTest, ListsUnderEveryCustomerHoldOnlyWhatTheCallerMayRead) {
  SetUpTenants();
  if (HasFatalFailure()) return;
  int lists = 0;
  for (const Row& row : Matrix()) {
    const auto* method = Method(row.method);
    if (method->name().rfind("List", 0) != 0 ||
        row.request.find("parent: '{customer}'") == std::string::npos)
      continue;
    ++lists;
    auto request = Request(
        method, absl::StrReplaceAll(row.request, {{"{customer}", "customers/-"}}), own_, foreign_);
    for (const std::string& role : kRoles) {
      const bool customer = kBothCustomers.contains(role);
      const Answer r = Call(method, row.method, *request, Who(role, a_.id));
      const bool allowed = customer ? row.rule.customer_roles.contains(role)
                                    : StaffMayCall(row.rule, role, row.method);
      if (!allowed) {
        EXPECT_EQ(r.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << row.method << " | " << role;
        continue;
      }
      ASSERT_TRUE(r.status.ok()) << row.method << " | " << role << ": " << r.status.error_message();
      const std::set<std::string> seen = Customers(method, r);
      if (customer) {
        EXPECT_EQ(seen, std::set<std::string>{a_.id})
            << row.method << " | " << role << " customers/-";
      } else {
        EXPECT_TRUE(seen.contains(a_.id) && seen.contains(b_.id))
            << row.method << " | " << role << " customers/-";
      }
    }
  }
  EXPECT_EQ(
      lists,
      5);  // contracts, tickets, outages, invoices, credit notes (ListCustomers has no parent)
}

// Tokens whose roles and tenant disagree are refused before any handler runs, on every RPC.
TEST_F(AuthorizationMatrixTest, TokensWhoseRolesAndTenantDisagreeAreRefusedEverywhere) {
  SetUpTenants();
  if (HasFatalFailure()) return;
  const std::vector<server::Identity> shapes = {
      {"no-tenant", "", {"customer_admin"}},
      {"no-tenant", "", {"customer_user"}},
      {"staff-with-tenant", a_.id, {"msp_admin"}},
      {"system-with-tenant", a_.id, {"service"}},
      {"mixed", a_.id, {"customer_user", "msp_agent"}},
      {"mixed", "", {"customer_admin", "billing_system"}},
  };
  int calls = 0;
  for (const Row& row : Matrix()) {
    const auto* method = Method(row.method);
    auto request = Request(method, row.request, own_, foreign_);
    for (const server::Identity& id : shapes) {
      const Answer r = Call(method, row.method, *request, id);
      ++calls;
      EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << row.method << " | " << id.subject << " " << id.roles[0] << ": "
          << r.status.error_message();
      EXPECT_TRUE(r.bodies.empty()) << row.method << " | " << id.subject;
    }
  }
  EXPECT_GT(calls, 300);
}

// A request that names two customers (a parent and another customer's contract) never reaches
// the second one's objects, whoever asks.
TEST_F(AuthorizationMatrixTest, RequestsThatMixTwoCustomersAreRefused) {
  SetUpTenants();
  if (HasFatalFailure()) return;
  const std::string T = "/sla.ticket.v1.TicketService/";
  const std::string B = "/sla.billing.v1.BillingService/";
  struct Mixed {
    std::string method, request;
  };
  const std::vector<Mixed> mixed = {
      {T + "ListTickets", "parent: '{customer}' filter: 'contract = \"{b_contract}\"'"},
      {T + "ListTickets", "parent: 'customers/-' filter: 'contract = \"{b_contract}\"'"},
      {T + "ListOutages", "parent: '{customer}' filter: 'contract = \"{b_contract}\"'"},
      {T + "ListOutages", "parent: 'customers/-' filter: 'contract = \"{b_contract}\"'"},
      {B + "ListInvoices", "parent: '{customer}' filter: 'contract = \"{b_contract}\"'"},
      {B + "ListCreditNotes", "parent: 'customers/-' filter: 'contract = \"{b_contract}\"'"},
      {T + "CreateTicket",
       "parent: '{customer}' ticket { contract: '{b_contract}' service_id: 'service-desk' "
       "priority: PRIORITY_P3 "
       "title: 'mixed' reporter: 'r' }"},
      {T + "CreateOutage",
       "parent: '{customer}' outage { contract: '{b_contract}' service_id: 'email-hosting' "
       "start_time { seconds: 1797728400 } }"},
  };
  for (const Mixed& m : mixed) {
    const auto* method = Method(m.method);
    ASSERT_NE(method, nullptr) << m.method;
    auto request = Request(method, m.request, own_, foreign_);
    for (const std::string& role : kRoles) {
      const bool customer = kBothCustomers.contains(role);
      const Answer r = Call(method, m.method, *request, Who(role, a_.id));
      const bool staff_list_of_all =
          !customer && m.request.find("customers/-") != std::string::npos;
      if (staff_list_of_all && r.status.ok()) {
        // Staff listing every customer, filtered to B's contract: B's rows only.
        const std::set<std::string> seen = Customers(method, r);
        EXPECT_TRUE(seen.empty() || seen == std::set<std::string>{b_.id})
            << m.method << " | " << role;
        continue;
      }
      const auto code = r.status.error_code();
      EXPECT_TRUE(code == grpc::StatusCode::NOT_FOUND ||
                  code == grpc::StatusCode::INVALID_ARGUMENT ||
                  code == grpc::StatusCode::PERMISSION_DENIED)
          << m.method << " | " << role << " | " << m.request << ": " << code << " "
          << r.status.error_message();
      if (customer) {
        EXPECT_TRUE(Leaks(method, r, a_.id).empty()) << m.method << " | " << role;
      }
    }
  }
}

}  // namespace
}  // namespace sla::reporting
