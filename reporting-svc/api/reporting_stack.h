// reporting-svc's use cases wired on MariaDB: the terms cache over contract-svc, the
// repository, the two followed event streams and the ReportManager over them. The service, its
// restart tests and the benchmarks build it the same way.
#pragma once

#include "reporting-svc/app/report_manager.h"
#include "reporting-svc/storage/mysql_reporting_repository.h"
#include "reporting-svc/storage/report_projection.h"

namespace sla::reporting {

struct ReportingStack {
  // `pool`, `terms`, `tickets` and `billing` must outlive it; a null feed is never followed.
  ReportingStack(mysql::ConnectionPool* pool, clients::TermsSource* terms, outbox::Feed* tickets,
                 outbox::Feed* billing, ReportingOptions options)
      : terms_cache(terms),
        repo(pool),
        streams(pool, tickets, billing, &terms_cache, options.clock),
        manager(&repo, &terms_cache, &streams, std::move(options)) {}

  ReportTerms terms_cache;
  storage::MysqlReportingRepository repo;
  storage::FollowedReportStreams streams;
  ReportManager manager;
};

}  // namespace sla::reporting
