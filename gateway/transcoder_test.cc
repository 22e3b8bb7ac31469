// The conformance table: the examples and rules of google/api/http.proto (the service in
// testdata/http_examples.proto) through the route table and the request builder; then the
// suite's own protos, whose every RPC must have a route.
#include "gateway/transcoder.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gateway/openapi.h"
#include "gateway/sealed_link.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "sla/billing/v1/billing_service.pb.h"
#include "sla/contract/v1/contract_service.pb.h"
#include "sla/reporting/v1/reporting_service.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "testdata/http_examples.pb.h"

namespace sla::gateway {
namespace {

using ::testing::HasSubstr;

const RouteTable& Examples() {
  static const RouteTable* table = [] {
    (void)testing::Message::descriptor();
    auto built =
        RouteTable::Build({google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            "sla.gateway.testing.Messaging")});
    EXPECT_TRUE(built.ok()) << built.status();
    return new RouteTable(*std::move(built));
  }();
  return *table;
}

struct Case {
  const char* http_method;
  const char* target;  // path and query
  const char* body;
  const char* rpc;       // the method it must reach
  const char* expected;  // its request, in text format
};

class ConformanceTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConformanceTest, ReachesTheMethodWithTheRequestHttpProtoDescribes) {
  const Case& c = GetParam();
  absl::string_view target = c.target;
  const size_t q = target.find('?');
  RouteTable::Found found = Examples().Find(c.http_method, target.substr(0, q));
  ASSERT_NE(found.route, nullptr) << c.http_method << " " << c.target;
  EXPECT_EQ(found.route->method->name(), c.rpc);
  HttpInput in;
  in.query = q == absl::string_view::npos ? "" : target.substr(q + 1);
  in.body = c.body;
  auto request = BuildRequest(found, in);
  ASSERT_TRUE(request.ok()) << request.status();
  std::unique_ptr<google::protobuf::Message> expected((*request)->New());
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.expected, expected.get()))
      << c.expected;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(**request, *expected))
      << "got " << (*request)->ShortDebugString() << "\nwant " << expected->ShortDebugString();
}

INSTANTIATE_TEST_SUITE_P(
    HttpProto, ConformanceTest,
    ::testing::Values(
        // A variable over a path pattern.
        Case{"GET", "/v1beta/messages/123456", "", "GetByName", R"(name: "messages/123456")"},
        // Query parameters for the fields the path does not bind, nested ones by dotted names.
        Case{"GET", "/v1/messages/123456?revision=2&sub.subfield=foo", "", "GetMessage",
             R"(message_id: "123456" revision: 2 sub { subfield: "foo" })"},
        // A repeated field from repeated parameters; enums by name; bools; RFC 3339 times;
        // lowerCamelCase names; '+' and %-escapes in values.
        Case{
            "GET",
            "/v1/messages/"
            "1?tags=a&tags=b%20c&view=FULL&deleted=true&at=2026-12-01T00:00:00Z&userId=x+y",
            "", "GetMessage",
            R"(message_id: "1" tags: "a" tags: "b c" view: FULL deleted: true at { seconds: 1796083200 } user_id: "x y")"},
        // additional_bindings.
        Case{"GET", "/v1/users/me/messages/123456", "", "GetMessage",
             R"(user_id: "me" message_id: "123456")"},
        // body: a field; the other fields from the path, and from the query (lowerCamelCase
        // updateMask as the JSON mapping names it).
        Case{"PATCH", "/v1/messages/123456?updateMask=text", R"({"text": "Hi!"})", "UpdateMessage",
             R"(message_id: "123456" message { text: "Hi!" } update_mask { paths: "text" })"},
        // body: "*": every field not in the path comes from the body.
        Case{"PATCH", "/v2/messages/123456", R"({"text": "Hi!"})", "UpdateWhole",
             R"(message_id: "123456" text: "Hi!")"},
        // A nested field in the path wins over the body's.
        Case{"PATCH", "/v1/shelves/s1/books/b1?update_mask=title",
             R"({"name": "ignored", "title": "T"})", "UpdateBook",
             R"(book { name: "shelves/s1/books/b1" title: "T" } update_mask { paths: "title" })"},
        // A verb.
        Case{"POST", "/v1/shelves/s1/books/b1:archive", "", "ArchiveBook",
             R"(name: "shelves/s1/books/b1")"},
        // A multi-segment variable keeps %2F encoded; a single-segment one decodes it.
        Case{"GET", "/v1/files/a/b%2Fc/d", "", "GetFile", R"(path: "a/b%2Fc/d")"},
        Case{"GET", "/v1/names/a%2Fb%20c", "", "GetFileByName", R"(file: "a/b c")"}));

TEST(RouteTableTest, TellsAPathOfAnotherMethodFromAnUnknownPathAndReportsMethodsWithoutARule) {
  RouteTable::Found wrong_method = Examples().Find("DELETE", "/v1/messages/1");
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_TRUE(wrong_method.path_known);
  RouteTable::Found unknown = Examples().Find("GET", "/v1/nothing/here");
  EXPECT_EQ(unknown.route, nullptr);
  EXPECT_FALSE(unknown.path_known);
  // A verb must match exactly; a path without it is another route.
  EXPECT_EQ(Examples().Find("POST", "/v1/shelves/s1/books/b1:unarchive").route, nullptr);
  ASSERT_EQ(Examples().unrouted().size(), 1u);
  EXPECT_EQ(Examples().unrouted()[0]->name(), "Internal");
}

