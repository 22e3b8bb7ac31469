#include "common/outbox/consumer_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::outbox {
namespace {

absl::Status RequireAdmin(const server::Identity& who) {
  if (who.HasRole("msp_admin")) return absl::OkStatus();
  return PermissionDenied("event consumers are operated by msp_admin only");
}

void ToProto(const CursorState& c, sla::v1::ConsumerCursor* out) {
  out->set_source(c.source);
  out->set_epoch(c.epoch);
  out->set_sequence(c.sequence);
  out->set_digest(c.digest);
  if (c.last_event_time > 0) out->mutable_last_event_time()->set_seconds(c.last_event_time);
  if (c.applied_time > 0) out->mutable_apply_time()->set_seconds(c.applied_time);
  out->set_stopped_reason(c.stopped_reason);
}

void ToProto(const DeadLetterRow& d, sla::v1::DeadLetter* out) {
  out->set_source(d.source);
  out->set_epoch(d.epoch);
  out->set_sequence(d.sequence);
  out->set_type(d.type);
  out->set_subject(d.subject);
  out->set_customer(absl::StrCat("customers/", d.customer_id));
  if (d.event_time > 0) out->mutable_event_time()->set_seconds(d.event_time);
  out->set_reason(d.reason);
  out->set_state(d.state);
  out->set_attempts(d.attempts);
  out->mutable_dead_time()->set_seconds(d.dead_at);
  if (d.replayed_at > 0) out->mutable_replay_time()->set_seconds(d.replayed_at);
  out->set_replayed_by(d.replayed_by);
}

}  // namespace

absl::StatusOr<Follower*> EventConsumerServiceImpl::Find(const std::string& source) const {
  auto it = followers_.find(source);
  if (it != followers_.end()) return it->second;
  std::vector<std::string> known;
  for (const auto& [name, f] : followers_) known.push_back(name);
  return InvalidField(
      "source", absl::StrCat("is not a followed stream here; one of ", absl::StrJoin(known, ", ")));
}

grpc::Status EventConsumerServiceImpl::ListConsumerCursors(
    grpc::ServerContext* ctx, const sla::v1::ListConsumerCursorsRequest* req,
    sla::v1::ListConsumerCursorsResponse* out) {
  return boundary_.Run(
      ctx, "ListConsumerCursors", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(RequireAdmin(call.identity));
        SLA_ASSIGN_OR_RETURN(const std::vector<CursorState> cursors, ListCursors(*pool_));
        for (const CursorState& c : cursors) ToProto(c, out->add_cursors());
        return absl::OkStatus();
      });
}

grpc::Status EventConsumerServiceImpl::ResetConsumerCursor(
    grpc::ServerContext* ctx, const sla::v1::ResetConsumerCursorRequest* req,
    sla::v1::ConsumerCursor* out) {
  return boundary_.Run(
      ctx, "ResetConsumerCursor", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(RequireAdmin(call.identity));
        SLA_ASSIGN_OR_RETURN(Follower * f, Find(req->source()));
        SLA_ASSIGN_OR_RETURN(const CursorState c, f->Reset(req->epoch(), req->sequence(),
                                                           req->reason(), call.identity.subject));
        ToProto(c, out);
        return absl::OkStatus();
      });
}

grpc::Status EventConsumerServiceImpl::ListDeadLetters(grpc::ServerContext* ctx,
                                                       const sla::v1::ListDeadLettersRequest* req,
                                                       sla::v1::ListDeadLettersResponse* out) {
  return boundary_.Run(ctx, "ListDeadLetters", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_RETURN_IF_ERROR(RequireAdmin(call.identity));
                         std::string state = req->state().empty() ? "dead" : req->state();
                         if (state != "dead" && state != "replayed" && state != "all") {
                           return InvalidField("state", "must be dead, replayed or all");
                         }
                         if (state == "all") state.clear();
                         const int size = req->page_size() == 0 ? 100 : req->page_size();
                         if (size < 1 || size > 1000)
                           return InvalidField("page_size", "must be within 1..1000");
                         SLA_ASSIGN_OR_RETURN(const std::vector<DeadLetterRow> rows,
                                              outbox::ListDeadLetters(*pool_, state, size));
                         for (const DeadLetterRow& d : rows) ToProto(d, out->add_dead_letters());
                         return absl::OkStatus();
                       });
}

grpc::Status EventConsumerServiceImpl::ReplayDeadLetter(grpc::ServerContext* ctx,
                                                        const sla::v1::ReplayDeadLetterRequest* req,
                                                        sla::v1::DeadLetter* out) {
  return boundary_.Run(
      ctx, "ReplayDeadLetter", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(RequireAdmin(call.identity));
        SLA_ASSIGN_OR_RETURN(Follower * f, Find(req->source()));
        SLA_ASSIGN_OR_RETURN(const DeadLetterRow d,
                             f->Replay(req->epoch(), req->sequence(), call.identity.subject));
        ToProto(d, out);
        return absl::OkStatus();
      });
}

}  // namespace sla::outbox
