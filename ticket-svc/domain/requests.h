// Field checks of ticket-svc's create and update messages, before any access to the database
// or the terms: lengths, required fields, enums, resource names. INVALID_ARGUMENT names the
// field. Pure, so the fuzzer (fuzz/) and the use cases run the same code.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ticket-svc/domain/inputs.h"

namespace sla::ticket {

inline constexpr size_t kMaxTitle = 300;
inline constexpr size_t kMaxText = 20'000;
inline constexpr size_t kMaxRca = 10'000;
inline constexpr size_t kMaxReason = 2'000;
inline constexpr size_t kMaxShort = 256;
inline constexpr size_t kMaxRequestId = 128;

// INVALID_ARGUMENT(field) if `v` is empty while `required`, or longer than `max` bytes.
absl::Status CheckLength(const std::string& v, size_t max, const char* field, bool required);

// A new ticket whose parent is `customer`: contract of that customer, service id, priority
// P1..P5, title, description, reporter, request id. Returns the contract's id.
absl::StatusOr<std::string> ValidateNewTicket(const NewTicketInput& in,
                                              const std::string& customer);

// A new comment: body and request id.
absl::Status ValidateNewComment(const NewCommentInput& in);

}  // namespace sla::ticket
