// The transactional part of the in-memory repositories app tests run on: a transaction works on
// a copy of the state and keeps it only when it succeeds, as a rolled-back transaction leaves
// nothing; reads work on a copy that is then dropped. Calls run one at a time. A test may arm
// the next call of a named method to fail (a lost connection, a deadlock).
#pragma once

#include <map>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace sla::test {

// Failures armed by the test, taken by the fake's methods.
class ArmedFailures {
 public:
  void FailNext(const std::string& method, absl::Status error) {
    armed_[method] = std::move(error);
  }
  // OK unless the next call of `method` was armed to fail (then that error, once).
  absl::Status Take(const std::string& method) {
    auto it = armed_.find(method);
    if (it == armed_.end()) return absl::OkStatus();
    absl::Status s = std::move(it->second);
    armed_.erase(it);
    return s;
  }

 private:
  std::map<std::string, absl::Status> armed_;
};

template <typename State>
class InMemoryStore {
 public:
  using Body = absl::FunctionRef<absl::Status(State&, ArmedFailures&)>;

  absl::Status Transact(Body fn) {
    absl::MutexLock lock(&mu_);
    State draft = state_;
    absl::Status s = fn(draft, failures_);
    if (s.ok()) state_ = std::move(draft);
    return s;
  }
  absl::Status Read(Body fn) {
    absl::MutexLock lock(&mu_);
    State view = state_;
    return fn(view, failures_);
  }

  State state() {
    absl::MutexLock lock(&mu_);
    return state_;
  }
  void Edit(absl::FunctionRef<void(State&)> edit) {
    absl::MutexLock lock(&mu_);
    edit(state_);
  }
  void FailNext(const std::string& method, absl::Status error) {
    absl::MutexLock lock(&mu_);
    failures_.FailNext(method, std::move(error));
  }

 private:
  absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_);
  ArmedFailures failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sla::test
