#include "ticket-svc/app/workers.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "ticket-svc/app/ticket_manager.h"
#include "ticket-svc/storage/ticket_store.h"

namespace sla::ticket {

Periodic::Periodic(std::string name, absl::Duration interval, std::function<void()> pass,
                   absl::Duration min_gap)
    : name_(std::move(name)), interval_(interval), pass_(std::move(pass)), min_gap_(min_gap) {}

Periodic::~Periodic() { Stop(); }

void Periodic::Start() {
  thread_ = std::thread([this] {
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return woken_ || stopping_; };
        mu_.AwaitWithTimeout(absl::Condition(&ready), interval_);
        if (stopping_) return;
        woken_ = false;
      }
      pass_();
      if (min_gap_ > absl::ZeroDuration()) {
        absl::MutexLock lock(&mu_);
        auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
        mu_.AwaitWithTimeout(absl::Condition(&stopping), min_gap_);
      }
    }
  });
}

void Periodic::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void Periodic::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

EscalationWorker::EscalationWorker(mysql::ConnectionPool* pool, TermsCache* terms,
                                   EscalationWorkerOptions options)
    : pool_(pool), terms_(terms), options_(std::move(options)) {}

absl::StatusOr<PassStats> EscalationWorker::RunOnce() {
  const int64_t now = absl::ToUnixSeconds(options_.clock());
  // Batches run on `parallelism` connections at once; SKIP LOCKED keeps them on disjoint rows.
  absl::Mutex mu;
  PassStats total;
  absl::Status error;
  auto drain = [&] {
    for (;;) {
      absl::StatusOr<PassStats> batch = RunBatch(now);
      absl::MutexLock lock(&mu);
      if (!batch.ok()) {
        error.Update(batch.status());
        return;
      }
      total.tickets += batch->tickets;
      total.events += batch->events;
      if (batch->events > 0) options_.on_events_written();
      if (batch->tickets < options_.batch_size || !error.ok()) return;
    }
  };
  std::vector<std::thread> helpers;
  for (int i = 1; i < options_.parallelism; ++i) helpers.emplace_back(drain);
  drain();
  for (auto& t : helpers) t.join();
  if (!error.ok()) return error;
  return total;
}

absl::StatusOr<PassStats> EscalationWorker::RunBatch(int64_t now) {
  PassStats stats;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
    stats = {};
    SLA_ASSIGN_OR_RETURN(std::vector<Ticket> due,
                         storage::ClaimDueTickets(c, now, options_.batch_size));
    std::vector<Effects> effects(due.size());
    std::vector<std::shared_ptr<const TermsContext>> terms(due.size());
    std::vector<std::pair<const Ticket*, Derived>> rows;
    std::vector<TicketEffects> batch;
    rows.reserve(due.size());
    for (size_t i = 0; i < due.size(); ++i) {
      Ticket& t = due[i];
      absl::StatusOr<std::shared_ptr<const TermsContext>> ctx = terms_->ForVersion(t.terms_version, c);
      absl::Status s = ctx.status();
      Derived d;
      if (s.ok()) {
        terms[i] = *ctx;
        s = CatchUp(t, *terms[i], now, effects[i]);
      }
      if (s.ok()) {
        absl::StatusOr<Derived> derived = Derive(t, *terms[i], now);
        s = derived.status();
        if (s.ok()) d = *derived;
      }
      if (!s.ok()) {
        // One bad ticket must not stall the queue: look at it again in an hour.
        log::Error("escalation worker cannot process ticket",
                   {{"ticket", t.name()}, {"error", s.ToString()}});
        effects[i] = {};
        d = {};
        d.next_event_at = now + 3600;
      } else {
        batch.push_back({&t, terms[i].get(), &effects[i]});
      }
      t.version++;
      stats.events += static_cast<int>(effects[i].events.size());
      rows.emplace_back(&t, d);
    }
    stats.tickets = static_cast<int>(due.size());
    if (due.empty()) return absl::OkStatus();
    SLA_RETURN_IF_ERROR(WriteEffects(c, batch, now));
    return storage::SaveTickets(c, rows);
  }));
  return stats;
}

OutboxSequencer::OutboxSequencer(mysql::ConnectionPool* pool, int batch_size)
    : pool_(pool), batch_size_(batch_size) {}

absl::StatusOr<int> OutboxSequencer::RunOnce() {
  int total = 0;
  for (;;) {
    int numbered = 0;
    SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(numbered, storage::SequenceOutbox(c, batch_size_));
      return absl::OkStatus();
    }));
    total += numbered;
    if (numbered < batch_size_) break;
  }
  // Wake watchers even when this replica numbered nothing: another replica may have.
  absl::MutexLock lock(&mu_);
  generation_++;
  return total;
}

int64_t OutboxSequencer::WaitForEvents(int64_t generation, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return generation_ != generation; };
  mu_.AwaitWithTimeout(absl::Condition(&changed), timeout);
  return generation_;
}

int64_t OutboxSequencer::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

}  // namespace sla::ticket
