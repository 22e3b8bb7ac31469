// The terms reports are computed under, from contract-svc, cached by version (versions are
// immutable): a ticket event's version, the version in force at an instant, and the version a
// contract's report of a period uses.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clients/terms_source.h"
#include "sla/v1/terms.pb.h"

namespace sla::reporting {

struct TermsInfo {
  std::string version;
  sla::v1::SlaTerms terms;
};

class ReportTerms {
 public:
  // `terms` must outlive it.
  explicit ReportTerms(clients::TermsSource* terms) : terms_(terms) {}

  // `version` by name, or (empty) the version of `contract` in force at `at` (Unix seconds).
  absl::StatusOr<std::shared_ptr<const TermsInfo>> Of(const std::string& contract,
                                                      const std::string& version, int64_t at);
  // The terms a contract's report of `period` is computed under: those in force in the middle
  // of the month, or, for a month the contract began or ended in, the last version in force
  // during the month (found by walking the versions). FAILED_PRECONDITION if none was.
  absl::StatusOr<std::shared_ptr<const TermsInfo>> ForPeriod(const std::string& contract,
                                                             int period);
  clients::TermsSource& source() { return *terms_; }

 private:
  clients::TermsSource* terms_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const TermsInfo>> cache_ ABSL_GUARDED_BY(mu_);
};

// The period (year * 12 + month - 1) of `at` in the terms' billing zone.
absl::StatusOr<int> PeriodIndexOf(const TermsInfo& t, int64_t at);

}  // namespace sla::reporting
