// A background thread for a service's periodic work (workers, sequencers).
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sla::server {

// A thread that runs `pass` every `interval` (or sooner when woken, but never twice within
// `min_gap`, so a burst of wake-ups costs one pass) until stopped.
class Periodic {
 public:
  Periodic(std::string name, absl::Duration interval, std::function<void()> pass,
           absl::Duration min_gap = absl::ZeroDuration());
  ~Periodic();
  void Start();
  void Wake();
  void Stop();

 private:
  const std::string name_;
  const absl::Duration interval_;
  std::function<void()> pass_;
  const absl::Duration min_gap_;
  absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sla::server
