// Starts each real service binary against its own scratch database on the throwaway MariaDB
// and checks what every service must do from day one: migrate, report SERVING, list itself
// through reflection, refuse every RPC without a valid bearer token, echo request ids, drain
// and exit cleanly on SIGTERM, and restart on the same database without re-migrating.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/auth.h"
#include "common/server/config.h"
#include "common/server/raw_client.h"
#include "common/test_util/mariadb_env.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "sla/billing/v1/billing_service.grpc.pb.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"
#include "sla/reporting/v1/reporting_service.grpc.pb.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"
#include "sla/v1/event_consumer_service.pb.h"
#include "sla/v1/event_service.grpc.pb.h"
#include "tests/service_process.h"

extern char** environ;

namespace sla {
namespace {

using server::RawUnaryCall;

struct ServiceCase {
  const char* binary;
  const char* service;  // fully qualified gRPC service name

  const google::protobuf::ServiceDescriptor* descriptor() const {
    // Touching one message per file links its generated code, which registers the service
    // in the generated pool (an unreferenced object of a static library is dropped).
    (void)contract::v1::Customer::descriptor();
    (void)ticket::v1::Ticket::descriptor();
    (void)billing::v1::Invoice::descriptor();
    (void)reporting::v1::Report::descriptor();
    return google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  }
};

// One oversize request for the sweep below: the path the refusal must name, the bytes.
struct Probe {
  std::string path;
  std::string body;
};

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Adds a default element to repeated field `f` of `m`.
void AddDefault(Message* m, const FieldDescriptor* f) {
  const google::protobuf::Reflection* r = m->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      r->AddString(m, f, "");
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      r->AddMessage(m, f);
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      r->AddEnumValue(m, f, 0);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      r->AddBool(m, f, false);
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      r->AddInt32(m, f, 0);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      r->AddInt64(m, f, 0);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      r->AddUInt32(m, f, 0);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      r->AddUInt64(m, f, 0);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      r->AddFloat(m, f, 0);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      r->AddDouble(m, f, 0);
      break;
  }
}

// For every string field and every repeated field reachable from `type` (through singular
// message fields and the first element of repeated ones, each message type once per path): a
// request with that field past the generic bounds (64 KiB strings, 1,000 items).
void CollectProbes(const Descriptor* type, std::vector<const FieldDescriptor*>& path,
                   std::vector<const Descriptor*>& seen, const Message& prototype,
                   std::vector<Probe>& out) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    auto build = [&](const std::function<void(Message*, const FieldDescriptor*)>& leaf) {
      std::unique_ptr<Message> root(prototype.New());
      Message* at = root.get();
      std::string name;
      for (const FieldDescriptor* step : path) {
        const google::protobuf::Reflection* r = at->GetReflection();
        name +=
            absl::StrCat(name.empty() ? "" : ".", step->name(), step->is_repeated() ? "[0]" : "");
        at = step->is_repeated() ? r->AddMessage(at, step) : r->MutableMessage(at, step);
      }
      name += absl::StrCat(name.empty() ? "" : ".", f->name());
      leaf(at, f);
      return std::make_pair(name, root->SerializeAsString());
    };
    const std::string big(64 * 1024 + 1, 'x');
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      auto [name, body] = build([&](Message* m, const FieldDescriptor* fd) {
        if (fd->is_repeated()) {
          m->GetReflection()->AddString(m, fd, big);
        } else {
          m->GetReflection()->SetString(m, fd, big);
        }
      });
      out.push_back({f->is_repeated() ? name + "[0]" : name, std::move(body)});
    }
    if (f->is_repeated()) {
      auto [name, body] = build([](Message* m, const FieldDescriptor* fd) {
        for (int k = 0; k < 1001; ++k) AddDefault(m, fd);
      });
      out.push_back({name, std::move(body)});
    }
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && path.size() < 6 &&
        std::find(seen.begin(), seen.end(), f->message_type()) == seen.end()) {
      path.push_back(f);
      seen.push_back(f->message_type());
      CollectProbes(f->message_type(), path, seen, prototype, out);
      seen.pop_back();
      path.pop_back();
    }
  }
}

