// What a request costs before it is authenticated. gRPC's sync server parses a message before
// any handler or interceptor sees the call, and a message of empty submessages costs far more
// memory parsed than on the wire (about 78 bytes per wire byte with protobuf 3.21). So the
// receive limit is what bounds a flood of unauthenticated calls: each real binary takes 64 such
// calls at once, of 1 MiB and of just under the limit, and one of 64 MiB, with its peak resident
// memory under 1 GiB and its health probe answering throughout. The calls take a machine's
// memory and both cores for seconds, so ctest runs this alone (RUN_SERIAL).
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/raw_client.h"
#include "common/test_util/mariadb_env.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "sla/billing/v1/billing_service.grpc.pb.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"
#include "sla/reporting/v1/reporting_service.grpc.pb.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"
#include "tests/service_process.h"

namespace sla {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// docs/security.md: the default --max_message_bytes, which gRPC enforces before parsing.
constexpr size_t kReceiveLimit = 128 << 10;
constexpr long long kPeakBound = 1LL << 30;
constexpr int kCallsAtOnce = 64;

std::string LengthDelimited(int field_number, const std::string& payload) {
  std::string out;
  google::protobuf::io::StringOutputStream raw(&out);
  google::protobuf::io::CodedOutputStream coded(&raw);
  coded.WriteTag(static_cast<uint32_t>(field_number) << 3 | 2);
  coded.WriteVarint64(payload.size());
  coded.WriteString(payload);
  coded.Trim();
  return out;
}

// How much parsing an empty element of repeated field `f` costs, in rank: a message (the more
// fields, the larger), then a string; -1 for a field that cannot hold empty elements of two bytes.
int Weight(const FieldDescriptor* f) {
  if (!f->is_repeated()) return -1;
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE)
    return 1000 + f->message_type()->field_count();
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) return 1;
  return -1;
}

int Weight(const std::vector<const FieldDescriptor*>& path) {
  return path.empty() ? -1 : Weight(path.back());
}

// The repeated field reachable from `type` through singular message fields (at most four deep)
// whose empty elements are the costliest to parse. The path to it, the field itself last; empty
// if there is none.
std::vector<const FieldDescriptor*> CostliestPath(const Descriptor* type, int depth = 0) {
  std::vector<const FieldDescriptor*> best;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    std::vector<const FieldDescriptor*> candidate;
    if (Weight(f) >= 0) {
      candidate = {f};
    } else if (!f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
               depth < 4) {
      candidate = CostliestPath(f->message_type(), depth + 1);
      if (!candidate.empty()) candidate.insert(candidate.begin(), f);
    }
    if (Weight(candidate) > Weight(best)) best = std::move(candidate);
  }
  return best;
}

// About `bytes` of empty elements of the last field of `path`, wrapped in the fields before it.
std::string EmptyElements(const std::vector<const FieldDescriptor*>& path, size_t bytes) {
  const std::string element = LengthDelimited(path.back()->number(), "");
  const size_t wrapping = 16 * path.size();
  std::string body;
  while (body.size() + element.size() + wrapping <= bytes) body += element;
  for (auto f = path.rbegin() + 1; f != path.rend(); ++f)
    body = LengthDelimited((*f)->number(), body);
  return body;
}

struct ServiceCase {
  const char* binary;
  const char* service;
};

class RequestMemoryTest : public ::testing::TestWithParam<ServiceCase> {
 protected:
  // The RPC of the service whose request is the costliest to parse, and such a request of about
  // `bytes`.
  std::pair<std::string, std::string> CostliestCall(size_t bytes) {
    (void)contract::v1::Customer::descriptor();
    (void)ticket::v1::Ticket::descriptor();
    (void)billing::v1::Invoice::descriptor();
    (void)reporting::v1::Report::descriptor();
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(GetParam().service);
    EXPECT_NE(service, nullptr);
    if (service == nullptr) return {};
    std::string method;
    std::vector<const FieldDescriptor*> best;
    for (int i = 0; i < service->method_count(); ++i) {
      std::vector<const FieldDescriptor*> path = CostliestPath(service->method(i)->input_type());
      if (Weight(path) > Weight(best)) {
        best = std::move(path);
        method = absl::StrCat("/", service->full_name(), "/", service->method(i)->name());
      }
    }
    if (best.empty()) {
      // No repeated field anywhere: empty unknown fields, each a heap object once parsed.
      const Descriptor* type = service->method(0)->input_type();
      int unused = 1;
      while (type->FindFieldByNumber(unused) != nullptr) ++unused;
      const std::string element = LengthDelimited(unused, "");
      std::string body;
      while (body.size() + element.size() <= bytes) body += element;
      return {absl::StrCat("/", service->full_name(), "/", service->method(0)->name()), body};
    }
    return {method, EmptyElements(best, bytes)};
  }
};

