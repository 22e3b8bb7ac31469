#include "ticket-svc/api/ticket_service_impl.h"

#include "absl/strings/str_cat.h"
#include "common/api/list_request.h"
#include "common/log/log.h"
#include "common/outbox/feed.h"
#include "common/server/request_fingerprint.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "ticket-svc/api/ticket_convert.h"

namespace sla::ticket {
using outbox::RequireEventReader;

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

namespace {

// The API views of what the use cases answer.
absl::Status ToProto(const TicketView& v, pb::Ticket* out) {
  return TicketToProto(v.ticket, *v.terms, v.now, out);
}
absl::Status ToProto(const CommentRow& c, pb::Comment* out) {
  *out = c.comment;
  return absl::OkStatus();
}
absl::Status ToProto(const OutageRow& o, pb::Outage* out) {
  out->set_name(o.name());
  out->set_contract(o.contract_name());
  out->set_service_id(o.service_id);
  out->mutable_start_time()->set_seconds(o.start_time);
  if (o.end_time) out->mutable_end_time()->set_seconds(*o.end_time);
  out->set_planned(o.planned);
  out->set_exclusion_id(o.exclusion_id);
  out->set_ticket(o.ticket);
  out->set_summary(o.summary);
  out->set_etag(absl::StrCat("v", o.version));
  out->mutable_create_time()->set_seconds(o.create_time);
  out->mutable_update_time()->set_seconds(o.update_time);
  return absl::OkStatus();
}
absl::Status ToProto(const std::pair<Ticket, FiredEscalation>& e, pb::Escalation* out) {
  EscalationToProto(e.first, e.second, out);
  return absl::OkStatus();
}
absl::Status ToProto(const TicketPage& page, pb::ListTicketsResponse* out) {
  for (const TicketView& v : page.tickets) SLA_RETURN_IF_ERROR(ToProto(v, out->add_tickets()));
  out->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}
absl::Status ToProto(const CommentPage& page, pb::ListCommentsResponse* out) {
  for (const CommentRow& c : page.comments) *out->add_comments() = c.comment;
  out->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}
absl::Status ToProto(const OutageManager::Page& page, pb::ListOutagesResponse* out) {
  for (const OutageRow& o : page.outages) SLA_RETURN_IF_ERROR(ToProto(o, out->add_outages()));
  out->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}
// History rows hold the entries of one change each; concatenated messages merge their lists.
absl::Status ToProto(const std::vector<std::string>& rows, pb::ListSlaHistoryResponse* out) {
  for (const std::string& r : rows) {
    if (!out->MergeFromString(r)) return absl::DataLossError("unreadable history row");
  }
  return absl::OkStatus();
}
absl::Status ToProto(const std::vector<std::string>& rows, pb::ListEscalationsResponse* out) {
  for (const std::string& r : rows) {
    if (!out->add_escalations()->ParseFromString(r))
      return absl::DataLossError("unreadable escalation");
  }
  return absl::OkStatus();
}

// For server::Into: the ToProto above that fits.
constexpr auto kToProto = [](const auto& value, auto* out) { return ToProto(value, out); };

}  // namespace

#define SLA_TICKET_UNARY(Method, Request, Response, Call)                              \
  grpc::Status TicketServiceImpl::Method(grpc::ServerContext* ctx, const Request* req, \
                                         Response* out) {                              \
    return boundary_.Run(ctx, #Method, *req, [&](const server::CallContext& call) {    \
      absl::Status s = Call;                                                           \
      if (s.ok()) AnswerPosition(ctx);                                                 \
      return s;                                                                        \
    });                                                                                \
  }

SLA_TICKET_UNARY(CreateTicket, pb::CreateTicketRequest, pb::Ticket,
                 server::Into(manager_->CreateTicket(call.identity, convert::FromRequest(*req),
                                                     server::RequestKeyOf(*req)),
                              out, kToProto))
SLA_TICKET_UNARY(GetTicket, pb::GetTicketRequest, pb::Ticket,
                 server::Into(reader_->GetTicket(call.identity, req->name()), out, kToProto))
SLA_TICKET_UNARY(ListTickets, pb::ListTicketsRequest, pb::ListTicketsResponse,
                 server::Into(reader_->ListTickets(call.identity, api::PageOf(*req)), out,
                              kToProto))