class ServicesTest : public ::testing::TestWithParam<ServiceCase> {
 protected:
  void SetUp() override {
    auto db = test::ScratchDatabase::Create("svc");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    char dir_template[] = "/tmp/sla-svc-test.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    key_ = std::string(48, 'k');
    std::ofstream(dir_ + "/jwt.key") << key_;
    std::ofstream(dir_ + "/db.password") << db_->options().password;
  }

  // `extra` flags come last and so win over the defaults here.
  std::unique_ptr<ServiceProcess> Start(const std::string& log_name,
                                        const std::vector<std::string>& extra = {}) {
    return std::make_unique<ServiceProcess>(GetParam().binary,
                                            ServiceFlags(db_->options(), dir_, 5, 2, extra),
                                            absl::StrCat(dir_, "/", log_name));
  }

  std::string Token(absl::Duration ttl = absl::Minutes(5)) {
    auto t = server::MintToken({key_, "sla-platform", "sla-platform"}, {"e2e", "", {"msp_admin"}},
                               absl::Now(), ttl);
    EXPECT_TRUE(t.ok());
    return t.value_or("");
  }

  std::unique_ptr<test::ScratchDatabase> db_;
  std::string dir_;
  std::string key_;
};

TEST_P(ServicesTest, ServesHealthReflectionAndAuthenticatesEveryRpc) {
  auto svc = Start("run1.log");
  const int port = svc->WaitForPort();
  ASSERT_GT(port, 0);
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  ASSERT_NE(GetParam().descriptor(), nullptr) << GetParam().service;
  const std::string service_name = GetParam().descriptor()->full_name();

  // Health: open to anyone, SERVING for the server and for the named service.
  EXPECT_EQ(server::CheckServing(channel, "", absl::Seconds(5)).value_or(false), true);
  EXPECT_EQ(server::CheckServing(channel, service_name, absl::Seconds(5)).value_or(false), true);

  // Reflection: open, and lists the service.
  auto listed = server::ListServicesByReflection(channel, absl::Seconds(5));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_NE(std::find(listed->begin(), listed->end(), service_name), listed->end());
  EXPECT_NE(std::find(listed->begin(), listed->end(), "grpc.health.v1.Health"), listed->end());

  // Every RPC of every service the binary serves (its own and the shared sla.v1 ones: event
  // streams, event consumers): no token, a malformed one, an expired one → UNAUTHENTICATED;
  // a valid one gets past authentication.
  const std::string expired = Token(absl::Minutes(-10));
  (void)sla::v1::ListEventsRequest::descriptor();
  (void)sla::v1::ListConsumerCursorsRequest::descriptor();
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const std::string& name : *listed) {
    if (!absl::StartsWith(name, "sla.")) continue;
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name << " is served but not linked into the test";
    for (int i = 0; i < service->method_count(); ++i) methods.push_back(service->method(i));
  }
  EXPECT_GT(methods.size(), static_cast<size_t>(GetParam().descriptor()->method_count()) - 1);
  for (const auto* m : methods) {
    const std::string path = absl::StrCat("/", m->service()->full_name(), "/", m->name());
    for (const server::MetadataList& md :
         {server::MetadataList{}, server::MetadataList{{"authorization", "Bearer garbage"}},
          server::MetadataList{{"authorization", "Basic dXNlcjpwdw=="}},
          server::MetadataList{{"authorization", "Bearer " + expired}}}) {
      const auto r = RawUnaryCall(channel, path, "", md, absl::Seconds(5));
      EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << path << " answered " << r.status.error_message();
    }
    const auto authed = RawUnaryCall(
        channel, path, "", {{"authorization", "Bearer " + Token()}, {"x-request-id", "e2e-req-1"}},
        absl::Seconds(5));
    EXPECT_NE(authed.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << path;
    EXPECT_EQ(authed.request_id, "e2e-req-1") << path;
  }
  // The log has one line per call with the request id, and never the token.
  const std::string log = svc->log();
  EXPECT_NE(log.find("\"request_id\":\"e2e-req-1\""), std::string::npos);
  EXPECT_EQ(log.find(Token().substr(0, 20)), std::string::npos);

  // SIGTERM: drains, exits 0, stops listening.
  EXPECT_EQ(svc->Terminate(), 0);
  EXPECT_FALSE(server::CheckServing(channel, "", absl::Milliseconds(500)).ok());

  // Restart on the same database: serves again and applies no migration twice.
  auto again = Start("run2.log");
  const int port2 = again->WaitForPort();
  ASSERT_GT(port2, 0);
  EXPECT_NE(again->log().find("\"migrations_applied\":\"0\""), std::string::npos) << again->log();
  EXPECT_EQ(again->Terminate(), 0);
}

