#include "reporting-svc/storage/report_projection.h"

#include <algorithm>
#include <any>
#include <optional>

#include "common/api/resource_name.h"
#include "common/outbox/payload.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "reporting-svc/domain/credit_event.h"
#include "reporting-svc/storage/report_store.h"

namespace sla::reporting::storage {
namespace {

constexpr char kTicketSource[] = "ticket-svc";
constexpr char kBillingSource[] = "billing-svc";

absl::StatusOr<TicketKey> TicketKeyOf(const std::string& ticket) {
  SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(ticket, "tickets", "payload.ticket"));
  return TicketKey{k.first, k.second};
}

absl::Status ApplyOutage(Connection& c, const sla::v1::OutageEventPayload& o) {
  SLA_ASSIGN_OR_RETURN(auto k,
                       api::ParseCustomerChild(o.contract(), "contracts", "payload.contract"));
  SLA_ASSIGN_OR_RETURN(auto id, api::ParseCustomerChild(o.outage(), "outages", "payload.outage"));
  return UpsertOutage(
      c, {k.first,
          id.second,
          k.second,
          {o.service_id(), o.start_time().seconds(), o.has_end_time() ? o.end_time().seconds() : 0,
           o.planned(), o.exclusion_id()}});
}

// A ticket's event whose period, if it has one, is found by the event's own time.
absl::Status ApplyTimed(Connection& c, const outbox::FeedEvent& e, const TicketKey& key,
                        const std::string& contract_id, const TermsInfo& terms) {
  const sla::v1::TicketEventPayload& t = e.payload.ticket();
  if (e.type == "clock.breached") {
    SLA_ASSIGN_OR_RETURN(const int period, PeriodIndexOf(terms, t.breach_time().seconds()));
    return AddBreach(c, {key, contract_id, t.clock(), t.cycle(), t.priority(),
                         t.breach_time().seconds(), period});
  }
  if (e.type == "escalation.fired") {
    SLA_ASSIGN_OR_RETURN(const int period, PeriodIndexOf(terms, t.fire_time().seconds()));
    return AddEscalation(c, {key, contract_id, t.clock(), t.cycle(), t.level(), t.manual(),
                             t.fire_time().seconds(), period});
  }
  if (e.type == "clock.met" &&
      (t.clock() == sla::v1::CLOCK_FIRST_RESPONSE || t.clock() == sla::v1::CLOCK_RESOLUTION)) {
    return ClockMet(c, key, t.clock(), !t.breached(), t.consumed_seconds(), t.elapsed_seconds(),
                    t.met_time().seconds());
  }
  return absl::OkStatus();
}

absl::Status ApplyTicketEvent(Connection& c, const outbox::FeedEvent& e, const TermsInfo* terms) {
  if (e.payload.has_outage()) return ApplyOutage(c, e.payload.outage());
  const sla::v1::TicketEventPayload& t = e.payload.ticket();
  if (t.ticket().empty() || terms == nullptr) return absl::OkStatus();  // not a ticket event
  SLA_ASSIGN_OR_RETURN(const TicketKey key, TicketKeyOf(t.ticket()));
  SLA_ASSIGN_OR_RETURN(auto contract,
                       api::ParseCustomerChild(t.contract(), "contracts", "payload.contract"));
  const auto& rca = terms->terms.problem_management().rca_required_for();
  const bool rca_required =
      rca.empty() ? (t.priority() == sla::v1::PRIORITY_P1 || t.priority() == sla::v1::PRIORITY_P2)
                  : std::find(rca.begin(), rca.end(), t.priority()) != rca.end();
  if (e.type == "ticket.opened") {
    const int64_t opened = t.has_open_time() ? t.open_time().seconds() : e.event_time;
    SLA_ASSIGN_OR_RETURN(const int period, PeriodIndexOf(*terms, opened));
    return InsertTicket(c, {key, contract.second, t.service_id(), t.priority(), period, opened,
                            t.terms_version(), rca_required});
  }
  if (e.type == "ticket.priority_changed") return SetPriority(c, key, t.priority(), rca_required);
  if (e.type == "ticket.reopened") return TicketReopened(c, key, t.reopen_count());
  if (e.type == "ticket.closed") return TicketClosed(c, key, t.rca_recorded());
  if (e.type == "ticket.rca_recorded") return RcaRecorded(c, key);
  if (e.type == "ticket.paused" ||
      (e.type == "ticket.status_changed" && t.to_status() == "WAITING_ON_CUSTOMER")) {
    return PauseStarted(c, key, e.event_time);
  }
  if (e.type == "ticket.resumed" || e.type == "ticket.resolved" ||
      (e.type == "ticket.status_changed" && t.from_status() == "WAITING_ON_CUSTOMER")) {
    return PauseEnded(c, key, e.event_time);
  }
  return ApplyTimed(c, e, key, contract.second, *terms);
}

absl::Status ApplyBillingEvent(Connection& c, const outbox::FeedEvent& e) {
  if (outbox::FamilyOf(e.type) != sla::v1::EventPayload::kCredit) return absl::OkStatus();
  SLA_RETURN_IF_ERROR(outbox::RequirePayload(e.type, e.payload));
  SLA_ASSIGN_OR_RETURN(std::optional<CreditEvent> credit,
                       ReadCreditEvent(e.type, e.payload.credit()));
  if (!credit) return absl::OkStatus();
  const Credit row{credit->contract.customer_id,
                   credit->contract.contract_id,
                   credit->period,
                   credit->status,
                   credit->kind == CreditEvent::Kind::kSet ? credit->note : "",
                   credit->currency,
                   credit->amount_minor,
                   credit->cap_cut_minor};
  SLA_RETURN_IF_ERROR(credit->kind == CreditEvent::Kind::kSet ? UpsertCredit(c, row)
                                                              : AdjustCredit(c, row, credit->note));
  SLA_ASSIGN_OR_RETURN(const QueryScope scope, QueryScope::ForSystemWork(credit->contract));
  SLA_ASSIGN_OR_RETURN(auto report, LoadReport(c, scope, credit->period, 0, false));
  if (!report) return absl::OkStatus();
  // Credits decided after a report was issued: the report gets a new revision.
  return AddPendingRevision(c,
                            {credit->contract, credit->period,
                             "late data: credits decided by billing-svc after the last revision"});
}

// The terms (zone, RCA rule) are resolved in Prepare, outside the transaction: no network call
// while rows are locked.
class TicketHandler final : public outbox::Handler {
 public:
  explicit TicketHandler(ReportTerms* terms) : terms_(terms) {}
  using State = std::shared_ptr<const TermsInfo>;
  absl::Status Prepare(const outbox::FeedEvent& e, std::any* state) override {
    SLA_RETURN_IF_ERROR(outbox::RequirePayload(e.type, e.payload));
    State terms;
    if (e.payload.has_ticket() && !e.payload.ticket().contract().empty()) {
      const sla::v1::TicketEventPayload& t = e.payload.ticket();
      SLA_ASSIGN_OR_RETURN(terms, terms_->Of(t.contract(), t.terms_version(), e.event_time));
    }
    *state = std::move(terms);
    return absl::OkStatus();
  }
  absl::Status Apply(Connection& c, const outbox::FeedEvent& e, const std::any& state) override {
    return ApplyTicketEvent(c, e, std::any_cast<const State&>(state).get());
  }

