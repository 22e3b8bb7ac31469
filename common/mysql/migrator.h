// Versioned, forward-only schema migrations, applied once each and recorded in the service's
// own `schema_migrations` table.
//
// Safe when several replicas start at once: the whole run holds a named MariaDB lock
// (GET_LOCK), so one replica migrates and the others wait, then find nothing to do.
// A migration that was applied and later edited is refused (FAILED_PRECONDITION): migrations
// are immutable once merged; fix forward with a new one.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/migration.h"

namespace sla::mysql {

// Applies the pending migrations in version order. Returns how many were applied.
// INVALID_ARGUMENT for a malformed file name or duplicate version; FAILED_PRECONDITION when
// an applied migration's checksum changed; UNAVAILABLE if the lock is not had in 60 s.
absl::StatusOr<int> Migrate(ConnectionPool& pool, const std::vector<Migration>& migrations);

// Splits a migration into statements: each ends with `;` at the end of a line. `--` comment
// lines and blank lines are dropped. Lines between `-- sla:begin` and `-- sla:end` form one
// statement taken verbatim (a stored procedure, whose body holds semicolons).
std::vector<std::string> SplitStatements(absl::string_view sql);

// Stable 64-bit FNV-1a checksum of the text, as 16 hex digits (change detection only).
std::string Checksum(absl::string_view text);

}  // namespace sla::mysql
