// The REST/JSON gateway over real sockets, in front of the real contract-svc and ticket-svc:
// the chain a front end walks (customer, calendars, contract, activation, ticket, comment,
// lists with filters and paging), errors of each class with their HTTP status and JSON body,
// tokens that are missing or of another customer, CORS, the body limit, and what a browser
// gets for a path or method nothing serves.
#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/server/auth.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "sla/contract/v1/contract_service.pb.h"
#include "sla/gateway/v1/error.pb.h"
#include "sla/gateway/v1/gateway_service.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "sla/v1/event_service.pb.h"
#include "tests/http_client.h"
#include "tests/suite_fixture.h"

namespace sla {
namespace {

namespace cpb = contract::v1;
namespace tpb = ticket::v1;
using test::Http;
using test::HttpReply;

template <typename T>
T FromJson(const HttpReply& r) {
  T out;
  google::protobuf::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = false;
  const auto s = google::protobuf::util::JsonStringToMessage(r.body, &out, lenient);
  EXPECT_TRUE(s.ok()) << s.message() << " in " << r.body;
  return out;
}

class GatewayTest : public SuiteProcessTest {
 protected:
  void SetUp() override {
    contract_db_ = NewDatabase("gw");
    ticket_db_ = NewDatabase("gw");
    ASSERT_TRUE(contract_db_ && ticket_db_);
    // API key answers are kept 1 s, so a revocation shows within the test.
    contract_ = Start(SLA_CONTRACT_SVC, *contract_db_, "contract.log", {"--api_key_cache_s=1"});
    const int contract_port = contract_->WaitForPort();
    ASSERT_GT(contract_port, 0);
    contract_port_ = contract_port;
    ticket_ = Start(
        SLA_TICKET_SVC, *ticket_db_, "ticket.log",
        {absl::StrCat("--contract_address=127.0.0.1:", contract_port), "--api_key_cache_s=1"});
    const int ticket_port = ticket_->WaitForPort();
    ASSERT_GT(ticket_port, 0);
    ticket_port_ = ticket_port;
    gateway_ = std::make_unique<ServiceProcess>(
        SLA_GATEWAY,
        std::vector<std::string>{"--port=0",
                                 absl::StrCat("--contract_address=127.0.0.1:", contract_port),
                                 absl::StrCat("--ticket_address=127.0.0.1:", ticket_port),
                                 "--cors_origins=http://portal.example", "--read_timeout_s=5"},
        absl::StrCat(dir_, "/gateway.log"));
    port_ = gateway_->WaitForPort();
    ASSERT_GT(port_, 0);
  }

  std::map<std::string, std::string> Bearer(const std::string& role,
                                            const std::string& tenant = "") {
    auto t = server::MintToken(jwt_, {"web-user", tenant, {role}}, absl::Now(), absl::Minutes(10));
    EXPECT_TRUE(t.ok());
    return {{"authorization", "Bearer " + t.value_or("")}};
  }

  static std::map<std::string, std::string> With(std::map<std::string, std::string> h,
                                                 const std::string& k, const std::string& v) {
    h[k] = v;
    return h;
  }

