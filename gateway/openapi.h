// The OpenAPI 3.0 document of the gateway's HTTP API, generated from the same route table and
// descriptors the gateway serves from: a route cannot exist without its documentation, nor the
// other way round. The gateway serves it at GET /openapi.json.
#pragma once

#include <string>

#include "gateway/transcoder.h"

namespace sla::gateway {

// Path variables over several segments ("{name=customers/*/tickets/*}") become one parameter per
// "*", named after the collection before it ("/v1/customers/{customer}/tickets/{ticket}"): the
// same URLs, in a form OpenAPI tools accept.
std::string OpenApiJson(const RouteTable& routes);

}  // namespace sla::gateway