TEST(RouteTableTest, RefusesTemplatesOutsideTheGrammar) {
  for (const char* bad : {"v1/x", "/v1/{name", "/v1/name}", "/v1/**/x", "/v1//x", "/v1/{a=b/{c}}",
                          "/v1/{a}/{a}", "/v1/x:", "/v1/{1a}"}) {
    EXPECT_FALSE(PathTemplate::Parse(bad).ok()) << bad;
  }
}

TEST(BuildRequestTest, NamesTheParameterOrFieldThatIsWrong) {
  auto build = [](const char* method, const char* target, const char* body) {
    absl::string_view t = target;
    const size_t q = t.find('?');
    RouteTable::Found found = Examples().Find(method, t.substr(0, q));
    EXPECT_NE(found.route, nullptr) << target;
    HttpInput in;
    in.query = q == absl::string_view::npos ? "" : t.substr(q + 1);
    in.body = body;
    return BuildRequest(found, in).status();
  };
  EXPECT_THAT(build("GET", "/v1/messages/1?nope=1", "").message(),
              HasSubstr("query parameter `nope`"));
  EXPECT_THAT(build("GET", "/v1/messages/1?revision=two", "").message(),
              HasSubstr("query parameter `revision`"));
  EXPECT_THAT(build("GET", "/v1/messages/1?view=HUGE", "").message(),
              HasSubstr("query parameter `view`"));
  EXPECT_THAT(build("GET", "/v1/messages/1?sub=x", "").message(), HasSubstr("is a message"));
  EXPECT_THAT(build("GET", "/v1/messages/1?message_id=2", "").message(),
              HasSubstr("the path sets it"));
  EXPECT_THAT(build("GET", "/v1/messages/1?x=%zz", "").message(), HasSubstr("percent-encoding"));
  EXPECT_THAT(build("PATCH", "/v1/messages/1", R"({"txt": "Hi"})").message(), HasSubstr("body"));
  EXPECT_THAT(build("PATCH", "/v1/messages/1", R"({"text": )").message(), HasSubstr("body"));
  EXPECT_THAT(build("PATCH", "/v1/messages/1?message.text=x", R"({})").message(),
              HasSubstr("the body sets it"));
  EXPECT_THAT(build("PATCH", "/v2/messages/1?text=x", R"({})").message(),
              HasSubstr("not the query"));
  EXPECT_THAT(build("GET", "/v1/messages/1", R"({"a":1})").message(), HasSubstr("takes no body"));
  EXPECT_EQ(build("GET", "/v1/messages/1", "").code(), absl::StatusCode::kOk);
}

TEST(BuildRequestTest, IdempotencyKeyAndIfMatchFillRequestIdAndEtagUnlessTheBodySetsThem) {
  RouteTable::Found found = Examples().Find("PATCH", "/v1/messages/1");
  ASSERT_NE(found.route, nullptr);
  HttpInput in;
  in.idempotency_key = "key-1";
  in.if_match = "W/\"etag-7\"";
  auto request = BuildRequest(found, in);
  ASSERT_TRUE(request.ok()) << request.status();
  const auto& update = static_cast<const testing::UpdateMessageRequest&>(**request);
  EXPECT_EQ(update.request_id(), "key-1");
  EXPECT_EQ(update.etag(), "etag-7");
  in.if_match = "*";
  auto any = BuildRequest(found, in);
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(static_cast<const testing::UpdateMessageRequest&>(**any).etag(), "");
}

TEST(ErrorJsonTest, MapsTheCodeAndPassesTheServicesDetailsThrough) {
  google::rpc::Status status;
  status.set_code(3);
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("ticket.title");
  v->set_description("at most 300 bytes");
  status.add_details()->PackFrom(bad);
  const std::string json =
      ErrorJson(3, "field `ticket.title`: at most 300 bytes", status.SerializeAsString());
  EXPECT_THAT(json, HasSubstr(R"("code":400)"));
  EXPECT_THAT(json, HasSubstr(R"("status":"INVALID_ARGUMENT")"));
  EXPECT_THAT(json, HasSubstr(R"("@type":"type.googleapis.com/google.rpc.BadRequest")"));
  EXPECT_THAT(json, HasSubstr(R"("field":"ticket.title")"));
  EXPECT_THAT(ErrorJson(16, "missing bearer token", ""), HasSubstr(R"({"error":{"code":401,)"));
  EXPECT_EQ(HttpStatusFor(5), 404);
  EXPECT_EQ(HttpStatusFor(9), 400);
  EXPECT_EQ(HttpStatusFor(10), 409);
  EXPECT_EQ(HttpStatusFor(8), 429);
  EXPECT_EQ(HttpStatusFor(14), 503);
  EXPECT_EQ(HttpStatusFor(7), 403);
}

