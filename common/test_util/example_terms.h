// The example contract's terms (docs/examples/acme-managed-it-terms.json) for tests, read from
// the path the build passes as SLA_EXAMPLE_TERMS. Calendars are named, not carried, as a person
// writes them.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "sla/v1/terms.pb.h"

namespace sla::test {

#ifdef SLA_EXAMPLE_TERMS
inline sla::v1::SlaTerms ExampleTerms() {
  std::ifstream in(SLA_EXAMPLE_TERMS);
  std::stringstream json;
  json << in.rdbuf();
  sla::v1::SlaTerms terms;
  if (!google::protobuf::util::JsonStringToMessage(json.str(), &terms).ok()) {
    throw std::runtime_error(std::string("unreadable example terms: ") + SLA_EXAMPLE_TERMS);
  }
  return terms;
}
#endif

}  // namespace sla::test
