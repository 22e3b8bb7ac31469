#include "ticket-svc/api/ticket_service_impl.h"

#include "absl/strings/str_cat.h"
#include "common/api/list_request.h"
#include "common/log/log.h"
#include "common/outbox/feed.h"
#include "common/server/request_fingerprint.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::ticket {
using outbox::RequireEventReader;
using server::Into;

TicketServiceImpl::TicketServiceImpl(const server::RpcBoundary& boundary,
                                     mysql::ConnectionPool* pool,
                                     std::unique_ptr<TermsSource> terms_source,
                                     TicketServiceOptions options)
    : boundary_(boundary), pool_(pool), terms_source_(std::move(terms_source)) {
  sequencer_ = std::make_unique<outbox::Sequencer>(pool_);
  sequencer_loop_ = std::make_unique<server::Periodic>(
      "outbox-sequencer", options.sequencer_interval,
      [this] {
        absl::StatusOr<int> n = sequencer_->RunOnce();
        if (!n.ok())
          log::Warning("outbox sequencer pass failed", {{"error", n.status().ToString()}});
      },
      absl::Milliseconds(5));
  auto wake = [this] { sequencer_loop_->Wake(); };
  // The group-commit writers send each transaction as one compound statement, on connections
  // of their own (a batch never waits behind reads for a pooled connection). Multi-statements
  // stay off: a compound statement is one statement.
  mysql::ConnectionOptions writers = pool_->options();
  writers.pool_size = std::max(1, options.create_commits.writers);
  absl::StatusOr<std::unique_ptr<mysql::ConnectionPool>> created =
      mysql::ConnectionPool::Create(writers);
  if (created.ok()) {
    create_pool_ = *std::move(created);
  } else {
    log::Warning("group-commit connections unavailable; new tickets use the main pool",
                 {{"error", created.status().ToString()}});
  }
  repo_ = std::make_unique<storage::MysqlTicketRepository>(pool_, create_pool_.get());
  terms_ = std::make_unique<TermsCache>(terms_source_.get(), repo_.get(), options.clock);
  manager_ = std::make_unique<TicketManager>(
      repo_.get(), terms_.get(),
      TicketManagerOptions{options.clock, wake, [this] { sequencer_->Notify(); },
                           options.create_commits, options.new_id});
  reader_ = std::make_unique<TicketReader>(repo_.get(), terms_.get(), options.clock);
  outages_ = std::make_unique<OutageManager>(
      repo_.get(), terms_.get(),
      TicketManagerOptions{options.clock, wake, [] {}, {}, options.new_id});
  worker_ = std::make_unique<EscalationWorker>(
      repo_.get(), terms_.get(),
      EscalationWorkerOptions{options.clock, options.escalation_batch, wake});
  worker_loop_ =
      std::make_unique<server::Periodic>("escalation-worker", options.escalation_interval, [this] {
        absl::StatusOr<PassStats> s = worker_->RunOnce();
        if (!s.ok()) {
          log::Warning("escalation pass failed", {{"error", s.status().ToString()}});
        } else if (s->tickets > 0) {
          log::Info("escalation pass",
                    {{"tickets", absl::StrCat(s->tickets)}, {"events", absl::StrCat(s->events)}});
        }
      });
  if (options.start_workers) {
    sequencer_loop_->Start();
    worker_loop_->Start();
  }
}

TicketServiceImpl::~TicketServiceImpl() {
  worker_loop_->Stop();
  sequencer_loop_->Stop();
}

// Read-your-writes: a caller that asks (x-sla-want-position) learns the stream position that
// includes what it just did, to pass to a service that follows the stream. Its events are
// numbered now, so the position is known; a caller that does not ask pays nothing.
void TicketServiceImpl::AnswerPosition(grpc::ServerContext* ctx) {
  if (ctx->client_metadata().find(outbox::kWantPositionHeader) == ctx->client_metadata().end())
    return;
  outbox::Head head;
  absl::Status s = sequencer_->RunOnce().status();
  if (s.ok()) {
    s = mysql::WithConnection(*pool_, [&](mysql::Connection& c) -> absl::Status {
      SLA_ASSIGN_OR_RETURN(head, outbox::ReadHead(c));
      return absl::OkStatus();
    });
  }
  if (!s.ok()) {
    log::Warning("event position not answered", {{"error", s.ToString()}});
    return;
  }
  ctx->AddInitialMetadata(outbox::kPositionHeader,
                          outbox::FormatPosition({"ticket-svc", head.epoch, head.last_seq}));
}

