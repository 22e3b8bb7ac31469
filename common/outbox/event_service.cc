#include "common/outbox/event_service.h"

#include <deque>
#include <optional>

namespace sla::outbox {

namespace {

absl::Status CheckStream(const std::string& asked, const std::string& served) {
  if (asked.empty() || asked == served) return absl::OkStatus();
  return InvalidField("stream",
                      absl::StrCat("this service serves `", served, "`, not `", asked, "`"));
}

// How long a stream with nothing new waits before it looks again regardless.
constexpr absl::Duration kIdlePoll = absl::Milliseconds(250);
// How often the pump looks at the sequencer and the clock between wake-ups.
constexpr absl::Duration kPumpTick = absl::Milliseconds(20);
}  // namespace

// One typed watch. gRPC calls its On* methods on its own threads; the pump calls Due, Fill
// and End. Every call into the reactor (StartWrite, Finish) happens under `mu_` and never
// after Finish. It is deleted (through the shared pointers held by the pump and itself) once
// gRPC is done with it and the pump has let go.
class EventServiceImpl::Watcher final : public grpc::ServerWriteReactor<sla::v1::Event> {
 public:
  Watcher(EventServiceImpl* service, grpc::CallbackServerContext* ctx,
          const sla::v1::WatchEventsRequest& req, server::CallContext call, absl::Time start)
      : service_(service),
        ctx_(ctx),
        call_(std::move(call)),
        start_(start),
        cursor_(req.after(), req.epoch(), req.after_digest()) {}

  // Begins the stream: headers now (the stream may stay quiet for a long time).
  void Open(std::shared_ptr<Watcher> self) {
    self_ = std::move(self);
    absl::MutexLock lock(&mu_);
    StartSendInitialMetadata();
  }

  // Ends a stream that never began (refused at the boundary).
  void Refuse(const absl::Status& why) {
    absl::MutexLock lock(&mu_);
    FinishLocked(why);
  }

  // Whether the pump should read for it now.
  bool Due(int64_t generation, absl::Time now) {
    absl::MutexLock lock(&mu_);
    if (finished_ || ending_ || writing_ || !queue_.empty()) return false;
    return more_ || generation != read_generation_ || now - read_at_ >= kIdlePoll;
  }

  // Reads and sends its next page, or ends it (draining, token expired, stream rewound).
  void Fill(int64_t generation, absl::Time now) {
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      if (absl::Status go = WatchMayGoOn(service_->boundary_.draining(), now,
                                         call_.identity.expires, cursor_.position);
          !go.ok()) {
        FinishLocked(go);
        return;
      }
    }
    // The database read happens outside the lock: gRPC's threads only ever wait for a write.
    absl::StatusOr<std::vector<Stored>> page = ReadWatchPage(*service_->pool_, cursor_);
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    if (!page.ok()) {
      FinishLocked(page.status());
      return;
    }
    read_generation_ = generation;
    read_at_ = now;
    more_ = page->size() >= static_cast<size_t>(kWatchPage);
    for (const Stored& e : *page)
      ToEvent(e, service_->stream_, cursor_.epoch, &queue_.emplace_back());
    WriteNextLocked();
  }

  void End(const absl::Status& why) {
    absl::MutexLock lock(&mu_);
    FinishLocked(why);
  }

  void OnWriteDone(bool ok) override {
    bool idle = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (ending_) {  // asked to end while the write was out
        FinishLocked(*ending_);
        return;
      }
      if (!ok) {  // the client went away
        FinishLocked(absl::OkStatus());
        return;
      }
      cursor_.position = queue_.front().sequence();
      queue_.pop_front();
      WriteNextLocked();
      idle = !writing_ && more_;
    }
    if (idle) service_->Wake();  // a full page went out: the next one is waiting
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(absl::CancelledError("the client cancelled the stream"));
  }

  void OnDone() override {
    if (slot_held_) service_->slots_->Release(call_.identity.subject);
    service_->Remove(this);
    self_.reset();  // the last reference may go here or with the pump's copy
  }

  bool slot_held_ = false;

 private:
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || writing_ || queue_.empty()) return;
    writing_ = true;
    StartWrite(&queue_.front());
  }

  // Finishes now, or once the write in flight is done (a write and the finish never overlap).
  void FinishLocked(const absl::Status& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    if (writing_) {
      if (!ending_) ending_ = why;
      return;
    }
    finished_ = true;
    Finish(service_->boundary_.End(ctx_, call_, why, start_));
  }

  EventServiceImpl* const service_;
  grpc::CallbackServerContext* const ctx_;
  const server::CallContext call_;
  const absl::Time start_;
  std::shared_ptr<Watcher> self_;
  absl::Mutex mu_;
  WatchCursor cursor_;  // read by the pump outside mu_ (only the pump reads pages)
  std::deque<sla::v1::Event> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> ending_ ABSL_GUARDED_BY(mu_);
  bool more_ ABSL_GUARDED_BY(mu_) = false;
  int64_t read_generation_ ABSL_GUARDED_BY(mu_) = -1;
  absl::Time read_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

