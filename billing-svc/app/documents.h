// Reading issued invoices and credit (and debit) notes: one by name, or pages under a customer
// with filters. Documents are immutable once issued, so this needs nothing of the closing
// machinery in BillingManager.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "billing-svc/app/billing_repository.h"
#include "common/server/identity.h"
#include "sla/billing/v1/billing_service.pb.h"

namespace sla::billing {
namespace pb = ::sla::billing::v1;

class DocumentReader {
 public:
  explicit DocumentReader(BillingRepository* repo) : repo_(repo) {}
  absl::StatusOr<pb::Invoice> GetInvoice(const server::Identity& who, const std::string& name);
  absl::StatusOr<pb::ListInvoicesResponse> ListInvoices(const server::Identity& who,
                                                        const pb::ListInvoicesRequest& req);
  absl::StatusOr<pb::CreditNote> GetCreditNote(const server::Identity& who,
                                               const std::string& name);
  absl::StatusOr<pb::ListCreditNotesResponse> ListCreditNotes(
      const server::Identity& who, const pb::ListCreditNotesRequest& req);

 private:
  BillingRepository* repo_;
};

}  // namespace sla::billing