 private:
  ReportTerms* terms_;
};

class BillingHandler final : public outbox::Handler {
 public:
  absl::Status Prepare(const outbox::FeedEvent&, std::any*) override { return absl::OkStatus(); }
  absl::Status Apply(Connection& c, const outbox::FeedEvent& e, const std::any&) override {
    return ApplyBillingEvent(c, e);
  }
};

}  // namespace

FollowedReportStreams::FollowedReportStreams(mysql::ConnectionPool* pool, outbox::Feed* tickets,
                                             outbox::Feed* billing, ReportTerms* terms,
                                             std::function<absl::Time()> clock)
    : pool_(pool),
      ticket_handler_(std::make_unique<TicketHandler>(terms)),
      billing_handler_(std::make_unique<BillingHandler>()) {
  outbox::FollowerOptions follow;
  follow.clock = std::move(clock);
  follow.source = kTicketSource;
  tickets_ = std::make_unique<outbox::Follower>(pool, tickets, ticket_handler_.get(), follow);
  follow.source = kBillingSource;
  billing_ = std::make_unique<outbox::Follower>(pool, billing, billing_handler_.get(), follow);
}

FollowedReportStreams::~FollowedReportStreams() = default;

absl::StatusOr<int> FollowedReportStreams::ApplyTicketEvents() { return tickets_->RunOnce(); }
absl::StatusOr<int> FollowedReportStreams::ApplyBillingEvents() { return billing_->RunOnce(); }

absl::StatusOr<std::vector<std::string>> FollowedReportStreams::Positions() {
  std::vector<std::string> positions;
  for (outbox::Follower* f : {tickets_.get(), billing_.get()}) {
    SLA_ASSIGN_OR_RETURN(const outbox::CursorState c, f->Current());
    positions.push_back(outbox::FormatPosition({f->source(), c.epoch, c.sequence}));
  }
  return positions;
}

absl::Status FollowedReportStreams::CatchUp(const outbox::Position& p, absl::Duration max_wait) {
  outbox::Follower* f = p.stream == kTicketSource    ? tickets_.get()
                        : p.stream == kBillingSource ? billing_.get()
                                                     : nullptr;
  if (f == nullptr) {
    return InvalidField("min_event_position",
                        "must be a position in ticket-svc's or billing-svc's stream");
  }
  return f->CatchUp(p.epoch, p.sequence, max_wait).status();
}

absl::StatusOr<std::vector<outbox::DeadLetterRow>> FollowedReportStreams::DeadLetters(int limit) {
  return outbox::ListDeadLetters(*pool_, "dead", limit);
}

}  // namespace sla::reporting::storage