TEST(ErrorJsonTest, TheGatewaysOwnErrorsNameTheParameterAsAFieldViolation) {
  const std::string json =
      ErrorJson(3, "query parameter `pageSize`: not a valid value",
                BadRequestDetails("query parameter `pageSize`: not a valid value"));
  EXPECT_THAT(json, HasSubstr(R"("field":"pageSize")"));
  EXPECT_THAT(BadRequestDetails("body: unexpected end"), HasSubstr("body"));
}

TEST(ToJsonTest, PrintsEmptyListsAndZerosSoFrontEndsSeeAStableShape) {
  testing::GetMessageRequest m;
  auto json = ToJson(m);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, HasSubstr(R"("tags":[])"));
  EXPECT_THAT(*json, HasSubstr(R"("revision":"0")"));
  EXPECT_THAT(*json, HasSubstr(R"("view":"VIEW_UNSPECIFIED")"));
}

TEST(LinkSealerTest, OpensWhatItSealedAndNothingElse) {
  const LinkSealer sealer("key one"), other("key two");
  const std::string sealed = sealer.Seal("/v1/customers/c1/contracts/k1:render?format=HTML");
  auto opened = sealer.Open(sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "/v1/customers/c1/contracts/k1:render?format=HTML");
  EXPECT_EQ(sealed.find('/'), std::string::npos);       // one URL path segment
  EXPECT_NE(sealer.Seal("same"), sealer.Seal("same"));  // a fresh nonce each time
  EXPECT_EQ(other.Open(sealed).status().code(), absl::StatusCode::kPermissionDenied);
  std::string altered = sealed;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(sealer.Open(altered).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(sealer.Open("short").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(sealer.Open("!!not base64!!").status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(SuiteRoutesTest, EveryRpcOfTheFourServicesHasARoute) {
  (void)contract::v1::Customer::descriptor();
  (void)ticket::v1::Ticket::descriptor();
  (void)billing::v1::Invoice::descriptor();
  (void)reporting::v1::Report::descriptor();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const char* name : {"sla.contract.v1.ContractService", "sla.ticket.v1.TicketService",
                           "sla.billing.v1.BillingService", "sla.reporting.v1.ReportingService"}) {
    services.push_back(pool->FindServiceByName(name));
    ASSERT_NE(services.back(), nullptr) << name;
  }
  auto table = RouteTable::Build(services);
  ASSERT_TRUE(table.ok()) << table.status();
  for (const auto* m : table->unrouted())
    ADD_FAILURE() << m->full_name() << " has no google.api.http rule";
  // Every RPC is an operation of the OpenAPI document, with its path in OpenAPI form.
  google::protobuf::Struct doc;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(OpenApiJson(*table), &doc).ok());
  std::set<std::string> operations;
  for (const auto& [path, item] : doc.fields().at("paths").struct_value().fields()) {
    EXPECT_EQ(path.find('='), std::string::npos) << path;
    EXPECT_EQ(path.find('*'), std::string::npos) << path;
    for (const auto& [verb, op] : item.struct_value().fields()) {
      EXPECT_TRUE(
          operations.insert(op.struct_value().fields().at("operationId").string_value()).second)
          << "operationIds are unique";
    }
  }
  for (const auto* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string id = absl::StrCat(service->name(), "_", service->method(i)->name());
      EXPECT_EQ(operations.count(id), 1u) << id << " is not in the OpenAPI document";
    }
  }
  EXPECT_EQ(doc.fields().at("paths").struct_value().fields().count(
                "/v1/customers/{customer}/tickets/{ticket}"),
            1u);
  // Each path reaches the one method it names.
  struct Want {
    const char* http_method;
    const char* path;
    const char* rpc;
  };
  for (const Want& w : {Want{"GET", "/v1/customers/c1/tickets/t1", "GetTicket"},
                        Want{"GET", "/v1/customers/-/tickets", "ListTickets"},
                        Want{"POST", "/v1/customers/c1/tickets", "CreateTicket"},
                        Want{"POST", "/v1/customers/c1/tickets/t1:transition", "TransitionTicket"},
                        Want{"GET", "/v1/customers/c1/contracts/k1", "GetContract"},
                        Want{"GET", "/v1/customers/c1/contracts/k1:lint", "LintContract"},
                        Want{"POST", "/v1/customers/c1/contracts/k1:activate", "ActivateContract"},
                        Want{"GET", "/v1/customers/c1/contracts/k1/reports/2026-11", "GetReport"},
                        Want{"GET", "/v1/customers/-/reports/2026-11", "GetReport"},
                        Want{"PATCH", "/v1/calendars/bangkok-office", "UpdateCalendar"},
                        Want{"GET", "/v1/customers/c1/creditNotes", "ListCreditNotes"}}) {
    RouteTable::Found f = table->Find(w.http_method, w.path);
    ASSERT_NE(f.route, nullptr) << w.http_method << " " << w.path;
    EXPECT_EQ(f.route->method->name(), w.rpc) << w.path;
  }
}

}  // namespace
}  // namespace sla::gateway
