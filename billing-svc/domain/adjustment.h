// A closed period recomputed after late data (a late breach, an outage closed or reclassified
// after the close): per (rule, subject), the change against what the period recorded, as the
// lines of a delta credit note (credits grew) or debit note (they shrank). Issued documents
// are never edited; the delta is a document of its own. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/core/credits.h"

namespace sla::billing {

// One credit row the period recorded: its close (revision 0) or an earlier delta.
struct RecordedCredit {
  std::string rule_id;
  std::string subject;
  int64_t amount_minor = 0;
  core::CreditStatus status = core::CreditStatus::kIssued;
};

struct DeltaLine {
  std::string rule_id;
  std::string kind;
  std::string subject;
  int64_t amount_minor = 0;  // signed: positive grows the credit
  std::vector<std::string> explanation;
};

struct Adjustment {
  // The status of the delta rows: the period's credits were issued (the delta is issued, as a
  // document), deferred (the delta joins the amount waiting to be paid out) or dropped (stays
  // dropped unless the recomputed total now reaches the minimum, then it is all issued).
  core::CreditStatus status = core::CreditStatus::kIssued;
  std::vector<DeltaLine> lines;  // the non-zero changes, by rule and subject
  int64_t total_minor = 0;       // their sum
};

// `now`: the period's credits recomputed on today's facts; `recorded`: every row the period
// holds, all revisions.
Adjustment ComputeAdjustment(const core::CreditResult& now,
                             const std::vector<RecordedCredit>& recorded);

}  // namespace sla::billing
