// What ticket-svc's use cases take from a caller, in plain values: the API layer (api/) turns
// each request message into one of these, and field checks (requests.h) speak of the fields
// by their API paths so that errors name what the caller sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sla/ticket/v1/ticket_service.pb.h"
#include "sla/v1/terms.pb.h"

namespace sla::ticket {

// CreateTicket: `parent` is `customers/{c}`, `contract` a contract of that customer.
struct NewTicketInput {
  std::string parent;
  std::string contract;
  std::string service_id;
  sla::v1::Priority priority = sla::v1::PRIORITY_UNSPECIFIED;
  std::string title;
  std::string description;
  std::string reporter;
  std::string request_id;
};

// AddComment on the ticket `parent`.
struct NewCommentInput {
  std::string parent;
  std::string body;
  sla::ticket::v1::Comment::Visibility visibility =
      sla::ticket::v1::Comment::VISIBILITY_UNSPECIFIED;
  sla::ticket::v1::Comment::Kind kind = sla::ticket::v1::Comment::KIND_UNSPECIFIED;
  bool awaits_reply = false;
  std::string request_id;
};

// CreateOutage under `parent`; instants in Unix seconds, already checked as timestamps.
struct NewOutageInput {
  std::string parent;
  std::string contract;
  std::string service_id;
  std::optional<int64_t> start_time;
  std::optional<int64_t> end_time;
  bool planned = false;
  std::string exclusion_id;
  std::string ticket;
  std::string summary;
  std::string request_id;
};

}  // namespace sla::ticket
