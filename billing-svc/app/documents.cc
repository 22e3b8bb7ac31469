#include "billing-svc/app/documents.h"

#include <algorithm>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api/list_request.h"
#include "common/api/resource_name.h"
#include "common/server/access.h"
#include "common/server/customer_scope.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::billing {

using server::Identity;

namespace {

absl::StatusOr<std::pair<std::string, int64_t>> ParseDocId(absl::string_view id) {
  const size_t dash = id.find('-');
  int64_t n = 0;
  if (dash == absl::string_view::npos || !absl::SimpleAtoi(id.substr(dash + 1), &n) || n <= 0) {
    return InvalidField("name", "has no document number");
  }
  return std::make_pair(std::string(id.substr(0, dash)), n);
}

}  // namespace

namespace {

template <typename Doc>
absl::StatusOr<Doc> GetDoc(BillingRepository& repo, const Identity& who, const std::string& name,
                           const char* collection, const std::vector<std::string>& series) {
  SLA_ASSIGN_OR_RETURN(auto parsed, api::ParseCustomerChild(name, collection, "name"));
  SLA_RETURN_IF_ERROR(server::RequireReadAccess(who, parsed.first, name, "billing documents"));
  SLA_ASSIGN_OR_RETURN(auto id, ParseDocId(parsed.second));
  if (std::find(series.begin(), series.end(), id.first) == series.end()) return NotFound(name);
  std::optional<std::pair<std::string, std::string>> row;
  SLA_RETURN_IF_ERROR(repo.Read([&](BillingTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(row, tx.LoadDocument(id.first, id.second));
    return absl::OkStatus();
  }));
  if (!row || row->first != parsed.first) return NotFound(name);
  Doc out;
  if (!out.ParseFromString(row->second)) return absl::DataLossError("unreadable document");
  return out;
}

template <typename Doc>
absl::StatusOr<DocumentPage<Doc>> ListDocs(BillingRepository& repo, const Identity& who,
                                           const api::PageRequest& page,
                                           const std::vector<std::string>& series) {
  const std::string& parent = page.parent;
  const std::string& filter = page.filter;
  const std::string& order_by = page.order_by;
  SLA_ASSIGN_OR_RETURN(const std::string customer,
                       api::ParseCustomerParent(parent, /*allow_all=*/true));
  SLA_ASSIGN_OR_RETURN(
      server::CustomerScope scope,
      server::CustomerScope::ForCaller(who, customer, parent, "billing documents"));
  SLA_ASSIGN_OR_RETURN(const int page_size, api::PageSize(page.page_size));
  SLA_ASSIGN_OR_RETURN(std::vector<api::Restriction> restrictions, api::ParseFilter(filter));
  // Documents are numbered gaplessly as they are issued: number order is issue order.
  SLA_ASSIGN_OR_RETURN(std::optional<api::OrderBy> order,
                       api::ParseOrderBy(order_by, {"issue_time"}));
  const std::string binding = api::PageBinding(filter, order_by);
  SLA_ASSIGN_OR_RETURN(const std::string after, api::DecodePageToken(page.page_token, binding));
  DocumentQuery q(std::move(scope));
  q.series = series.front();
  q.limit = page_size + 1;
  q.newest_first = order && order->descending;
  if (q.newest_first) q.after_number = std::numeric_limits<int64_t>::max();
  if (!after.empty() && !absl::SimpleAtoi(after, &q.after_number))
    return InvalidField("page_token", "is malformed");
  for (const api::Restriction& r : restrictions) {
    const std::string field = absl::StrCat("filter.", r.field);
    SLA_RETURN_IF_ERROR(series.size() > 1
                            ? api::CheckFilterField(r, {"contract", "period", "series"})
                            : api::CheckFilterField(r, {"contract", "period"}));
    if (r.field == "contract") {
      SLA_ASSIGN_OR_RETURN(auto k, api::ParseCustomerChild(r.value, "contracts", field));
      SLA_RETURN_IF_ERROR(q.scope.NarrowTo(k.first, r.value));
      q.contract_id = k.second;
    } else if (r.field == "period") {
      int y = 0, m = 0;
      std::vector<absl::string_view> ym = absl::StrSplit(r.value, '-');
      if (ym.size() != 2 || !absl::SimpleAtoi(ym[0], &y) || !absl::SimpleAtoi(ym[1], &m) || m < 1 ||
          m > 12) {
        return InvalidField(field, "must be YYYY-MM");
      }
      q.period = core::Period{y, m};
    } else if (r.field == "series" && series.size() > 1) {
      if (std::find(series.begin(), series.end(), r.value) == series.end()) {
        return InvalidField(field, absl::StrCat("must be one of ", absl::StrJoin(series, ", ")));
      }
      q.series = r.value;
    } else {
      return InvalidField(field, series.size() > 1 ? "unknown field (contract, period, series)"
                                                   : "unknown field (contract, period)");
    }
  }
  std::vector<StoredDocument> rows;
  SLA_RETURN_IF_ERROR(repo.Read([&](BillingTx& tx) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(rows, tx.ListDocuments(q));
    return absl::OkStatus();
  }));
  DocumentPage<Doc> out;
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < page_size; ++i) {
    if (!out.documents.emplace_back().ParseFromString(rows[i].body))
      return absl::DataLossError("unreadable document");
  }
  if (static_cast<int>(rows.size()) > page_size) {
    out.next_page_token = api::EncodePageToken(absl::StrCat(rows[page_size - 1].number), binding);
  }
  return out;
}

}  // namespace

absl::StatusOr<pb::Invoice> DocumentReader::GetInvoice(const Identity& who,
                                                       const std::string& name) {
  return GetDoc<pb::Invoice>(*repo_, who, name, "invoices", {"INV"});
}

absl::StatusOr<pb::CreditNote> DocumentReader::GetCreditNote(const Identity& who,
                                                             const std::string& name) {
  return GetDoc<pb::CreditNote>(*repo_, who, name, "creditNotes", {"CN", "DN"});
}

absl::StatusOr<DocumentPage<pb::Invoice>> DocumentReader::ListInvoices(
    const Identity& who, const api::PageRequest& page) {
  return ListDocs<pb::Invoice>(*repo_, who, page, {"INV"});
}

absl::StatusOr<DocumentPage<pb::CreditNote>> DocumentReader::ListCreditNotes(
    const Identity& who, const api::PageRequest& page) {
  return ListDocs<pb::CreditNote>(*repo_, who, page, {"CN", "DN"});
}

}  // namespace sla::billing
