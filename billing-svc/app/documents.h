// Reading issued invoices and credit (and debit) notes: one by name, or pages under a customer
// with filters. Documents are immutable once issued, so this needs nothing of the closing
// machinery in BillingManager.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "billing-svc/app/billing_repository.h"
#include "common/api/list_request.h"
#include "common/server/identity.h"
#include "sla/billing/v1/billing_service.pb.h"

namespace sla::billing {
namespace pb = ::sla::billing::v1;

// A page of issued documents, in number (issue) order or newest first.
template <typename Doc>
struct DocumentPage {
  std::vector<Doc> documents;
  std::string next_page_token;
};

class DocumentReader {
 public:
  explicit DocumentReader(BillingRepository* repo) : repo_(repo) {}
  absl::StatusOr<pb::Invoice> GetInvoice(const server::Identity& who, const std::string& name);
  absl::StatusOr<DocumentPage<pb::Invoice>> ListInvoices(const server::Identity& who,
                                                         const api::PageRequest& page);
  absl::StatusOr<pb::CreditNote> GetCreditNote(const server::Identity& who,
                                               const std::string& name);
  absl::StatusOr<DocumentPage<pb::CreditNote>> ListCreditNotes(const server::Identity& who,
                                                               const api::PageRequest& page);

 private:
  BillingRepository* repo_;
};

}  // namespace sla::billing
