// Early-return helpers for absl::Status / absl::StatusOr (Abseil 20220623 has none).
//
//   SLA_RETURN_IF_ERROR(DoThing());
//   SLA_ASSIGN_OR_RETURN(Foo foo, MakeFoo());
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SLA_STATUS_CONCAT_INNER_(a, b) a##b
#define SLA_STATUS_CONCAT_(a, b) SLA_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
// The local's name is unique per expansion, so that the macro nests (e.g. inside a lambda
// passed to RunInTransaction within another SLA_RETURN_IF_ERROR).
#define SLA_RETURN_IF_ERROR(expr) \
  SLA_RETURN_IF_ERROR_IMPL_(SLA_STATUS_CONCAT_(sla_status_, __COUNTER__), expr)

#define SLA_RETURN_IF_ERROR_IMPL_(status, expr) \
  do {                                          \
    ::absl::Status status = (expr);             \
    if (!status.ok()) return status;            \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status, else assigns the
// value to `lhs` (which may be a declaration).
#define SLA_ASSIGN_OR_RETURN(lhs, rexpr) \
  SLA_ASSIGN_OR_RETURN_IMPL_(SLA_STATUS_CONCAT_(sla_statusor_, __COUNTER__), lhs, rexpr)

#define SLA_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)   \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
