#include "common/server/periodic.h"

namespace sla::server {

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

}  // namespace sla::server
