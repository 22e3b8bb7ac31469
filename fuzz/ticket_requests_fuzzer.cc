// ticket-svc's create and update messages from the wire: the field checks of CreateTicket and
// AddComment, then a ticket opened from the fuzzed message on DOMAIN.md's Bangkok terms and
// driven through a fuzzed sequence of transitions, comments, priority changes, pauses and
// catch-ups, with the clocks read after each step. The domain must answer every step with OK
// or a client error, never crash.
#include <fuzzer/FuzzedDataProvider.h>

#include "common/core/test_terms.h"
#include "fuzz/fuzz_util.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "ticket-svc/api/ticket_convert.h"
#include "ticket-svc/domain/requests.h"
#include "ticket-svc/domain/ticket.h"

namespace {

namespace pb = sla::ticket::v1;
using sla::fuzz::ExpectClientError;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* terms =
      new std::shared_ptr<const sla::core::TermsContext>(sla::core::testing::BangkokContext());
  FuzzedDataProvider in(data, size);
  pb::CreateTicketRequest create;
  if (!create.ParseFromString(in.ConsumeRandomLengthString(4096))) return 0;
  absl::StatusOr<std::string> contract =
      sla::ticket::ValidateNewTicket(sla::ticket::convert::FromRequest(create), "acme");
  ExpectClientError(contract.status());
  if (!contract.ok()) return 0;

  sla::ticket::Ticket t;
  t.id = "t1";
  t.customer_id = "acme";
  t.contract_id = *contract;
  t.service_id = create.ticket().service_id();
  t.priority = create.ticket().priority();
  t.title = create.ticket().title();
  int64_t now =
      sla::core::testing::Utc(2026, 12, 4, 9) + in.ConsumeIntegralInRange<int64_t>(0, 86400 * 30);
  sla::ticket::Effects fx;
  const absl::Status opened = sla::ticket::Open(t, **terms, now, "fuzz", fx);
  ExpectClientError(opened);
  if (!opened.ok()) return 0;

  while (in.remaining_bytes() > 0) {
    now += in.ConsumeIntegralInRange<int64_t>(0, 86400 * 3);
    absl::Status s;
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0:
        s = sla::ticket::Transition(
            t, **terms, static_cast<sla::ticket::Status>(in.ConsumeIntegralInRange<int>(0, 7)), now,
            "fuzz", in.ConsumeRandomLengthString(64), fx);
        break;
      case 1: {
        pb::AddCommentRequest comment;
        comment.mutable_comment()->set_body(in.ConsumeRandomLengthString(64));
        s = sla::ticket::ValidateNewComment(sla::ticket::convert::FromRequest(comment));
        if (!s.ok()) break;
        sla::ticket::CommentInput ci;
        ci.side = in.ConsumeBool() ? pb::Comment::MSP : pb::Comment::CUSTOMER;
        ci.visibility = in.ConsumeBool() ? pb::Comment::PUBLIC : pb::Comment::INTERNAL;
        ci.kind = static_cast<pb::Comment::Kind>(in.ConsumeIntegralInRange<int>(0, 3));
        ci.awaits_reply = in.ConsumeBool();
        s = sla::ticket::Comment(t, **terms, ci, now, "fuzz", fx);
        break;
      }
      case 2:
        s = sla::ticket::ChangePriority(
            t, **terms, static_cast<sla::v1::Priority>(in.ConsumeIntegralInRange<int>(0, 6)), now,
            "fuzz", "fuzzed", fx);
        break;
      case 3:
        s = sla::ticket::PauseForExclusion(t, **terms, in.ConsumeRandomLengthString(16), now,
                                           "fuzz", "fuzzed", fx);
        break;
      case 4:
        s = sla::ticket::ResumeFromExclusion(t, **terms, now, "fuzz", "fuzzed", fx);
        break;
      case 5:
        s = sla::ticket::RecordRootCause(t, in.ConsumeRandomLengthString(32),
                                         in.ConsumeRandomLengthString(32), now, "fuzz", fx);
        break;
      case 6:
        s = sla::ticket::Escalate(
            t, **terms, static_cast<sla::v1::ClockKind>(in.ConsumeIntegralInRange<int>(0, 5)),
            in.ConsumeIntegralInRange<int>(0, 4), now, "fuzz", "fuzzed", fx);
        break;
      case 7:
        s = sla::ticket::CatchUp(t, **terms, now, fx);
        break;
    }
    ExpectClientError(s);
    ExpectClientError(sla::ticket::Derive(t, **terms, now).status());
    for (const auto& c : t.clocks) {
      pb::Clock view;
      ExpectClientError(sla::ticket::ClockToProto(c, **terms, t.priority, now, &view));
    }
  }
  return 0;
}