TEST_P(ServicesTest, BoundsEveryStringAndListFieldOfEveryRequest) {
  // The sweep of docs/security.md ("Input limits"): every RPC, every string and list field of
  // its request (nested ones too), sent past the generic bounds by an msp_admin, is refused
  // with INVALID_ARGUMENT naming the field, before any handler reads it; a request beyond
  // --max_message_bytes is refused by gRPC unread (RESOURCE_EXHAUSTED).
  auto svc = Start("limits.log");
  const int port = svc->WaitForPort();
  ASSERT_GT(port, 0);
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                           grpc::InsecureChannelCredentials(), args);
  ASSERT_NE(GetParam().descriptor(), nullptr);
  const std::string token = Token(absl::Minutes(30));
  const std::string service_name = GetParam().descriptor()->full_name();
  int probes = 0;
  for (int i = 0; i < GetParam().descriptor()->method_count(); ++i) {
    const auto* m = GetParam().descriptor()->method(i);
    const std::string method = absl::StrCat("/", service_name, "/", m->name());
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(m->input_type());
    ASSERT_NE(prototype, nullptr) << method;
    std::vector<Probe> sweep;
    std::vector<const FieldDescriptor*> path;
    std::vector<const Descriptor*> seen{m->input_type()};
    CollectProbes(m->input_type(), path, seen, *prototype, sweep);
    for (const Probe& p : sweep) {
      const auto r = RawUnaryCall(channel, method, p.body, {{"authorization", "Bearer " + token}},
                                  absl::Seconds(10));
      EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << method << " " << p.path;
      EXPECT_NE(r.status.error_message().find(absl::StrCat("field `", p.path, "`")),
                std::string::npos)
          << method << " " << p.path << ": " << r.status.error_message();
      ++probes;
    }
  }
  EXPECT_GT(probes, GetParam().descriptor()->method_count());
  // The whole request, in unknown field 1000: just under the default 128 KiB it is parsed (and
  // carries no field the sweep bounds); one byte over, gRPC refuses it unparsed.
  const auto* first = GetParam().descriptor()->method(0);
  const std::string method = absl::StrCat("/", service_name, "/", first->name());
  auto unknown = [](size_t n) {
    std::string body;
    google::protobuf::io::StringOutputStream raw(&body);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.WriteTag((1000 << 3) | 2);
    out.WriteVarint64(n);
    out.WriteString(std::string(n, 'x'));
    out.Trim();
    return body;
  };
  const size_t limit = server::kDefaultMaxMessageBytes;
  const std::string at_limit = unknown(limit - 5);  // a 2-byte tag and a 3-byte length
  ASSERT_EQ(at_limit.size(), limit);
  auto fits = RawUnaryCall(channel, method, at_limit, {{"authorization", "Bearer " + token}},
                           absl::Seconds(10));
  EXPECT_NE(fits.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << fits.status.error_message();
  auto over = RawUnaryCall(channel, method, unknown(limit - 4),
                           {{"authorization", "Bearer " + token}}, absl::Seconds(10));
  EXPECT_EQ(over.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << over.status.error_message();
  EXPECT_NE(over.status.error_message().find("larger than max"), std::string::npos)
      << over.status.error_message();
  EXPECT_EQ(svc->Terminate(), 0);
}

// Follows `Service`'s WatchEvents from the start until the stream ends; `open` is set once the
// server's headers arrived (the stream is being served).
template <typename Service, typename Request, typename Event>
grpc::Status WatchUntilTheEnd(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& token, std::atomic<bool>& open) {
  auto stub = Service::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  Request req;
  auto reader = stub->WatchEvents(&ctx, req);
  reader->WaitForInitialMetadata();
  open = true;
  Event e;
  while (reader->Read(&e)) {
  }
  return reader->Finish();
}

// The services that serve an event stream.
class EventStreamServicesTest : public ServicesTest {};

TEST_P(EventStreamServicesTest, ShutdownEndsEventStreamsAtOnceWithTheCursorToResumeFrom) {
  const std::string service = GetParam().service;
  std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&, const std::string&,
                             std::atomic<bool>&)>
      watch;
  if (service == "sla.ticket.v1.TicketService") {
    namespace t = ticket::v1;
    watch = WatchUntilTheEnd<t::TicketService, t::WatchEventsRequest, t::Event>;
  } else if (service == "sla.billing.v1.BillingService") {
    namespace b = billing::v1;
    watch = WatchUntilTheEnd<b::BillingService, b::WatchEventsRequest, b::Event>;
  } else if (service == "sla.reporting.v1.ReportingService") {
    namespace r = reporting::v1;
    watch = WatchUntilTheEnd<r::ReportingService, r::WatchEventsRequest, r::Event>;
  } else {
    FAIL() << "no WatchEvents client for " << service;
  }
  auto svc = Start("watch.log");  // --drain_seconds=5
  const int port = svc->WaitForPort();
  ASSERT_GT(port, 0);
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  // The earlier envelope's stream and the typed one (sla.v1.EventService) side by side.
  std::atomic<bool> open{false}, typed_open{false};
  grpc::Status ended, typed_ended;
  std::thread follower([&] { ended = watch(channel, Token(), open); });
  std::thread typed_follower([&] {
    typed_ended =
        WatchUntilTheEnd<sla::v1::EventService, sla::v1::WatchEventsRequest, sla::v1::Event>(
            channel, Token(), typed_open);
  });
  for (int i = 0; i < 100 && !(open && typed_open); ++i) absl::SleepFor(absl::Milliseconds(50));
  ASSERT_TRUE(open.load() && typed_open.load());
  absl::SleepFor(absl::Milliseconds(300));  // the streams are idle, waiting for events

  // SIGTERM: the idle streams must not hold the drain until its 5 s deadline.
  const absl::Time stop = absl::Now();
  EXPECT_EQ(svc->Terminate(), 0);
  const absl::Duration took = absl::Now() - stop;
  follower.join();
  typed_follower.join();
  EXPECT_LT(took, absl::Seconds(3)) << svc->log();
  for (const grpc::Status& s : {ended, typed_ended}) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    EXPECT_NE(s.error_message().find("resume with after=0"), std::string::npos)
        << s.error_message();
  }
}

