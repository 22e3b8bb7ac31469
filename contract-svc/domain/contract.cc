#include "contract-svc/domain/contract.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"

namespace sla::contract {
namespace {

bool ValidId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<ContractName> ParseContractName(absl::string_view name, absl::string_view field) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "customers" || parts[2] != "contracts" ||
      !ValidId(parts[1]) || !ValidId(parts[3])) {
    return InvalidField(field, "must be `customers/{customer}/contracts/{contract}`");
  }
  return ContractName{std::string(parts[1]), std::string(parts[3])};
}

}  // namespace sla::contract