  // The error body of `r`, checked to have `http_status` and gRPC `status`.
  static gateway::v1::ErrorBody ExpectError(const HttpReply& r, int http_status,
                                            const std::string& status) {
    EXPECT_EQ(r.status, http_status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
    auto e = FromJson<gateway::v1::ErrorBody>(r);
    EXPECT_EQ(e.error().code(), http_status) << r.body;
    EXPECT_EQ(e.error().status(), status) << r.body;
    EXPECT_FALSE(e.error().message().empty()) << r.body;
    return e;
  }

  std::unique_ptr<test::ScratchDatabase> contract_db_, ticket_db_;
  std::unique_ptr<ServiceProcess> contract_, ticket_, gateway_;
  int port_ = 0;
  int ticket_port_ = 0;
  int contract_port_ = 0;
};

TEST_F(GatewayTest, AFrontEndWalksFromCustomerToCommentedTicketsOverHttp) {
  const auto admin = Bearer("msp_admin");
  EXPECT_EQ(Http(port_, "GET", "/healthz").status, 200);

  // Customer, calendars (calendar_id from the query), contract from the example terms.
  HttpReply r = Http(port_, "POST", "/v1/customers", R"({"displayName": "Acme Thai Co."})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto customer = FromJson<cpb::Customer>(r);
  ASSERT_FALSE(customer.name().empty());
  for (const char* id : {"bangkok-office", "always-on"}) {
    r = Http(port_, "POST", absl::StrCat("/v1/calendars?calendarId=", id),
             R"({"displayName": "Office", "timeZone": "Asia/Bangkok", "alwaysOpen": true})", admin);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::ifstream in(SLA_EXAMPLE_TERMS);
  std::stringstream terms;
  terms << in.rdbuf();
  r = Http(port_, "POST", absl::StrCat("/v1/", customer.name(), "/contracts"),
           absl::StrCat(R"({"displayName": "Managed IT", "terms": )", terms.str(), "}"), admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto draft = FromJson<cpb::Contract>(r);
  EXPECT_EQ(r.header("etag"), absl::StrCat("\"", draft.etag(), "\""));

  // Activation: a stale etag (If-Match) is a conflict naming the etag; the current one activates.
  const std::string activate = absl::StrCat("/v1/", draft.name(), ":activate");
  const std::string when =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() - absl::Hours(24), absl::UTCTimeZone());
  r = Http(port_, "POST", activate, absl::StrCat(R"({"effectiveFrom": ")", when, R"("})"),
           With(admin, "if-match", "\"stale\""));
  auto stale = ExpectError(r, 409, "ABORTED");
  ASSERT_GE(stale.error().details_size(), 1) << r.body;
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(stale.error().details(0).UnpackTo(&failure)) << r.body;
  EXPECT_EQ(failure.violations(0).type(), "ETAG");
  EXPECT_EQ(failure.violations(0).subject(), draft.name());
  r = Http(port_, "POST", activate, absl::StrCat(R"({"effectiveFrom": ")", when, R"("})"),
           With(admin, "if-match", absl::StrCat("\"", draft.etag(), "\"")));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto active = FromJson<cpb::Contract>(r);
  EXPECT_EQ(active.state(), cpb::Contract::ACTIVE) << r.body;

  // The agreement as a file: directly with alt=media, and through a signed link that needs no
  // header (what an <a href> in a browser can follow).
  const std::string render = absl::StrCat("/v1/", active.name(), ":render?format=HTML");
  r = Http(port_, "GET", absl::StrCat(render, "&alt=media"), "", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type").rfind("text/html", 0), 0u) << r.header("content-type");
  EXPECT_EQ(r.header("content-disposition"), "attachment; filename=\"renderagreement.html\"");
  const std::string agreement = r.body;
  r = Http(port_, "POST", "/v1/downloads:sign",
           absl::StrCat(R"({"path": ")", render, R"(", "ttlSeconds": 60})"), admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto link = FromJson<gateway::v1::SignedDownload>(r);
  ASSERT_EQ(link.url().rfind("/v1/downloads/", 0), 0u) << link.url();
  EXPECT_EQ(link.url().find(std::string(admin.at("authorization")).substr(7, 20)),
            std::string::npos);
  r = Http(port_, "GET", link.url());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, agreement);
  // Altered, expired, for something that is no document, or asked for without a token: refused.
  std::string altered = link.url();
  altered[altered.size() - 5] = altered[altered.size() - 5] == 'A' ? 'B' : 'A';
  ExpectError(Http(port_, "GET", altered), 403, "PERMISSION_DENIED");
  ExpectError(Http(port_, "POST", "/v1/downloads:sign",
                   absl::StrCat(R"({"path": "/v1/)", active.name(), R"("})"), admin),
              400, "INVALID_ARGUMENT");
  ExpectError(
      Http(port_, "POST", "/v1/downloads:sign", absl::StrCat(R"({"path": ")", render, R"("})")),
      401, "UNAUTHENTICATED");
  r = Http(port_, "POST", "/v1/downloads:sign",
           absl::StrCat(R"({"path": ")", render, R"(", "ttlSeconds": 1})"), admin);
  ASSERT_EQ(r.status, 200) << r.body;
  absl::SleepFor(absl::Milliseconds(2100));
  auto expired = ExpectError(Http(port_, "GET", FromJson<gateway::v1::SignedDownload>(r).url()),
                             403, "PERMISSION_DENIED");
  EXPECT_NE(expired.error().message().find("expired"), std::string::npos);
  // A link signed by another customer's user fetches as that user: nothing of this customer.
  r = Http(port_, "POST", "/v1/downloads:sign", absl::StrCat(R"({"path": ")", render, R"("})"),
           Bearer("customer_user", "someone-else"));
  ASSERT_EQ(r.status, 200) << r.body;
  r = Http(port_, "GET", FromJson<gateway::v1::SignedDownload>(r).url());
  EXPECT_TRUE(r.status == 403 || r.status == 404) << r.status << " " << r.body;

  // Tickets: the same Idempotency-Key twice opens one ticket.
  const auto agent = Bearer("msp_agent");
  std::vector<std::string> tickets;
  for (int i = 0; i < 3; ++i) {
    const std::string body = absl::StrCat(
        R"({"contract": ")", active.name(),
        R"(", "serviceId": "service-desk", "priority": "PRIORITY_P2", "title": "Printer )", i,
        R"( offline", "reporter": "somchai@acme.example"})");
    const auto headers = With(agent, "idempotency-key", absl::StrCat("open-", i));
    r = Http(port_, "POST", absl::StrCat("/v1/", customer.name(), "/tickets"), body, headers);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto ticket = FromJson<tpb::Ticket>(r);
    HttpReply again =
        Http(port_, "POST", absl::StrCat("/v1/", customer.name(), "/tickets"), body, headers);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(FromJson<tpb::Ticket>(again).name(), ticket.name());
    tickets.push_back(ticket.name());
  }

  // A comment, then the list of comments. Asked for, the answer names the event position that
  // includes the comment (to pass to billing or reporting: read-your-writes).
  auto asking = agent;
  asking["x-sla-want-position"] = "1";
  r = Http(port_, "POST", absl::StrCat("/v1/", tickets[0], "/comments"),
           R"({"body": "On site at 14:00", "visibility": "PUBLIC", "kind": "MESSAGE"})", asking);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-sla-event-position").rfind("ticket-svc/", 0), 0u)
      << r.header("x-sla-event-position");
  r = Http(port_, "GET", absl::StrCat("/v1/", tickets[0], "/comments"), "", agent);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto comments = FromJson<tpb::ListCommentsResponse>(r);
  ASSERT_EQ(comments.comments_size(), 1) << r.body;
  EXPECT_EQ(comments.comments(0).body(), "On site at 14:00");

  // Paging through `customers/-` two at a time, and a filter.
  std::set<std::string> seen;
  std::string token;
  for (int page = 0; page < 5; ++page) {
    r = Http(port_, "GET",
             absl::StrCat("/v1/customers/-/tickets?pageSize=2",
                          token.empty() ? "" : "&pageToken=", token),
             "", agent);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto list = FromJson<tpb::ListTicketsResponse>(r);
    EXPECT_LE(list.tickets_size(), 2);
    for (const auto& t : list.tickets()) seen.insert(t.name());
    token = list.next_page_token();
    if (token.empty()) break;
  }
  EXPECT_EQ(seen, std::set<std::string>(tickets.begin(), tickets.end()));
  r = Http(port_, "GET",
           absl::StrCat("/v1/", customer.name(), "/tickets?filter=priority%3DPRIORITY_P1"), "",
           agent);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(FromJson<tpb::ListTicketsResponse>(r).tickets_size(), 0) << r.body;

  // The customer sees its own ticket; another customer's token does not.
  const std::string tenant = std::vector<std::string>(absl::StrSplit(customer.name(), '/'))[1];
  r = Http(port_, "GET", absl::StrCat("/v1/", tickets[0]), "", Bearer("customer_user", tenant));
  EXPECT_EQ(r.status, 200) << r.body;
  r = Http(port_, "GET", absl::StrCat("/v1/", tickets[0]), "",
           Bearer("customer_user", "someone-else"));
  EXPECT_TRUE(r.status == 403 || r.status == 404) << r.status << " " << r.body;
  EXPECT_EQ(r.body.find("Printer"), std::string::npos) << r.body;
}

TEST_F(GatewayTest, ErrorsCarryTheirHttpStatusAndGoogleStyleBody) {
  const auto admin = Bearer("msp_admin");
  // No token; a token that is not one.
  ExpectError(Http(port_, "GET", "/v1/customers"), 401, "UNAUTHENTICATED");
  ExpectError(Http(port_, "GET", "/v1/customers", "", {{"authorization", "Bearer nope"}}), 401,
              "UNAUTHENTICATED");
  // Not found, from the service.
  ExpectError(Http(port_, "GET", "/v1/customers/cust-missing", "", admin), 404, "NOT_FOUND");
  // Invalid argument, from the service, naming the field.
  auto e =
      ExpectError(Http(port_, "POST", "/v1/customers",
                       absl::StrCat(R"({"displayName": ")", std::string(400, 'x'), R"("})"), admin),
                  400, "INVALID_ARGUMENT");
  EXPECT_NE(e.error().message().find("display_name"), std::string::npos) << e.error().message();
  google::rpc::BadRequest bad;
  ASSERT_GE(e.error().details_size(), 1);
  ASSERT_TRUE(e.error().details(0).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 1);
  EXPECT_EQ(bad.field_violations(0).field(), "customer.display_name");
  // Invalid argument, from the gateway: malformed JSON, an unknown field, an unknown parameter.
  e = ExpectError(Http(port_, "POST", "/v1/customers", R"({"displayName": )", admin), 400,
                  "INVALID_ARGUMENT");
  EXPECT_NE(e.error().message().find("body"), std::string::npos);
  ExpectError(Http(port_, "POST", "/v1/customers", R"({"colour": "red"})", admin), 400,
              "INVALID_ARGUMENT");
  e = ExpectError(Http(port_, "GET", "/v1/customers?pageSiz=2", "", admin), 400,
                  "INVALID_ARGUMENT");
  EXPECT_NE(e.error().message().find("pageSiz"), std::string::npos);
  // Permission: an agent cannot create customers.
  ExpectError(Http(port_, "POST", "/v1/customers", R"({"displayName": "X"})",
                   Bearer("customer_user", "c1")),
              403, "PERMISSION_DENIED");
  // A path nothing serves; a method the path does not take; a body that is not JSON; one too large.
  ExpectError(Http(port_, "GET", "/v1/nothing"), 404, "NOT_FOUND");
  EXPECT_EQ(Http(port_, "DELETE", "/v1/customers").status, 405);
  EXPECT_EQ(Http(port_, "POST", "/v1/customers", "displayName=x",
                 With(admin, "content-type", "text/plain"))
                .status,
            415);
  ExpectError(Http(port_, "POST", "/v1/customers", std::string(200 << 10, ' '), admin), 429,
              "RESOURCE_EXHAUSTED");
  // A service that is down: UNAVAILABLE, 503 (billing-svc is not started here).
  ExpectError(Http(port_, "GET", "/v1/customers/-/invoices", "", admin), 503, "UNAVAILABLE");
}

// The ids ("id: N") of the SSE frames in `text`, in order.
std::vector<int64_t> EventIds(const std::string& text) {
  std::vector<int64_t> ids;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    int64_t id = 0;
    if (absl::ConsumePrefix(&line, "id: ") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &id))
      ids.push_back(id);
  }
  return ids;
}

TEST_F(GatewayTest, WatchEventsStreamsAsServerSentEventsAndResumesFromLastEventId) {
  const auto admin = Bearer("msp_admin");
  // Three events: three customers created... on ticket-svc: three tickets need a contract, so
  // contract-svc's customers are not enough; open tickets through the chain instead.
  HttpReply r = Http(port_, "POST", "/v1/customers", R"({"displayName": "Acme"})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto customer = FromJson<cpb::Customer>(r);
  for (const char* id : {"bangkok-office", "always-on"}) {
    ASSERT_EQ(
        Http(port_, "POST", absl::StrCat("/v1/calendars?calendarId=", id),
             R"({"displayName": "Office", "timeZone": "Asia/Bangkok", "alwaysOpen": true})", admin)
            .status,
        200);
  }
  std::ifstream in(SLA_EXAMPLE_TERMS);
  std::stringstream terms;
  terms << in.rdbuf();
  r = Http(port_, "POST", absl::StrCat("/v1/", customer.name(), "/contracts"),
           absl::StrCat(R"({"displayName": "Managed IT", "terms": )", terms.str(), "}"), admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto draft = FromJson<cpb::Contract>(r);
  const std::string when =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() - absl::Hours(24), absl::UTCTimeZone());
  r = Http(port_, "POST", absl::StrCat("/v1/", draft.name(), ":activate"),
           absl::StrCat(R"({"etag": ")", draft.etag(), R"(", "effectiveFrom": ")", when, R"("})"),
           admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto agent = Bearer("msp_agent");
  for (int i = 0; i < 3; ++i) {
    r = Http(
        port_, "POST", absl::StrCat("/v1/", customer.name(), "/tickets"),
        absl::StrCat(R"({"contract": ")", draft.name(),
                     R"(", "serviceId": "service-desk", "priority": "PRIORITY_P3", "title": "T)", i,
                     R"(", "reporter": "a@acme.example"})"),
        agent);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // From the start: at least three frames, each with an id, an event type and JSON data.
  auto [status, text] = test::HttpStreamUntil(
      port_, "/v1/ticketEvents:watch", agent,
      [](const std::string& t) { return EventIds(t).size() >= 3; }, std::chrono::seconds(10));
  EXPECT_EQ(status, 200) << text;
  EXPECT_NE(absl::AsciiStrToLower(text).find("content-type: text/event-stream"), std::string::npos)
      << text;
  EXPECT_NE(text.find("event: ticket."), std::string::npos) << text;
  EXPECT_NE(text.find("data: {\"sequence\":"), std::string::npos) << text;
  const std::vector<int64_t> first = EventIds(text);
  ASSERT_GE(first.size(), 3u) << text;

  // Resuming after the first event's id gives the ones after it, and not it.
  auto [status2, text2] = test::HttpStreamUntil(
      port_, "/v1/ticketEvents:watch", With(agent, "last-event-id", absl::StrCat(first[0])),
      [](const std::string& t) { return EventIds(t).size() >= 2; }, std::chrono::seconds(10));
  EXPECT_EQ(status2, 200);
  const std::vector<int64_t> resumed = EventIds(text2);
  ASSERT_GE(resumed.size(), 2u) << text2;
  EXPECT_EQ(resumed[0], first[1]);
  for (int64_t id : resumed) EXPECT_GT(id, first[0]);

  // The typed streams: one path per stream, routed to the service whose stream it is; each
  // event's payload is a JSON object of its family, not a string.
  r = Http(port_, "GET", "/v1/streams/ticket-svc/events?pageSize=2", "", agent);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto typed = FromJson<sla::v1::ListEventsResponse>(r);
  EXPECT_EQ(typed.stream(), "ticket-svc");
  ASSERT_EQ(typed.events_size(), 2) << r.body;
  EXPECT_EQ(typed.events(0).sequence(), first[0]);
  EXPECT_TRUE(typed.events(0).payload().has_ticket()) << r.body;
  EXPECT_NE(r.body.find("\"payload\":{\"ticket\":{"), std::string::npos) << r.body;
  r = Http(port_, "GET", "/v1/streams/nowhere/events", "", agent);
  EXPECT_EQ(r.status, 404) << r.body;
  auto [typed_status, typed_text] = test::HttpStreamUntil(
      port_, "/v1/streams/ticket-svc/events:watch", agent,
      [](const std::string& t) { return EventIds(t).size() >= 3; }, std::chrono::seconds(10));
  EXPECT_EQ(typed_status, 200) << typed_text;
  EXPECT_EQ(EventIds(typed_text),
            std::vector<int64_t>(first.begin(), first.begin() + EventIds(typed_text).size()))
      << typed_text;
  EXPECT_NE(typed_text.find("\"stream\":\"ticket-svc\""), std::string::npos) << typed_text;

  // A customer may not read the feed; no token is refused too, as an SSE error frame.
  auto [denied_status, denied] = test::HttpStreamUntil(
      port_, "/v1/ticketEvents:watch", {},
      [](const std::string& t) { return t.find("event: error") != std::string::npos; },
      std::chrono::seconds(10));
  EXPECT_NE(denied.find("UNAUTHENTICATED"), std::string::npos) << denied;
}

TEST_F(GatewayTest, EventStreamsAreCappedPerIdentity) {
  // --max_streams_per_identity is 2 here: a third stream of the same subject is refused, one
  // of another subject is not.
  gateway_->Terminate();
  gateway_ = std::make_unique<ServiceProcess>(
      SLA_GATEWAY,
      std::vector<std::string>{"--port=0",
                               absl::StrCat("--ticket_address=127.0.0.1:", ticket_port_),
                               "--max_streams_per_identity=2"},
      absl::StrCat(dir_, "/gateway-capped.log"));
  port_ = gateway_->WaitForPort();
  ASSERT_GT(port_, 0);
  const auto agent = Bearer("msp_agent");
  std::vector<std::thread> open;
  std::atomic<int> opened{0};
  for (int i = 0; i < 2; ++i) {
    open.emplace_back([&] {
      auto [st, text] = test::HttpStreamUntil(
          port_, "/v1/ticketEvents:watch", agent,
          [&](const std::string& t) {
            if (t.find("200 OK") != std::string::npos && t.find("\r\n\r\n") != std::string::npos)
              ++opened;
            return false;
          },
          std::chrono::seconds(4));
    });
  }
  for (int i = 0; i < 40 && opened < 2; ++i) absl::SleepFor(absl::Milliseconds(100));
  ASSERT_EQ(opened.load(), 2);
  HttpReply third = Http(port_, "GET", "/v1/ticketEvents:watch", "", agent);
  ExpectError(third, 429, "RESOURCE_EXHAUSTED");
  auto other =
      server::MintToken(jwt_, {"someone-else", "", {"msp_agent"}}, absl::Now(), absl::Minutes(10));
  auto [st, text] = test::HttpStreamUntil(
      port_, "/v1/ticketEvents:watch", {{"authorization", "Bearer " + other.value_or("")}},
      [](const std::string& t) { return t.find("\r\n\r\n") != std::string::npos; },
      std::chrono::seconds(4));
  EXPECT_EQ(st, 200) << text;
  for (std::thread& t : open) t.join();
}

// A raw connection to the gateway, for clients that misbehave or just stay.
struct RawConnection {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket{io};
  bool Open(int port) {
    boost::system::error_code ec;
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)},
                   ec);
    return !ec;
  }
  bool Send(const std::string& bytes) {
    boost::system::error_code ec;
    boost::asio::write(socket, boost::asio::buffer(bytes), ec);
    return !ec;
  }
  // Reads what has arrived until `needle` shows up (true) or the peer closes (false).
  bool ReadUntil(const std::string& needle, std::string* got = nullptr) {
    std::string text;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      const size_t n = socket.read_some(boost::asio::buffer(buf), ec);
      if (ec) break;
      text.append(buf, n);
      if (text.find(needle) != std::string::npos) break;
    }
    if (got != nullptr) *got = text;
    return text.find(needle) != std::string::npos;
  }
};