#define SLA_TICKET_UNARY(Method, Request, Response, Call)                              \
  grpc::Status TicketServiceImpl::Method(grpc::ServerContext* ctx, const Request* req, \
                                         Response* out) {                              \
    return boundary_.Run(ctx, #Method, *req, [&](const server::CallContext& call) {    \
      absl::Status s = Into(Call, out);                                                \
      if (s.ok()) AnswerPosition(ctx);                                                 \
      return s;                                                                        \
    });                                                                                \
  }

SLA_TICKET_UNARY(CreateTicket, pb::CreateTicketRequest, pb::Ticket,
                 manager_->CreateTicket(call.identity, *req, server::RequestKeyOf(*req)))
SLA_TICKET_UNARY(GetTicket, pb::GetTicketRequest, pb::Ticket,
                 reader_->GetTicket(call.identity, req->name()))
SLA_TICKET_UNARY(ListTickets, pb::ListTicketsRequest, pb::ListTicketsResponse,
                 reader_->ListTickets(call.identity, *req))
SLA_TICKET_UNARY(TransitionTicket, pb::TransitionTicketRequest, pb::Ticket,
                 manager_->TransitionTicket(call.identity, *req))
SLA_TICKET_UNARY(ChangePriority, pb::ChangePriorityRequest, pb::Ticket,
                 manager_->ChangePriority(call.identity, *req))
SLA_TICKET_UNARY(RecordRootCause, pb::RecordRootCauseRequest, pb::Ticket,
                 manager_->RecordRootCause(call.identity, *req))
SLA_TICKET_UNARY(PauseClocks, pb::PauseClocksRequest, pb::Ticket,
                 manager_->PauseClocks(call.identity, *req))
SLA_TICKET_UNARY(ResumeClocks, pb::ResumeClocksRequest, pb::Ticket,
                 manager_->ResumeClocks(call.identity, *req))
SLA_TICKET_UNARY(EscalateTicket, pb::EscalateTicketRequest, pb::Escalation,
                 manager_->EscalateTicket(call.identity, *req))
SLA_TICKET_UNARY(AddComment, pb::AddCommentRequest, pb::Comment,
                 manager_->AddComment(call.identity, *req, server::RequestKeyOf(*req)))
SLA_TICKET_UNARY(ListComments, pb::ListCommentsRequest, pb::ListCommentsResponse,
                 reader_->ListComments(call.identity, *req))
SLA_TICKET_UNARY(ListSlaHistory, pb::ListSlaHistoryRequest, pb::ListSlaHistoryResponse,
                 reader_->ListSlaHistory(call.identity, *req))
SLA_TICKET_UNARY(ListEscalations, pb::ListEscalationsRequest, pb::ListEscalationsResponse,
                 reader_->ListEscalations(call.identity, *req))
SLA_TICKET_UNARY(CreateOutage, pb::CreateOutageRequest, pb::Outage,
                 outages_->CreateOutage(call.identity, *req, server::RequestKeyOf(*req)))
SLA_TICKET_UNARY(CloseOutage, pb::CloseOutageRequest, pb::Outage,
                 outages_->CloseOutage(call.identity, *req))
SLA_TICKET_UNARY(GetOutage, pb::GetOutageRequest, pb::Outage,
                 outages_->GetOutage(call.identity, req->name()))
SLA_TICKET_UNARY(ListOutages, pb::ListOutagesRequest, pb::ListOutagesResponse,
                 outages_->ListOutages(call.identity, *req))

#undef SLA_TICKET_UNARY

grpc::Status TicketServiceImpl::ListEvents(grpc::ServerContext* ctx,
                                           const pb::ListEventsRequest* req,
                                           pb::ListEventsResponse* out) {
  return boundary_.Run(ctx, "ListEvents", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_RETURN_IF_ERROR(RequireEventReader(call.identity));
                         return outbox::ListPage(*pool_, "ticket-svc", *req, out);
                       });
}

grpc::Status TicketServiceImpl::WatchEvents(grpc::ServerContext* ctx,
                                            const pb::WatchEventsRequest* req,
                                            grpc::ServerWriter<pb::Event>* writer) {
  return boundary_.Run(
      ctx, "WatchEvents", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(RequireEventReader(call.identity));
        return outbox::Watch(
            *pool_, *sequencer_, "ticket-svc", *req, call.identity,
            [this] { return boundary_.Now(); }, ctx, writer, boundary_.draining(), watch_slots_);
      });
}

}  // namespace sla::ticket
