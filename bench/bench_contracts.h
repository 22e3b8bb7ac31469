// In-process stand-ins for the benchmarks: contract-svc answering every contract with the same
// terms (what its ResolveTerms would answer), and an event stream with nothing in it, so a
// figure is the measured service's own cost.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/clients/contract_terms.h"
#include "common/outbox/follower.h"
#include "google/protobuf/util/json_util.h"

namespace sla::bench {

// Every contract `customers/c{i}/contracts/k{i}` is in force from 1 December 2026 00:00
// Bangkok under the example terms.
class Contracts final : public clients::TermsSource, public clients::ContractDirectory {
 public:
  Contracts(sla::v1::SlaTerms terms, int n) : terms_(std::move(terms)), n_(n) {}
  absl::StatusOr<clients::ResolvedVersion> Resolve(const std::string& contract,
                                                   absl::Time at) override {
    if (at < kStart) return absl::FailedPreconditionError("no terms in force");
    clients::ResolvedVersion v;
    v.name = absl::StrCat(contract, "/versions/1");
    v.terms = terms_;
    v.effective_from = kStart;
    return v;
  }
  absl::StatusOr<clients::ResolvedVersion> ResolveVersion(const std::string& contract,
                                                          const std::string&) override {
    return Resolve(contract, kStart);
  }
  absl::StatusOr<std::vector<std::string>> ActiveContracts() override {
    std::vector<std::string> out;
    for (int i = 0; i < n_; ++i) out.push_back(absl::StrCat("customers/c", i, "/contracts/k", i));
    return out;
  }
  absl::StatusOr<std::vector<Terminated>> TerminatedContracts(absl::Time) override {
    return std::vector<Terminated>();
  }

 private:
  static inline const absl::Time kStart =
      absl::FromUnixSeconds(1'796'058'000);  // 2026-11-30T17:00Z
  sla::v1::SlaTerms terms_;
  int n_;
};

class NoEvents final : public outbox::Feed {
 public:
  absl::StatusOr<outbox::FeedPage> List(const outbox::FeedPosition&, int, int64_t) override {
    return outbox::FeedPage{"bench", 0, {}};
  }
};

// The example terms file, as contract-svc would hold them.
inline absl::StatusOr<sla::v1::SlaTerms> ReadTerms(const std::string& path) {
  std::ifstream in(path);
  std::stringstream json;
  json << in.rdbuf();
  sla::v1::SlaTerms terms;
  if (!google::protobuf::util::JsonStringToMessage(json.str(), &terms).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("unreadable terms: ", path));
  }
  return terms;
}

}  // namespace sla::bench