TEST_F(GatewayTest, IdleConnectionsEventStreamsAndASlowClientDoNotStopOtherCalls) {
  // 50 streams of one identity need the cap raised; the feed is polled, so no stream holds a
  // ticket-svc thread.
  gateway_->Terminate();
  gateway_ = std::make_unique<ServiceProcess>(
      SLA_GATEWAY,
      std::vector<std::string>{"--port=0",
                               absl::StrCat("--contract_address=127.0.0.1:", contract_port_),
                               absl::StrCat("--ticket_address=127.0.0.1:", ticket_port_),
                               "--read_timeout_s=3", "--max_streams_per_identity=64"},
      absl::StrCat(dir_, "/gateway-load.log"));
  port_ = gateway_->WaitForPort();
  ASSERT_GT(port_, 0);
  const auto agent = Bearer("msp_agent");
  const std::string auth = agent.at("authorization");

  // 200 keep-alive connections that made one request and now wait.
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 200; ++i) {
    auto c = std::make_unique<RawConnection>();
    ASSERT_TRUE(c->Open(port_)) << i;
    ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(c->ReadUntil("SERVING")) << i;
    idle.push_back(std::move(c));
  }
  // 50 open event streams.
  std::vector<std::unique_ptr<RawConnection>> streams;
  for (int i = 0; i < 50; ++i) {
    auto c = std::make_unique<RawConnection>();
    ASSERT_TRUE(c->Open(port_));
    ASSERT_TRUE(c->Send(absl::StrCat(
        "GET /v1/ticketEvents:watch HTTP/1.1\r\nHost: x\r\nAuthorization: ", auth, "\r\n\r\n")));
    std::string head;
    ASSERT_TRUE(c->ReadUntil("\r\n\r\n", &head)) << i;
    ASSERT_NE(head.find("200 OK"), std::string::npos) << head;
    streams.push_back(std::move(c));
  }
  // A slowloris client: a header line, then a byte now and then, never the end.
  RawConnection slow;
  ASSERT_TRUE(slow.Open(port_));
  ASSERT_TRUE(slow.Send("GET /v1/customers HTTP/1.1\r\nHost: x\r\n"));
  std::atomic<bool> dribbling{true};
  std::thread dribbler([&] {
    while (dribbling && slow.Send("X")) absl::SleepFor(absl::Milliseconds(300));
  });

  // Meanwhile every call still answers at once.
  for (int i = 0; i < 20; ++i) {
    const absl::Time t0 = absl::Now();
    HttpReply r = Http(port_, "GET", "/v1/customers/-/tickets?pageSize=1", "", agent);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_LT(absl::Now() - t0, absl::Seconds(1)) << "call " << i;
  }
  // The slow client is cut off once its request is not complete within --read_timeout_s (3 s).
  const absl::Time t0 = absl::Now();
  std::string rest;
  slow.ReadUntil("never", &rest);
  const absl::Duration cut = absl::Now() - t0;
  dribbling = false;
  dribbler.join();
  EXPECT_LT(cut, absl::Seconds(6));
  // Keep-alive connections idle for longer than --read_timeout_s were closed by then too.
  EXPECT_FALSE(idle[0]->ReadUntil("anything"));
}

