// Late data: a fact about a period that already closed marks it stale; its revision computes
// the period again and issues the difference, a delta credit note (or a debit note when the
// customer was credited too much), never touching what was issued before.
#pragma once

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "billing-svc/app/billing_repository.h"
#include "common/clients/terms_source.h"

namespace sla::billing {

// Revises up to 1000 stale periods, each in its own transaction; `on_published` runs after one
// that published events. Returns how many periods changed; a failing one is logged and left
// stale for the next pass.
absl::StatusOr<int> ReviseStalePeriods(BillingRepository& repo, clients::TermsSource& terms,
                                       int64_t now, const std::function<void()>& on_published);

}  // namespace sla::billing
