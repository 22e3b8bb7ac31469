// What reporting-svc's use cases read and keep, in domain terms: the scope of a query (whose
// rows), issued reports, and revisions waiting to be issued. The repository
// (app/reporting_repository.h) takes and returns these.
#pragma once

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "common/server/customer_scope.h"
#include "reporting-svc/domain/report_name.h"

namespace sla::reporting {

// The rows a query reads: one contract of one customer, one customer, or every customer. Its
// customers come from a server::CustomerScope, so "every customer" exists only for a caller
// whose role reads them all and for the service's own work; no query a customer can reach is
// built from a bare, possibly empty, customer id.
class QueryScope {
 public:
  static QueryScope Customers(server::CustomerScope customers) {
    return QueryScope(std::move(customers), "");
  }
  // One contract: INVALID_ARGUMENT unless `customers` is exactly one customer.
  static absl::StatusOr<QueryScope> Contract(server::CustomerScope customers,
                                             std::string contract_id);
  // The service's own work on rows it already holds (revisions, events): `s` as stored.
  static absl::StatusOr<QueryScope> ForSystemWork(const Scope& s);

  const std::string& customer_id() const { return customers_.customer_id(); }  // empty: all
  const std::string& contract_id() const { return contract_id_; }

 private:
  QueryScope(server::CustomerScope customers, std::string contract_id)
      : customers_(std::move(customers)), contract_id_(std::move(contract_id)) {}
  server::CustomerScope customers_;
  std::string contract_id_;
};

struct PendingRevision {
  Scope scope;
  int period_index = 0;
  std::string reason;
};
struct StoredReport {
  int revision = 0;
  std::string body;  // serialized sla.reporting.v1.Report
};

}  // namespace sla::reporting
