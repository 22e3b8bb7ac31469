// An event as its producer writes it, before the outbox numbers it (outbox.h). Apart from the
// outbox tables so that use cases can build events without depending on MySQL.
#pragma once

#include <cstdint>
#include <string>

#include "sla/v1/events.pb.h"

namespace sla::outbox {

struct Row {
  std::string type;               // e.g. "clock.breached"
  std::string subject;            // the resource it concerns
  std::string customer_id;        // the owning customer
  int64_t event_time = 0;         // Unix seconds
  sla::v1::EventPayload payload;  // of the type's family (payload.h)
};

}  // namespace sla::outbox
