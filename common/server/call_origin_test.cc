#include "common/server/call_origin.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>

#include "absl/synchronization/mutex.h"
#include "common/clients/contract_terms.h"
#include "common/server/rpc.h"
#include "gtest/gtest.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"

namespace sla::server {
namespace {

namespace cpb = sla::contract::v1;

TEST(TraceparentTest, ParsesVersion00AndRefusesTheRest) {
  const auto t = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(t->flags, "01");
  EXPECT_EQ(FormatTraceparent(*t), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz"}) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
  const TraceContext fresh = NewTrace();
  EXPECT_TRUE(ParseTraceparent(FormatTraceparent(fresh)).has_value());
  const TraceContext child = ChildSpan(fresh);
  EXPECT_EQ(child.trace_id, fresh.trace_id);
  EXPECT_NE(child.span_id, fresh.span_id);
}

TEST(PrepareOutgoingTest, TakesTheSoonerOfTheCapAndTheCallersDeadline) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  {
    grpc::ClientContext ctx;  // a worker: no call being served, the cap alone
    PrepareOutgoing(ctx, absl::Seconds(5), now);
    EXPECT_EQ(absl::FromChrono(ctx.deadline()), now + absl::Seconds(5));
  }
  ScopedOrigin origin({now + absl::Seconds(2), "req-1", NewTrace()});
  {
    grpc::ClientContext ctx;
    PrepareOutgoing(ctx, absl::Seconds(5), now);
    EXPECT_EQ(absl::FromChrono(ctx.deadline()), now + absl::Seconds(2));
  }
  {
    ScopedOrigin patient({now + absl::Minutes(5), "req-2", NewTrace()});
    EXPECT_EQ(CurrentOrigin()->request_id, "req-2");
    grpc::ClientContext ctx;
    PrepareOutgoing(ctx, absl::Seconds(5), now);
    EXPECT_EQ(absl::FromChrono(ctx.deadline()), now + absl::Seconds(5));
  }
  EXPECT_EQ(CurrentOrigin()->request_id, "req-1");  // the inner scope restored the outer one
}

// Any bearer token is msp_admin: the test is about what travels with the call, not auth.
class AnyToken final : public TokenVerifier {
 public:
  absl::StatusOr<Identity> Verify(absl::string_view, absl::Time) const override {
    return Identity{"alice", "", {"msp_admin"}};
  }
};

// contract-svc's ResolveTerms as a recorder of what arrives.
class RecordingContract final : public cpb::ContractService::Service {
 public:
  grpc::Status ResolveTerms(grpc::ServerContext* ctx, const cpb::ResolveTermsRequest*,
                            cpb::ResolveTermsResponse*) override {
    absl::MutexLock lock(&mu);
    for (const char* key : {"x-request-id", "traceparent"}) {
      const auto it = ctx->client_metadata().find(key);
      seen[key] = it == ctx->client_metadata().end()
                      ? ""
                      : std::string(it->second.data(), it->second.size());
    }
    deadline = absl::FromChrono(ctx->deadline());
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no terms");
  }
  absl::Mutex mu;
  std::map<std::string, std::string> seen;
  absl::Time deadline;
};

// A service whose GetContract, inside the RPC boundary, asks "contract-svc" for terms.
class Front final : public cpb::ContractService::Service {
 public:
  Front(const RpcBoundary& boundary, clients::TermsSource* terms)
      : boundary_(boundary), terms_(terms) {}
  grpc::Status GetContract(grpc::ServerContext* ctx, const cpb::GetContractRequest* req,
                           cpb::Contract*) override {
    return boundary_.Run(ctx, "GetContract", *req, [&](const CallContext& call) {
      trace = call.trace;
      return terms_->Resolve(req->name(), absl::Now()).status();
    });
  }
  TraceContext trace;

 private:
  const RpcBoundary& boundary_;
  clients::TermsSource* terms_;
};

std::unique_ptr<grpc::Server> Serve(grpc::Service* service, int* port) {
  grpc::ServerBuilder b;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
  b.RegisterService(service);
  return b.BuildAndStart();
}

TEST(CallOriginFlowTest, ACallToAnotherServiceCarriesTheCallersDeadlineRequestIdAndTrace) {
  RecordingContract back;
  int back_port = 0;
  auto back_server = Serve(&back, &back_port);
  ASSERT_GT(back_port, 0);
  clients::ContractTermsSource terms(grpc::CreateChannel(absl::StrCat("127.0.0.1:", back_port),
                                                         grpc::InsecureChannelCredentials()),
                                     {std::string(32, 'k'), "", ""}, "front-svc");
  AnyToken verifier;
  RpcBoundary boundary(&verifier, [] { return absl::Now(); });
  Front front(boundary, &terms);
  int front_port = 0;
  auto front_server = Serve(&front, &front_port);
  ASSERT_GT(front_port, 0);
  auto stub = cpb::ContractService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", front_port), grpc::InsecureChannelCredentials()));

  auto call = [&](const std::string& request_id, const std::string& traceparent,
                  absl::Duration timeout) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer x");
    if (!request_id.empty()) ctx.AddMetadata("x-request-id", request_id);
    if (!traceparent.empty()) ctx.AddMetadata("traceparent", traceparent);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    cpb::GetContractRequest req;
    req.set_name("customers/c1/contracts/k1");
    cpb::Contract out;
    return stub->GetContract(&ctx, req, &out);
  };

  const absl::Time sent = absl::Now();
  EXPECT_EQ(call("req-42", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                 absl::Milliseconds(1500))
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  {
    absl::MutexLock lock(&back.mu);
    EXPECT_EQ(back.seen["x-request-id"], "req-42");
    // Same trace; the parent is the front's own span, a child of the caller's.
    const auto tp = ParseTraceparent(back.seen["traceparent"]);
    ASSERT_TRUE(tp.has_value()) << back.seen["traceparent"];
    EXPECT_EQ(tp->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(tp->span_id, front.trace.span_id);
    EXPECT_NE(tp->span_id, "00f067aa0ba902b7");
    EXPECT_EQ(tp->flags, "01");
    // 1.5 s left, not the client's own 5 s.
    EXPECT_LE(back.deadline, sent + absl::Milliseconds(1600));
    EXPECT_GT(back.deadline, sent + absl::Milliseconds(500));
  }

  // Without a trace or a deadline from the caller: a new trace, and the client's own cap.
  const absl::Time again = absl::Now();
  EXPECT_EQ(call("", "", absl::Hours(1)).error_code(), grpc::StatusCode::NOT_FOUND);
  absl::MutexLock lock(&back.mu);
  EXPECT_FALSE(back.seen["x-request-id"].empty());  // the id the front made up
  const auto tp = ParseTraceparent(back.seen["traceparent"]);
  ASSERT_TRUE(tp.has_value());
  EXPECT_EQ(tp->trace_id, front.trace.trace_id);
  EXPECT_LE(back.deadline,
            absl::Now() + absl::Seconds(6));  // the wire rounds the timeout up a little
  EXPECT_GT(back.deadline, again + absl::Seconds(4));
  back_server->Shutdown();
  front_server->Shutdown();
}

}  // namespace
}  // namespace sla::server
