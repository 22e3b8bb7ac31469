#include "billing-svc/domain/records.h"

#include "absl/strings/str_cat.h"

namespace sla::billing {

std::string KeyText(const ContractKey& k) {
  return absl::StrCat(k.customer_id, "/", k.contract_id);
}

std::string ClosedText(const PeriodKey& p) {
  return absl::StrCat(KeyText(p.key), "/", MonthIndex(p.period));
}

}  // namespace sla::billing