// A MariaDB on the same machine through its Unix socket: the service migrates and serves with a
// TCP port that leads nowhere, so the socket is what it used.
TEST_P(ServicesTest, ReachesTheDatabaseThroughItsUnixSocket) {
  absl::StatusOr<std::string> socket = test::TestServerSocket();
  ASSERT_TRUE(socket.ok()) << socket.status();
  auto svc = Start("socket.log", {absl::StrCat("--db_socket=", *socket), "--db_port=1"});
  const int port = svc->WaitForPort();
  ASSERT_GT(port, 0) << svc->log();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  EXPECT_EQ(server::CheckServing(channel, "", absl::Seconds(5)).value_or(false), true);
  EXPECT_EQ(svc->Terminate(), 0);

  // A socket with no server behind it is a database not reachable yet (the service retries).
  auto wrong = Start("no-socket.log", {absl::StrCat("--db_socket=", dir_, "/no-such.sock")});
  for (int i = 0; i < 100 && wrong->log().find("database not reachable yet") == std::string::npos;
       ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_NE(wrong->log().find("database not reachable yet"), std::string::npos) << wrong->log();
}

// A database off the cluster: every binary reaches it over TLS verified against its CA
// (--db_tls_ca); a CA file that cannot be read is refused at start, naming the flag.
TEST_P(ServicesTest, ReachesTheDatabaseOverVerifiedTls) {
  const char* ca = std::getenv("SLA_TEST_MYSQL_TLS_CA");
  ASSERT_NE(ca, nullptr) << "scripts/lib.sh exports SLA_TEST_MYSQL_TLS_CA";
  auto svc = Start("db-tls.log", {absl::StrCat("--db_tls_ca=", ca)});
  const int port = svc->WaitForPort();
  ASSERT_GT(port, 0) << svc->log();
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  EXPECT_EQ(server::CheckServing(channel, "", absl::Seconds(5)).value_or(false), true);
  EXPECT_EQ(svc->Terminate(), 0);
  auto missing =
      Start("db-tls-missing.log", {absl::StrCat("--db_tls_ca=", dir_, "/no-such-ca.pem")});
  EXPECT_EQ(missing->WaitForExit(), 1);
  EXPECT_NE(missing->log().find("--db_tls_ca"), std::string::npos) << missing->log();
}

TEST_P(ServicesTest, RefusesToStartWithoutKeyOrOnPlaintextPublicAddress) {
  const auto& o = db_->options();
  const std::vector<std::string> db_flags = {
      absl::StrCat("--db_port=", o.port), absl::StrCat("--db_user=", o.user),
      absl::StrCat("--db_password_file=", dir_, "/db.password"),
      absl::StrCat("--db_name=", o.database)};
  std::vector<std::string> no_key_flags = db_flags;
  no_key_flags.push_back("--port=0");
  ServiceProcess no_key(GetParam().binary, no_key_flags, dir_ + "/nokey.log");
  EXPECT_EQ(no_key.WaitForExit(), 1);
  EXPECT_NE(no_key.log().find("--jwt_key_file"), std::string::npos) << no_key.log();

  std::vector<std::string> public_flags = db_flags;
  public_flags.insert(public_flags.end(), {"--host=0.0.0.0", "--port=0",
                                           absl::StrCat("--jwt_key_file=", dir_, "/jwt.key")});
  ServiceProcess public_plaintext(GetParam().binary, public_flags, dir_ + "/public.log");
  EXPECT_EQ(public_plaintext.WaitForExit(), 1);
  EXPECT_NE(public_plaintext.log().find("plaintext is allowed on loopback only"), std::string::npos)
      << public_plaintext.log();

  // Reachable from elsewhere, a service names the algorithm it trusts: no HS256 by default.
  std::vector<std::string> no_algorithm = public_flags;
  no_algorithm.push_back("--allow_insecure_non_loopback");
  ServiceProcess unnamed(GetParam().binary, no_algorithm, dir_ + "/no-algorithm.log");
  EXPECT_EQ(unnamed.WaitForExit(), 1);
  EXPECT_NE(unnamed.log().find("--jwt_algorithm"), std::string::npos) << unnamed.log();
}

std::string ServiceName(const ::testing::TestParamInfo<ServiceCase>& param_info) {
  const std::string full = param_info.param.service;
  return full.substr(full.rfind('.') + 1);
}

INSTANTIATE_TEST_SUITE_P(
    AllServices, ServicesTest,
    ::testing::Values(ServiceCase{SLA_CONTRACT_SVC, "sla.contract.v1.ContractService"},
                      ServiceCase{SLA_TICKET_SVC, "sla.ticket.v1.TicketService"},
                      ServiceCase{SLA_BILLING_SVC, "sla.billing.v1.BillingService"},
                      ServiceCase{SLA_REPORTING_SVC, "sla.reporting.v1.ReportingService"}),
    ServiceName);

INSTANTIATE_TEST_SUITE_P(
    WithEventStreams, EventStreamServicesTest,
    ::testing::Values(ServiceCase{SLA_TICKET_SVC, "sla.ticket.v1.TicketService"},
                      ServiceCase{SLA_BILLING_SVC, "sla.billing.v1.BillingService"},
                      ServiceCase{SLA_REPORTING_SVC, "sla.reporting.v1.ReportingService"}),
    ServiceName);

}  // namespace
}  // namespace sla
