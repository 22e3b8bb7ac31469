// Test fixture for ticket-svc's API over SuiteHarness (the real contract-svc and ticket-svc
// on scratch MariaDB databases, talking over gRPC).
//
// ticket-svc runs on a simulated clock the test sets and advances; its background loops are
// off, and tests drive the escalation worker and the outbox sequencer with RunOnce().
#pragma once

#include <atomic>
#include <deque>

#include "gtest/gtest.h"
#include "tests/harness/suite_harness.h"
#include "ticket-svc/storage/ticket_store.h"

namespace sla::ticket {

class SimClock {
 public:
  explicit SimClock(int64_t start) : now_(start) {}
  absl::Time Now() const { return absl::FromUnixSeconds(now_.load()); }
  void Set(int64_t t) { now_ = t; }
  void Advance(absl::Duration d) { now_ += absl::ToInt64Seconds(d); }

 private:
  std::atomic<int64_t> now_;
};

class TicketApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HarnessOptions o;
    o.example_terms_path = SLA_EXAMPLE_TERMS;
    o.clock = [this] { return clock_.Now(); };
    o.new_id = [this](char prefix, absl::Time now) {
      absl::MutexLock lock(&ids_mu_);
      if (forced_ids_.empty()) return RandomTimeOrderedId(prefix, now);
      std::string id = std::move(forced_ids_.front());
      forced_ids_.pop_front();
      return id;
    };
    auto h = SuiteHarness::Start(o);
    ASSERT_TRUE(h.ok()) << h.status();
    harness_ = *std::move(h);
    ticket_ = &harness_->ticket();
    ticket_pool_ = &harness_->ticket_pool();
    stub_ = &harness_->stub();
  }

  // A new ticket-svc instance on the same database, as after a process restart; on the same
  // address if asked, serving sla.v1.EventService or (as the release before) not.
  void RestartTicketSvc(bool same_address = false, bool serve_typed_events = true) {
    ASSERT_TRUE(harness_->RestartTicket(same_address, serve_typed_events).ok());
    ticket_ = &harness_->ticket();
    ticket_pool_ = &harness_->ticket_pool();
    stub_ = &harness_->stub();
  }

  std::unique_ptr<TermsSource> NewTermsSource() { return harness_->NewTermsSource(); }
  static server::JwtConfig Jwt() { return SuiteHarness::Jwt(); }
  mysql::ConnectionOptions ticket_db_options() const { return harness_->ticket_db_options(); }

  // A context for a call to ticket-svc as `role` of `tenant`, at the simulated time.
  std::unique_ptr<grpc::ClientContext> As(const std::string& role, const std::string& tenant = "") {
    return SuiteHarness::As(role, tenant, clock_.Now());
  }

  Tenant NewTenant(const std::string& display_name) {
    auto t = harness_->NewTenant(display_name);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.value_or(Tenant{});
  }

  // A CreateTicket of a service-desk ticket of `t`'s contract.
  static pb::CreateTicketRequest NewTicketRequest(const Tenant& t, sla::v1::Priority p,
                                                  const std::string& request_id = "") {
    pb::CreateTicketRequest req;
    req.set_parent(t.customer);
    req.set_request_id(request_id);
    pb::Ticket* in = req.mutable_ticket();
    in->set_contract(t.contract);
    in->set_service_id("service-desk");
    in->set_priority(p);
    in->set_title("Printer on floor 3 is down");
    in->set_reporter("somchai@acme.example");
    return req;
  }

  pb::Ticket Open(const Tenant& t, sla::v1::Priority p, const std::string& role = "msp_agent",
                  const std::string& request_id = "") {
    const pb::CreateTicketRequest req = NewTicketRequest(t, p, request_id);
    pb::Ticket out;
    const grpc::Status s =
        stub_->CreateTicket(As(role, role.rfind("customer", 0) == 0 ? t.id : "").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Move(const pb::Ticket& t, pb::Ticket::Status to, pb::Ticket* out = nullptr,
                    const std::string& role = "msp_agent", const std::string& tenant = "") {
    pb::TransitionTicketRequest req;
    req.set_name(t.name());
    req.set_status(to);
    pb::Ticket ignored;
    return stub_->TransitionTicket(As(role, tenant).get(), req, out ? out : &ignored);
  }

  pb::Ticket Get(const std::string& name) {
    pb::GetTicketRequest req;
    req.set_name(name);
    pb::Ticket out;
    const grpc::Status s = stub_->GetTicket(As("msp_agent").get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static const pb::Clock* ClockOf(const pb::Ticket& t, sla::v1::ClockKind kind) {
    for (const auto& c : t.clocks()) {
      if (c.kind() == kind) return &c;
    }
    return nullptr;
  }

  SimClock clock_{Utc(2026, 12, 1, 3)};
  // The ids ticket-svc gives its next new rows, before its own again (ids that collide).
  void ForceIds(std::initializer_list<std::string> ids) {
    absl::MutexLock lock(&ids_mu_);
    forced_ids_.insert(forced_ids_.end(), ids);
  }

  absl::Mutex ids_mu_;
  std::deque<std::string> forced_ids_ ABSL_GUARDED_BY(ids_mu_);
  std::unique_ptr<SuiteHarness> harness_;
  TicketServiceImpl* ticket_ = nullptr;
  mysql::ConnectionPool* ticket_pool_ = nullptr;
  pb::TicketService::Stub* stub_ = nullptr;
};

}  // namespace sla::ticket
