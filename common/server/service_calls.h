// Least privilege between services. A call made with a service's own identity (role `service`,
// subject the service's name, signed with that service's own key in production) may reach
// exactly the RPCs that service uses, nothing else: ticket-svc resolves terms; billing-svc and
// reporting-svc also list contracts and follow event streams; contract-svc's lint replays
// terms through reporting-svc. No service may open tickets or outages, issue reports or read
// documents with its own identity.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/server/identity.h"
#include "google/protobuf/message.h"

namespace sla::server {

// "/sla.ticket.v1.TicketService/ListEvents": the RPC `method` of the service defined in the
// same .proto file as `request` (each service's requests live in its own file).
std::string FullMethodName(const google::protobuf::Message& request, absl::string_view method);

// OK for callers without the `service` role (the matrix rules apply), and for a service calling
// one of the RPCs it uses (`method` of `request`'s service); PERMISSION_DENIED naming the caller
// and the RPC otherwise. The RPC's full name is built only for a service caller.
absl::Status CheckServiceCall(const Identity& caller, const google::protobuf::Message& request,
                              absl::string_view method);

}  // namespace sla::server