EventServiceImpl::EventServiceImpl(const server::RpcBoundary& boundary, mysql::ConnectionPool* pool,
                                   Sequencer* sequencer, std::string stream, WatchSlots* slots)
    : boundary_(boundary),
      pool_(pool),
      sequencer_(sequencer),
      stream_(std::move(stream)),
      slots_(slots),
      pump_([this] { Pump(); }) {}

EventServiceImpl::~EventServiceImpl() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  pump_.join();
}

grpc::Status EventServiceImpl::ListEvents(grpc::ServerContext* ctx,
                                          const sla::v1::ListEventsRequest* req,
                                          sla::v1::ListEventsResponse* out) {
  return boundary_.Run(ctx, "ListEvents", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_RETURN_IF_ERROR(RequireEventReader(call.identity));
                         SLA_RETURN_IF_ERROR(CheckStream(req->stream(), stream_));
                         return ListPage(*pool_, stream_, *req, out);
                       });
}

grpc::ServerWriteReactor<sla::v1::Event>* EventServiceImpl::WatchEvents(
    grpc::CallbackServerContext* ctx, const sla::v1::WatchEventsRequest* req) {
  const absl::Time start = absl::Now();
  server::CallContext call;
  absl::Status admitted = boundary_.Start(ctx, "WatchEvents", *req, call);
  if (admitted.ok()) admitted = RequireEventReader(call.identity);
  if (admitted.ok()) admitted = CheckStream(req->stream(), stream_);
  if (admitted.ok() && req->after() < 0) admitted = InvalidField("after", "must not be negative");
  if (admitted.ok()) admitted = slots_->Acquire(call.identity.subject);
  auto w = std::make_shared<Watcher>(this, ctx, *req, std::move(call), start);
  Watcher* reactor = w.get();
  if (!admitted.ok()) {
    w->Open(w);  // held until OnDone
    reactor->Refuse(admitted);
    return reactor;
  }
  w->slot_held_ = true;
  w->Open(w);
  Add(std::move(w));
  return reactor;
}

int EventServiceImpl::open_watches() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(watchers_.size());
}

void EventServiceImpl::Add(std::shared_ptr<Watcher> w) {
  absl::MutexLock lock(&mu_);
  watchers_.push_back(std::move(w));
  woken_ = true;
}

void EventServiceImpl::Remove(const Watcher* w) {
  absl::MutexLock lock(&mu_);
  for (auto it = watchers_.begin(); it != watchers_.end(); ++it) {
    if (it->get() == w) {
      watchers_.erase(it);
      return;
    }
  }
}

void EventServiceImpl::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void EventServiceImpl::Pump() {
  for (;;) {
    std::vector<std::shared_ptr<Watcher>> all;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return woken_ || stop_; };
      mu_.AwaitWithTimeout(absl::Condition(&ready), kPumpTick);
      if (stop_) return;
      woken_ = false;
      all = watchers_;
    }
    if (all.empty()) continue;
    // Observed before reading, so a pass that lands in between is seen next time.
    const int64_t generation = sequencer_->generation();
    const absl::Time now = boundary_.Now();
    for (const std::shared_ptr<Watcher>& w : all) {
      if (boundary_.draining().load() || w->Due(generation, now)) w->Fill(generation, now);
    }
  }
}

}  // namespace sla::outbox
