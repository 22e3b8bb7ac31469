// The agreement document: a contract's terms as a readable document, with sections in the
// order of the article's checklist (services, performance, problem management,
// responsibilities, escalation, reporting, resolution, availability, scalability,
// termination, pricing, service levels and security). Every number carries its unit; hours
// are given in their calendar's time zone.
//
// One document model, two renderings (Markdown, self-contained HTML), so the content is
// written once. All text is escaped for the target format.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/text/format.h"
#include "sla/v1/terms.pb.h"

namespace sla::contract {

struct AgreementInfo {
  std::string title;          // contract display name
  std::string contract_name;  // resource name
  std::string customer;       // customer display name
  int version = 0;            // 0 = draft
  absl::Time effective_from;  // unused for a draft
};

struct DocBlock {
  enum class Kind { kHeading, kParagraph, kList, kTable };
  Kind kind;
  int level = 2;                               // headings
  std::string text;                            // headings, paragraphs
  std::vector<std::string> items;              // lists
  std::vector<std::vector<std::string>> rows;  // tables: first row is the header
};

struct AgreementDocument {
  std::string title;
  std::vector<DocBlock> blocks;
};

// `terms.calendars` should hold the calendars the terms name (versions carry a snapshot).
AgreementDocument BuildAgreement(const AgreementInfo& info, const sla::v1::SlaTerms& terms);
std::string RenderMarkdown(const AgreementDocument& doc);
std::string RenderHtml(const AgreementDocument& doc);

using text::FormatPpmPercent;
using text::FormatTarget;

}  // namespace sla::contract
