// The path templates of google.api.http (google/api/http.proto):
//
//   Template = "/" Segments [ Verb ] ;
//   Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   Verb     = ":" LITERAL ;
//
// A variable without "=" matches one segment. A variable over one segment receives it fully
// percent-decoded (`%2F` becomes "/"); a variable over several segments keeps reserved
// characters encoded (`%2F` stays "%2F"), as http.proto prescribes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sla::gateway {

class PathTemplate {
 public:
  // INVALID_ARGUMENT naming the template and the fault for anything outside the grammar.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // A field path ("customer.name") and the value the request path gave it.
  using Bindings = std::vector<std::pair<std::string, std::string>>;

  // Matches a request path (no query string, still percent-encoded). False if it does not
  // match or a segment is not valid percent-encoding.
  bool Match(absl::string_view path, Bindings* bindings) const;

  // How specific the template is, to pick one when several match: a verb first, then more
  // literal segments, then no "**".
  int Specificity() const;

  // The template as an OpenAPI path: one parameter per "*" or "**", named after the literal
  // segment before it, singular ("customers/*" → "customers/{customer}"), or after the field
  // for a variable with no pattern ("{message_id}"); the verb kept (":activate"). `params`
  // gets the names in order.
  std::string OpenApiPath(std::vector<std::string>* params) const;

  const std::string& text() const { return text_; }
  const std::string& verb() const { return verb_; }
  // The field paths the template binds, in order.
  std::vector<std::string> FieldPaths() const;

 private:
  enum class Kind { kLiteral, kSingle, kMulti };
  struct Segment {
    Kind kind;
    std::string literal;
  };
  struct Variable {
    std::string field_path;
    size_t begin = 0;  // the segments it covers: [begin, end)
    size_t end = 0;
  };

  std::string text_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::string verb_;
};

// Percent-decodes `in`; with `keep_reserved`, the RFC 6570 reserved characters stay encoded.
// False on a malformed escape.
bool PercentDecode(absl::string_view in, bool keep_reserved, std::string* out);

}  // namespace sla::gateway
