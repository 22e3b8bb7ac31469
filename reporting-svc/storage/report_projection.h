// ticket-svc's and billing-svc's event streams into reporting-svc's read model: two followers
// (cursors and dead letters in the shared consumer tables) whose handlers write the read-model
// rows of each event in the follower's transaction, so a replayed event changes nothing. A
// credit decided after a report was issued leaves a pending revision for the use cases.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/mysql/connection_pool.h"
#include "common/outbox/follower.h"
#include "reporting-svc/app/report_streams.h"
#include "reporting-svc/app/report_terms.h"

namespace sla::reporting::storage {

class FollowedReportStreams final : public ReportStreams {
 public:
  // `pool`, `tickets`, `billing` and `terms` must outlive it. The ticket handler resolves each
  // event's terms (zone, RCA rule) before its transaction, through `terms`.
  FollowedReportStreams(mysql::ConnectionPool* pool, outbox::Feed* tickets, outbox::Feed* billing,
                        ReportTerms* terms, std::function<absl::Time()> clock);
  ~FollowedReportStreams() override;

  absl::StatusOr<int> ApplyTicketEvents() override;
  absl::StatusOr<int> ApplyBillingEvents() override;
  absl::StatusOr<std::vector<std::string>> Positions() override;
  absl::Status CatchUp(const outbox::Position& p, absl::Duration max_wait) override;

  // Events set aside because they cannot be applied, oldest first.
  absl::StatusOr<std::vector<outbox::DeadLetterRow>> DeadLetters(int limit);
  // For the operator's actions (EventConsumerService).
  outbox::Follower& ticket_events() { return *tickets_; }
  outbox::Follower& billing_events() { return *billing_; }

 private:
  mysql::ConnectionPool* pool_;
  std::unique_ptr<outbox::Handler> ticket_handler_;
  std::unique_ptr<outbox::Handler> billing_handler_;
  std::unique_ptr<outbox::Follower> tickets_;
  std::unique_ptr<outbox::Follower> billing_;
};

}  // namespace sla::reporting::storage