// Runs `command` and returns what it printed on stdout.
std::string Output(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST_F(GatewayTest, APageOnAnotherOriginUsesTheGatewayInChromium) {
  const std::string browser = Output("command -v chromium || command -v chromium-browser");
  ASSERT_FALSE(browser.empty()) << "chromium is not installed (scripts/test installs it)";
  // The page's origin: tests/browser/ served by Python on a port of its own.
  const int page_port = FreePort();
  ASSERT_GT(page_port, 0);
  ServiceProcess pages("/usr/bin/python3",
                       {"-m", "http.server", absl::StrCat(page_port), "--bind", "127.0.0.1",
                        "--directory", SLA_BROWSER_PAGES},
                       absl::StrCat(dir_, "/pages.log"));
  const std::string origin = absl::StrCat("http://127.0.0.1:", page_port);
  gateway_->Terminate();
  gateway_ = std::make_unique<ServiceProcess>(
      SLA_GATEWAY,
      std::vector<std::string>{"--port=0",
                               absl::StrCat("--contract_address=127.0.0.1:", contract_port_),
                               absl::StrCat("--ticket_address=127.0.0.1:", ticket_port_),
                               absl::StrCat("--cors_origins=", origin)},
      absl::StrCat(dir_, "/gateway-browser.log"));
  port_ = gateway_->WaitForPort();
  ASSERT_GT(port_, 0);

  // Three tickets to list, and their events to stream.
  const auto admin = Bearer("msp_admin");
  HttpReply r = Http(port_, "POST", "/v1/customers", R"({"displayName": "Acme"})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto customer = FromJson<cpb::Customer>(r);
  for (const char* id : {"bangkok-office", "always-on"}) {
    ASSERT_EQ(
        Http(port_, "POST", absl::StrCat("/v1/calendars?calendarId=", id),
             R"({"displayName": "Office", "timeZone": "Asia/Bangkok", "alwaysOpen": true})", admin)
            .status,
        200);
  }
  std::ifstream in(SLA_EXAMPLE_TERMS);
  std::stringstream terms;
  terms << in.rdbuf();
  r = Http(port_, "POST", absl::StrCat("/v1/", customer.name(), "/contracts"),
           absl::StrCat(R"({"displayName": "Managed IT", "terms": )", terms.str(), "}"), admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto draft = FromJson<cpb::Contract>(r);
  const std::string when =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() - absl::Hours(24), absl::UTCTimeZone());
  ASSERT_EQ(
      Http(port_, "POST", absl::StrCat("/v1/", draft.name(), ":activate"),
           absl::StrCat(R"({"etag": ")", draft.etag(), R"(", "effectiveFrom": ")", when, R"("})"),
           admin)
          .status,
      200);
  const auto agent = Bearer("msp_agent");
  for (const char* title : {"Printer offline", "VPN down", "Email bounce"}) {
    r = Http(
        port_, "POST", absl::StrCat("/v1/", customer.name(), "/tickets"),
        absl::StrCat(R"({"contract": ")", draft.name(),
                     R"(", "serviceId": "service-desk", "priority": "PRIORITY_P2", "title": ")",
                     title, R"(", "reporter": "a@acme.example"})"),
        agent);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  for (int i = 0; i < 50 && Http(page_port, "GET", "/gateway_page.html").status != 200; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }

  const std::string token = agent.at("authorization").substr(7);
  const std::string url =
      absl::StrCat(origin, "/gateway_page.html?api=http://127.0.0.1:", port_, "&token=", token);
  // Playwright drives Debian's Chromium (tests/browser/open_page.mjs), installed from npm
  // on first use.
  const std::string dom = Output(absl::StrCat(
      "cd ", SLA_BROWSER_PAGES,
      " && { [ -d node_modules/playwright-core ] || npm ci --silent --no-audit --no-fund",
      " --ignore-scripts >&2; } && CHROMIUM=", browser.substr(0, browser.find('\n')),
      " timeout 120 node open_page.mjs '", url, "'"));
  EXPECT_NE(dom.find("<title>done</title>"), std::string::npos) << dom;
  for (const char* title :
       {"Printer offline [PRIORITY_P2]", "VPN down [PRIORITY_P2]", "Email bounce [PRIORITY_P2]"}) {
    EXPECT_NE(dom.find(title), std::string::npos) << title << " not on the page:\n" << dom;
  }
  // Three events from the stream, in order, with their ids.
  EXPECT_NE(dom.find("<li>#1 ticket.opened customers/"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<li>#3 ticket.opened customers/"), std::string::npos) << dom;
  EXPECT_NE(dom.find(R"(<p id="unauthenticated">401 UNAUTHENTICATED</p>)"), std::string::npos)
      << dom;
  EXPECT_NE(dom.find(R"(<p id="failure"></p>)"), std::string::npos) << dom;

  // The API reference the gateway serves renders the generated document's operations.
  const std::string docs = Output(
      absl::StrCat("cd ", SLA_BROWSER_PAGES, " && CHROMIUM=", browser.substr(0, browser.find('\n')),
                   " timeout 120 node open_page.mjs 'http://127.0.0.1:", port_,
                   "/docs' '.opblock-summary-path'"));
  EXPECT_NE(docs.find("/v1/customers/{customer}/tickets/{ticket}"), std::string::npos)
      << docs.substr(0, 2000);
  EXPECT_NE(docs.find("TicketService"), std::string::npos);
  EXPECT_NE(docs.find("ReportingService"), std::string::npos);
}

TEST_F(GatewayTest, ATokenShapedByAnIdentityProviderIsReadThroughTheConfiguredClaims) {
  // contract-svc reading an identity provider's tokens: roles from `groups` through a map, the
  // customer from a namespaced claim.
  auto db = NewDatabase("gw");
  ASSERT_TRUE(db);
  auto idp_contract =
      Start(SLA_CONTRACT_SVC, *db, "contract-idp.log",
            {"--jwt_roles_claim=groups", "--jwt_tenant_claim=https://idp.example/customer",
             "--jwt_role_map=msp-admins=msp_admin,acme-users=customer_user"});
  const int contract_port = idp_contract->WaitForPort();
  ASSERT_GT(contract_port, 0);
  gateway_->Terminate();
  gateway_ = std::make_unique<ServiceProcess>(
      SLA_GATEWAY,
      std::vector<std::string>{"--port=0",
                               absl::StrCat("--contract_address=127.0.0.1:", contract_port)},
      absl::StrCat(dir_, "/gateway-idp.log"));
  port_ = gateway_->WaitForPort();
  ASSERT_GT(port_, 0);
  auto token = [&](const std::string& claims) {
    auto t = server::MintTokenWithClaims(
        jwt_,
        absl::StrCat(R"({"iss": "sla-platform", "aud": "sla-platform", "exp": )",
                     absl::ToUnixSeconds(absl::Now() + absl::Minutes(10)), ", ", claims, "}"));
    EXPECT_TRUE(t.ok()) << t.status();
    return std::map<std::string, std::string>{{"authorization", "Bearer " + t.value_or("")}};
  };
  HttpReply r = Http(port_, "POST", "/v1/customers", R"({"displayName": "Acme"})",
                     token(R"("sub": "alice@msp.example", "groups": ["everyone", "msp-admins"])"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto customer = FromJson<cpb::Customer>(r);
  const std::string id = std::vector<std::string>(absl::StrSplit(customer.name(), '/'))[1];
  // The customer's user reads its own customer, and no other list.
  r = Http(
      port_, "GET", absl::StrCat("/v1/", customer.name()), "",
      token(absl::StrCat(
          R"("sub": "bob@acme.example", "groups": ["acme-users"], "https://idp.example/customer": ")",
          id, R"(")")));
  EXPECT_EQ(r.status, 200) << r.body;
  // A group nothing maps: no role.
  ExpectError(
      Http(port_, "GET", "/v1/customers", "", token(R"("sub": "eve", "groups": ["everyone"])")),
      401, "UNAUTHENTICATED");
}

TEST_F(GatewayTest, AnApiKeyIsCreatedUsedRotatedAndRevokedOverHttp) {
  const auto admin = Bearer("msp_admin");
  HttpReply r = Http(port_, "POST", "/v1/customers", R"({"displayName": "Acme"})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto customer = FromJson<cpb::Customer>(r);
  r = Http(port_, "POST", "/v1/apiKeys", R"({"displayName": "Monitoring", "roles": ["msp_agent"]})",
           admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto created = FromJson<cpb::CreateApiKeyResponse>(r);
  ASSERT_TRUE(absl::StartsWith(created.secret(), "slak_")) << r.body;
  const std::string name = created.api_key().name();
  auto key = [](const std::string& secret) {
    return std::map<std::string, std::string>{{"authorization", "Bearer " + secret}};
  };
  const std::string tickets = absl::StrCat("/v1/", customer.name(), "/tickets");
  // contract-svc resolves the key itself, ticket-svc asks contract-svc.
  EXPECT_EQ(
      Http(port_, "GET", absl::StrCat("/v1/", customer.name()), "", key(created.secret())).status,
      200);
  r = Http(port_, "GET", tickets, "", key(created.secret()));
  EXPECT_EQ(r.status, 200) << r.body;
  // A key is no admin, and no user asks who a key is.
  ExpectError(Http(port_, "POST", "/v1/apiKeys",
                   R"({"displayName": "more", "roles": ["msp_agent"]})", key(created.secret())),
              403, "PERMISSION_DENIED");
  ExpectError(Http(port_, "POST", "/v1/apiKeys:authenticate",
                   absl::StrCat(R"({"secret": ")", created.secret(), R"("})"), admin),
              403, "PERMISSION_DENIED");
  // The list shows a hint, never the secret.
  r = Http(port_, "GET", "/v1/apiKeys?filter=state%20%3D%20ACTIVE", "", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(name), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("secretHint"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(created.secret()), std::string::npos) << r.body;

  // Rotation without grace: the new secret works; the old one is refused by both services
  // once their 1 s answers are out of date.
  r = Http(port_, "POST", absl::StrCat("/v1/", name, ":rotate"), R"({"gracePeriod": "0s"})", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto rotated = FromJson<cpb::RotateApiKeyResponse>(r);
  EXPECT_EQ(Http(port_, "GET", tickets, "", key(rotated.secret())).status, 200);
  auto refused_within = [&](const std::string& path, const std::string& secret) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      HttpReply reply = Http(port_, "GET", path, "", key(secret));
      if (reply.status == 401) {
        ExpectError(reply, 401, "UNAUTHENTICATED");
        return true;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    return false;
  };
  EXPECT_TRUE(refused_within(absl::StrCat("/v1/", customer.name()), created.secret()));
  EXPECT_TRUE(refused_within(tickets, created.secret()));

  r = Http(port_, "POST", absl::StrCat("/v1/", name, ":revoke"), "{}", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(FromJson<cpb::ApiKey>(r).state(), cpb::ApiKey::REVOKED);
  EXPECT_TRUE(refused_within(absl::StrCat("/v1/", customer.name()), rotated.secret()));
  EXPECT_TRUE(refused_within(tickets, rotated.secret()));
  ExpectError(Http(port_, "POST", absl::StrCat("/v1/", name, ":revoke"), "{}", admin), 400,
              "FAILED_PRECONDITION");
}

TEST_F(GatewayTest, CorsAdmitsTheConfiguredOriginOnly) {
  HttpReply pre = Http(port_, "OPTIONS", "/v1/customers", "",
                       {{"origin", "http://portal.example"},
                        {"access-control-request-method", "POST"},
                        {"access-control-request-headers", "authorization, content-type"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.header("access-control-allow-origin"), "http://portal.example");
  EXPECT_NE(pre.header("access-control-allow-headers").find("authorization"), std::string::npos);
  EXPECT_NE(pre.header("access-control-allow-methods").find("PATCH"), std::string::npos);
  HttpReply other =
      Http(port_, "OPTIONS", "/v1/customers", "",
           {{"origin", "http://evil.example"}, {"access-control-request-method", "POST"}});
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.header("access-control-allow-origin"), "");
  // The actual call carries the header for the allowed origin, and exposes the request id.
  HttpReply get = Http(port_, "GET", "/v1/customers", "",
                       With(Bearer("msp_admin"), "origin", "http://portal.example"));
  EXPECT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(get.header("access-control-allow-origin"), "http://portal.example");
  EXPECT_NE(get.header("access-control-expose-headers").find("x-request-id"), std::string::npos);
  EXPECT_EQ(Http(port_, "GET", "/v1/customers", "",
                 With(Bearer("msp_admin"), "origin", "http://evil.example"))
                .header("access-control-allow-origin"),
            "");
}

}  // namespace
}  // namespace sla