// Sends `calls` copies of `body` to `method` at once, without a token, over 8 connections.
std::vector<grpc::Status> Flood(int port, const std::string& method, const std::string& body,
                                int calls) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < 8; ++c) {
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(-1);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    channels.push_back(grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                                 grpc::InsecureChannelCredentials(), args));
  }
  std::vector<grpc::Status> statuses(calls);
  std::vector<std::thread> senders;
  for (int i = 0; i < calls; ++i) {
    senders.emplace_back([&, i] {
      statuses[i] =
          server::RawUnaryCall(channels[i % channels.size()], method, body, {}, absl::Seconds(120))
              .status;
    });
  }
  for (std::thread& t : senders) t.join();
  return statuses;
}

TEST_P(RequestMemoryTest, AFloodOfUnauthenticatedCallsStaysWithinBoundedMemory) {
  auto db = test::ScratchDatabase::Create("mem");
  ASSERT_TRUE(db.ok()) << db.status();
  char dir_template[] = "/tmp/sla-mem-test.XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  std::ofstream(dir + "/jwt.key") << std::string(48, 'k');
  std::ofstream(dir + "/db.password") << (*db)->options().password;
  const int health_port = FreePort();
  ASSERT_GT(health_port, 0);
  ServiceProcess svc(
      GetParam().binary,
      ServiceFlags((*db)->options(), dir, 5, 2, {absl::StrCat("--health_port=", health_port)}),
      dir + "/mem.log");
  const int port = svc.WaitForPort();
  ASSERT_GT(port, 0);

  struct Round {
    size_t bytes;
    int calls;
    grpc::StatusCode expected;
    std::pair<std::string, std::string> call = {};  // method, body
  };
  // Under the limit a call is parsed, then refused for want of a token (or of a free thread);
  // over it, gRPC refuses it unparsed.
  std::vector<Round> rounds = {
      {kReceiveLimit - 256, kCallsAtOnce, grpc::StatusCode::UNAUTHENTICATED},
      {kReceiveLimit - 256, kCallsAtOnce, grpc::StatusCode::UNAUTHENTICATED},
      {1 << 20, kCallsAtOnce, grpc::StatusCode::RESOURCE_EXHAUSTED},
      {64 << 20, 1, grpc::StatusCode::RESOURCE_EXHAUSTED}};
  for (Round& round : rounds) {
    round.call = CostliestCall(round.bytes);
    ASSERT_FALSE(round.call.first.empty());
  }

  // The probe Kubernetes uses answers throughout, within its 5 s.
  std::atomic<bool> flooding{true};
  std::atomic<int> probes{0}, failed_probes{0};
  std::thread prober([&] {
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", health_port),
                                       grpc::InsecureChannelCredentials());
    while (flooding) {
      ++probes;
      if (!server::CheckServing(channel, "", absl::Seconds(5)).value_or(false)) ++failed_probes;
      absl::SleepFor(absl::Milliseconds(100));
    }
  });

  for (const Round& round : rounds) {
    const auto& [method, body] = round.call;
    int expected = 0;
    for (const grpc::Status& s : Flood(port, method, body, round.calls)) {
      // "Server Threadpool Exhausted" is the other answer a call may get while all threads are
      // busy.
      const bool busy = s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
                        s.error_message().find("Threadpool") != std::string::npos;
      EXPECT_TRUE(s.error_code() == round.expected || busy)
          << round.bytes << " bytes to " << method << ": " << s.error_code() << " "
          << s.error_message();
      if (s.error_code() == round.expected && !busy) ++expected;
    }
    EXPECT_GT(expected, 0) << round.bytes << " bytes: no call got " << round.expected;
  }
  flooding = false;
  prober.join();
  EXPECT_GT(probes.load(), 0);
  EXPECT_EQ(failed_probes.load(), 0) << "of " << probes.load() << " health probes";

  const long long peak = svc.PeakResidentBytes();
  ASSERT_GT(peak, 0);
  std::cout << "peak resident memory: " << peak / (1 << 20) << " MiB\n";
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer pads every allocation; the bound is for release builds.
#else
  EXPECT_LT(peak, kPeakBound) << "peak resident memory of " << GetParam().binary;
#endif
  EXPECT_EQ(svc.Terminate(), 0) << svc.log();
}

std::string ServiceName(const ::testing::TestParamInfo<ServiceCase>& param_info) {
  const std::string full = param_info.param.service;
  return full.substr(full.rfind('.') + 1);
}

INSTANTIATE_TEST_SUITE_P(
    AllServices, RequestMemoryTest,
    ::testing::Values(ServiceCase{SLA_CONTRACT_SVC, "sla.contract.v1.ContractService"},
                      ServiceCase{SLA_TICKET_SVC, "sla.ticket.v1.TicketService"},
                      ServiceCase{SLA_BILLING_SVC, "sla.billing.v1.BillingService"},
                      ServiceCase{SLA_REPORTING_SVC, "sla.reporting.v1.ReportingService"}),
    ServiceName);

}  // namespace
}  // namespace sla
