// Multi-row statements with a bounded set of prepared shapes.
//
// One INSERT of n rows is one round trip instead of n; but a prepared statement per distinct n
// would fill the server's statement cache. ExecuteRows splits n into chunks of power-of-two
// sizes (at most kMaxChunk rows), so at most log2(kMaxChunk) + 1 shapes per statement exist.
//
//   ExecuteRows(conn, "INSERT INTO t (a, b) VALUES ", "(?, ?)", "", rows.size(),
//               [&](sql::PreparedStatement& st, size_t row, int first_param) {
//                 st.setString(first_param, rows[row].a);
//                 st.setInt64(first_param + 1, rows[row].b);
//               });
#pragma once

#include <cppconn/resultset.h>

#include <cstddef>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "common/mysql/connection_pool.h"

namespace sla::mysql {

inline constexpr size_t kMaxChunk = 128;

// Runs `prefix` + `row_sql` × k (comma-separated) + `suffix` over `rows` rows in chunks.
// `bind(statement, row index, index of the row's first parameter)` sets one row's parameters.
absl::Status ExecuteRows(Connection& conn, const std::string& prefix, const std::string& row_sql,
                         const std::string& suffix, size_t rows, int params_per_row,
                         absl::FunctionRef<void(sql::PreparedStatement&, size_t, int)> bind);

// The same with the rows joined by `separator` (e.g. an UPDATE whose WHERE ORs one condition
// per row).
absl::Status ExecuteRowsJoined(Connection& conn, const std::string& prefix,
                               const std::string& row_sql, const std::string& separator,
                               const std::string& suffix, size_t rows, int params_per_row,
                               absl::FunctionRef<void(sql::PreparedStatement&, size_t, int)> bind);

// The same for a query whose WHERE holds one condition per row joined by `separator` (e.g.
// " OR "): one round trip per chunk; `read` sees every result row of every chunk. Chunks are
// at most kMaxOrChunk rows: the server tests each row it reads against every condition.
inline constexpr size_t kMaxOrChunk = 8;
absl::Status QueryRows(Connection& conn, const std::string& prefix, const std::string& row_sql,
                       const std::string& separator, const std::string& suffix, size_t rows,
                       int params_per_row,
                       absl::FunctionRef<void(sql::PreparedStatement&, size_t, int)> bind,
                       absl::FunctionRef<void(sql::ResultSet&)> read);

}  // namespace sla::mysql
