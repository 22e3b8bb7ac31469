// The text every service parses out of requests and event streams, beyond the messages
// themselves: list filters and page tokens, report names, event payloads of earlier releases
// (JSON, converted to the typed payload) as billing-svc's and reporting-svc's consumers read
// them, and request fingerprints. The first byte picks the parser; the rest is its input. Each
// may only refuse as documented (INVALID_ARGUMENT, or DATA_LOSS for a payload that does not
// parse); a crash, a sanitizer report, another status or a broken invariant fails.
#include <cstdint>
#include <string>

#include "common/api/list_request.h"
#include "common/api/resource_name.h"
#include "common/outbox/payload.h"
#include "common/server/request_fingerprint.h"
#include "reporting-svc/domain/credit_event.h"
#include "reporting-svc/domain/report_name.h"
#include "sla/ticket/v1/ticket_service.pb.h"

namespace {

void Require(const absl::Status& s, absl::StatusCode a,
             absl::StatusCode b = absl::StatusCode::kInvalidArgument) {
  if (!s.ok() && s.code() != a && s.code() != b) __builtin_trap();
}

constexpr const char* kCreditTypes[] = {"credit_note.issued", "debit_note.issued",
                                        "credit.deferred",    "credit.dropped",
                                        "credit.revised",     "invoice.issued"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 2, size - 2);
  switch (data[0] % 6) {
    case 0: {
      const absl::StatusOr<std::vector<sla::api::Restriction>> filter =
          sla::api::ParseFilter(input);
      Require(filter.status(), absl::StatusCode::kInvalidArgument);
      if (filter.ok()) {
        for (const sla::api::Restriction& r : *filter) {
          Require(sla::api::CheckFilterField(r, {"status", "priority", "contract"}),
                  absl::StatusCode::kInvalidArgument);
        }
      }
      break;
    }
    case 1: {
      // A token is bound to its filter: what one filter's token decodes to, another's refuses.
      // (Tokens carry a row's key, at most a few hundred bytes; a token over 2 KiB is refused.)
      Require(sla::api::DecodePageToken(input, "status = NEW").status(),
              absl::StatusCode::kInvalidArgument);
      if (input.size() > 512) break;
      const std::string token = sla::api::EncodePageToken(input, "status = NEW");
      const absl::StatusOr<std::string> back = sla::api::DecodePageToken(token, "status = NEW");
      if (!back.ok() || *back != input) __builtin_trap();
      if (sla::api::DecodePageToken(token, "status = CLOSED").ok()) __builtin_trap();
      break;
    }
    case 2: {
      const absl::StatusOr<sla::reporting::ReportName> n =
          sla::reporting::ParseReportName(input, "name");
      Require(n.status(), absl::StatusCode::kInvalidArgument);
      if (n.ok() &&
          (n->name != input || n->period < 0 || (n->contract() && n->scope.customer_id.empty()))) {
        __builtin_trap();
      }
      break;
    }
    case 3: {
      const char* type = kCreditTypes[data[1] % 6];
      const auto payload = sla::outbox::PayloadFromJson(type, input);
      Require(payload.status(), absl::StatusCode::kDataLoss);
      if (!payload.ok()) return 0;
      if (payload->kind_case() != sla::outbox::FamilyOf(type)) __builtin_trap();
      // What converts renders back to JSON that converts to the same payload.
      const auto again = sla::outbox::PayloadFromJson(type, sla::outbox::PayloadJson(*payload));
      if (!again.ok() || again->SerializeAsString() != payload->SerializeAsString())
        __builtin_trap();
      if (!payload->has_credit()) return 0;
      const auto credit = sla::reporting::ReadCreditEvent(type, payload->credit());
      Require(credit.status(), absl::StatusCode::kInvalidArgument);
      if (credit.ok() && credit->has_value() && (*credit)->contract.contract_id.empty())
        __builtin_trap();
      break;
    }
    case 4: {
      // A ticket event as reporting-svc reads it: the payload, then the names it carries.
      const auto payload = sla::outbox::PayloadFromJson("clock.breached", input);
      Require(payload.status(), absl::StatusCode::kDataLoss);
      if (!payload.ok()) return 0;
      const sla::v1::TicketEventPayload& p = payload->ticket();
      Require(sla::api::ParseCustomerChild(p.ticket(), "tickets", "payload.ticket").status(),
              absl::StatusCode::kInvalidArgument);
      Require(sla::api::ParseCustomerChild(p.contract(), "contracts", "payload.contract").status(),
              absl::StatusCode::kInvalidArgument);
      break;
    }
    default: {
      // The fingerprint of a request ignores its request id and nothing else, whatever the bytes.
      sla::ticket::v1::CreateTicketRequest req;
      if (!req.ParseFromString(input)) return 0;
      const std::string f = sla::server::RequestFingerprint(req);
      sla::ticket::v1::CreateTicketRequest again;
      if (!again.ParseFromString(req.SerializeAsString())) __builtin_trap();
      again.set_request_id(req.request_id() + "-other");
      if (sla::server::RequestFingerprint(again) != f || f.size() != 64) __builtin_trap();
      again.mutable_ticket()->set_title(req.ticket().title() + "!");
      if (sla::server::RequestFingerprint(again) == f) __builtin_trap();
      break;
    }
  }
  return 0;
}