SLA_TICKET_UNARY(TransitionTicket, pb::TransitionTicketRequest, pb::Ticket,
                 server::Into(manager_->TransitionTicket(call.identity, req->name(), req->etag(),
                                                         req->status(), req->reason()),
                              out, kToProto))
SLA_TICKET_UNARY(ChangePriority, pb::ChangePriorityRequest, pb::Ticket,
                 server::Into(manager_->ChangePriority(call.identity, req->name(), req->etag(),
                                                       req->priority(), req->reason()),
                              out, kToProto))
SLA_TICKET_UNARY(RecordRootCause, pb::RecordRootCauseRequest, pb::Ticket,
                 server::Into(manager_->RecordRootCause(call.identity, req->name(),
                                                        req->root_cause(),
                                                        req->preventive_action()),
                              out, kToProto))
SLA_TICKET_UNARY(PauseClocks, pb::PauseClocksRequest, pb::Ticket,
                 server::Into(manager_->PauseClocks(call.identity, req->name(), req->exclusion_id(),
                                                    req->reason()),
                              out, kToProto))
SLA_TICKET_UNARY(ResumeClocks, pb::ResumeClocksRequest, pb::Ticket,
                 server::Into(manager_->ResumeClocks(call.identity, req->name(), req->reason()),
                              out, kToProto))
SLA_TICKET_UNARY(EscalateTicket, pb::EscalateTicketRequest, pb::Escalation,
                 server::Into(manager_->EscalateTicket(call.identity, req->name(), req->clock(),
                                                       req->level(), req->reason()),
                              out, kToProto))
SLA_TICKET_UNARY(AddComment, pb::AddCommentRequest, pb::Comment,
                 server::Into(manager_->AddComment(call.identity, convert::FromRequest(*req),
                                                   server::RequestKeyOf(*req)),
                              out, kToProto))
SLA_TICKET_UNARY(ListComments, pb::ListCommentsRequest, pb::ListCommentsResponse,
                 server::Into(reader_->ListComments(call.identity, api::PageOf(*req)), out,
                              kToProto))
SLA_TICKET_UNARY(ListSlaHistory, pb::ListSlaHistoryRequest, pb::ListSlaHistoryResponse,
                 server::Into(reader_->ListSlaHistory(call.identity, req->parent()), out, kToProto))
SLA_TICKET_UNARY(ListEscalations, pb::ListEscalationsRequest, pb::ListEscalationsResponse,
                 server::Into(reader_->ListEscalations(call.identity, req->parent()), out,
                              kToProto))
SLA_TICKET_UNARY(CreateOutage, pb::CreateOutageRequest, pb::Outage,
                 CreateOutageFrom(call, *req, out))
SLA_TICKET_UNARY(CloseOutage, pb::CloseOutageRequest, pb::Outage, CloseOutageFrom(call, *req, out))
SLA_TICKET_UNARY(GetOutage, pb::GetOutageRequest, pb::Outage,
                 server::Into(outages_->GetOutage(call.identity, req->name()), out, kToProto))
SLA_TICKET_UNARY(ListOutages, pb::ListOutagesRequest, pb::ListOutagesResponse,
                 server::Into(outages_->ListOutages(call.identity, api::PageOf(*req)), out,
                              kToProto))

#undef SLA_TICKET_UNARY

absl::Status TicketServiceImpl::CreateOutageFrom(const server::CallContext& call,
                                                 const pb::CreateOutageRequest& req,
                                                 pb::Outage* out) {
  SLA_ASSIGN_OR_RETURN(NewOutageInput in, convert::FromRequest(req));
  return server::Into(outages_->CreateOutage(call.identity, in, server::RequestKeyOf(req)), out,
                      kToProto);
}

absl::Status TicketServiceImpl::CloseOutageFrom(const server::CallContext& call,
                                                const pb::CloseOutageRequest& req,
                                                pb::Outage* out) {
  SLA_ASSIGN_OR_RETURN(std::optional<int64_t> end,
                       convert::Seconds(req.has_end_time(), req.end_time(), "end_time"));
  return server::Into(outages_->CloseOutage(call.identity, req.name(), end), out, kToProto);
}

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
