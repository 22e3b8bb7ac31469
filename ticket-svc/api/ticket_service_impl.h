// gRPC handlers of sla.ticket.v1.TicketService. Every handler runs in the RpcBoundary and
// delegates to the TicketManager; this object also owns ticket-svc's background work (the
// escalation worker and the outbox sequencer), started with it and stopped when it goes.
#pragma once

#include <memory>

#include "common/mysql/connection_pool.h"
#include "common/outbox/feed.h"
#include "common/outbox/sequencer.h"
#include "common/server/periodic.h"
#include "common/server/rpc.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"
#include "ticket-svc/app/outage_manager.h"
#include "ticket-svc/app/terms_cache.h"
#include "ticket-svc/app/ticket_manager.h"
#include "ticket-svc/app/workers.h"
#include "ticket-svc/storage/mysql_ticket_repository.h"

namespace sla::ticket {

struct TicketServiceOptions {
  std::function<absl::Time()> clock;
  // false in tests, which drive the worker and the sequencer by RunOnce().
  bool start_workers = true;
  absl::Duration escalation_interval = absl::Seconds(1);
  absl::Duration sequencer_interval = absl::Milliseconds(100);
  int escalation_batch = 500;
  mysql::GroupCommitOptions create_commits;                        // see TicketManagerOptions
  std::function<std::string(char prefix, absl::Time now)> new_id;  // see TicketManagerOptions
};

class TicketServiceImpl final : public pb::TicketService::Service {
 public:
  TicketServiceImpl(const server::RpcBoundary& boundary, mysql::ConnectionPool* pool,
                    std::unique_ptr<TermsSource> terms_source, TicketServiceOptions options);
  ~TicketServiceImpl() override;

  TicketManager& manager() { return *manager_; }
  EscalationWorker& worker() { return *worker_; }
  outbox::Sequencer& sequencer() { return *sequencer_; }
  // Open watches, shared with sla.v1.EventService.WatchEvents.
  outbox::WatchSlots& watch_slots() { return watch_slots_; }
  TermsCache& terms() { return *terms_; }
  TicketRepository& repository() { return *repo_; }

  grpc::Status CreateTicket(grpc::ServerContext* ctx, const pb::CreateTicketRequest* req,
                            pb::Ticket* out) override;
  grpc::Status GetTicket(grpc::ServerContext* ctx, const pb::GetTicketRequest* req,
                         pb::Ticket* out) override;
  grpc::Status ListTickets(grpc::ServerContext* ctx, const pb::ListTicketsRequest* req,
                           pb::ListTicketsResponse* out) override;
  grpc::Status TransitionTicket(grpc::ServerContext* ctx, const pb::TransitionTicketRequest* req,
                                pb::Ticket* out) override;
  grpc::Status ChangePriority(grpc::ServerContext* ctx, const pb::ChangePriorityRequest* req,
                              pb::Ticket* out) override;
  grpc::Status RecordRootCause(grpc::ServerContext* ctx, const pb::RecordRootCauseRequest* req,
                               pb::Ticket* out) override;
  grpc::Status PauseClocks(grpc::ServerContext* ctx, const pb::PauseClocksRequest* req,
                           pb::Ticket* out) override;
  grpc::Status ResumeClocks(grpc::ServerContext* ctx, const pb::ResumeClocksRequest* req,
                            pb::Ticket* out) override;
  grpc::Status EscalateTicket(grpc::ServerContext* ctx, const pb::EscalateTicketRequest* req,
                              pb::Escalation* out) override;
  grpc::Status AddComment(grpc::ServerContext* ctx, const pb::AddCommentRequest* req,
                          pb::Comment* out) override;
  grpc::Status ListComments(grpc::ServerContext* ctx, const pb::ListCommentsRequest* req,
                            pb::ListCommentsResponse* out) override;
  grpc::Status ListSlaHistory(grpc::ServerContext* ctx, const pb::ListSlaHistoryRequest* req,
                              pb::ListSlaHistoryResponse* out) override;
  grpc::Status ListEscalations(grpc::ServerContext* ctx, const pb::ListEscalationsRequest* req,
                               pb::ListEscalationsResponse* out) override;
  grpc::Status CreateOutage(grpc::ServerContext* ctx, const pb::CreateOutageRequest* req,
                            pb::Outage* out) override;
  grpc::Status CloseOutage(grpc::ServerContext* ctx, const pb::CloseOutageRequest* req,
                           pb::Outage* out) override;
  grpc::Status GetOutage(grpc::ServerContext* ctx, const pb::GetOutageRequest* req,
                         pb::Outage* out) override;
  grpc::Status ListOutages(grpc::ServerContext* ctx, const pb::ListOutagesRequest* req,
                           pb::ListOutagesResponse* out) override;
  grpc::Status ListEvents(grpc::ServerContext* ctx, const pb::ListEventsRequest* req,
                          pb::ListEventsResponse* out) override;
  grpc::Status WatchEvents(grpc::ServerContext* ctx, const pb::WatchEventsRequest* req,
                           grpc::ServerWriter<pb::Event>* writer) override;

 private:
  const server::RpcBoundary& boundary_;
  mysql::ConnectionPool* pool_;
  std::unique_ptr<TermsSource> terms_source_;
  std::unique_ptr<mysql::ConnectionPool> create_pool_;  // group-commit writers' connections
  std::unique_ptr<storage::MysqlTicketRepository> repo_;
  std::unique_ptr<TermsCache> terms_;
  void AnswerPosition(grpc::ServerContext* ctx);
  // The outage RPCs whose timestamps are checked on the way in.
  absl::Status CreateOutageFrom(const server::CallContext& call, const pb::CreateOutageRequest& req,
                                pb::Outage* out);
  absl::Status CloseOutageFrom(const server::CallContext& call, const pb::CloseOutageRequest& req,
                               pb::Outage* out);

  std::unique_ptr<outbox::Sequencer> sequencer_;
  // WatchEvents streams: at most 256 open, 8 per caller.
  outbox::WatchSlots watch_slots_{256, 8};
  std::unique_ptr<server::Periodic> sequencer_loop_;
  std::unique_ptr<TicketManager> manager_;
  std::unique_ptr<OutageManager> outages_;
  std::unique_ptr<TicketReader> reader_;
  std::unique_ptr<EscalationWorker> worker_;
  std::unique_ptr<server::Periodic> worker_loop_;
};

}  // namespace sla::ticket
