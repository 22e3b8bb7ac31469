// Reading a contract's terms: its agreement document, lint (with the history check through
// TermsHistory), and the version in force at an instant or by name (ResolveTerms, as the
// other services ask for it). Every read goes through the ContractManager's access check.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/identity.h"
#include "contract-svc/app/contract_manager.h"
#include "contract-svc/app/terms_history.h"
#include "contract-svc/domain/agreement.h"
#include "contract-svc/domain/lint.h"
#include "contract-svc/storage/contract_repository.h"

namespace sla::contract {

class TermsReader {
 public:
  // `contracts` and `repo` must outlive it.
  TermsReader(ContractManager* contracts, ContractRepository* repo,
              std::function<absl::Time()> clock)
      : contracts_(contracts), repo_(repo), clock_(std::move(clock)) {}

  // The agreement document of the contract (its draft or latest version) or of one version
  // (`…/versions/{n}`).
  absl::StatusOr<AgreementDocument> Agreement(const server::Identity& caller,
                                              const std::string& name,
                                              const std::string& customer_display_name);

  // Lint of the contract's draft or latest version. With `history_periods` (1..36) also the
  // targets' record on the contract's past tickets (TermsHistory); MSP staff only, and
  // FAILED_PRECONDITION when no TermsHistory is configured.
  absl::StatusOr<std::vector<LintFinding>> Lint(const server::Identity& caller,
                                                const std::string& name, int history_periods = 0);

  // Where lint's history check replays terms (reporting-svc); set once, before serving.
  void SetTermsHistory(TermsHistory* history) { history_ = history; }

  // The version in force at `at`. FAILED_PRECONDITION if none is (before the first version's
  // start, or at/after termination).
  absl::StatusOr<ResolvedVersion> ResolveTerms(const server::Identity& caller,
                                               const std::string& contract, absl::Time at);
  // One version by name (`{contract}/versions/{n}`), in force or not, with the instant it
  // stopped being in force (the next version's start or the termination) if it has.
  // INVALID_ARGUMENT for a version of another contract, NOT_FOUND for none.
  absl::StatusOr<ResolvedVersion> ResolveVersion(const server::Identity& caller,
                                                 const std::string& contract,
                                                 const std::string& version);

 private:
  ContractManager* contracts_;
  ContractRepository* repo_;
  std::function<absl::Time()> clock_;
  TermsHistory* history_ = nullptr;
};

}  // namespace sla::contract
