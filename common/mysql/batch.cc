#include "common/mysql/batch.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace sla::mysql {

namespace {

// Runs the statement in power-of-two chunks; `run` executes one bound chunk.
absl::Status Chunked(Connection& conn, const std::string& prefix, const std::string& row_sql,
                     const std::string& separator, const std::string& suffix, size_t rows,
                     int params_per_row,
                     absl::FunctionRef<void(sql::PreparedStatement&, size_t, int)> bind,
                     absl::FunctionRef<void(sql::PreparedStatement&)> run,
                     size_t max_chunk = kMaxChunk) {
  size_t done = 0;
  while (done < rows) {
    size_t chunk = max_chunk;
    while (chunk > rows - done) chunk /= 2;
    std::string sql = prefix;
    for (size_t i = 0; i < chunk; ++i) absl::StrAppend(&sql, i ? separator : "", row_sql);
    sql += suffix;
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(sql));
    SLA_RETURN_IF_ERROR(Guard([&] {
      for (size_t i = 0; i < chunk; ++i)
        bind(*st, done + i, static_cast<int>(i) * params_per_row + 1);
      run(*st);
    }));
    done += chunk;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ExecuteRows(Connection& conn, const std::string& prefix, const std::string& row_sql,
                         const std::string& suffix, size_t rows, int params_per_row,
                         absl::FunctionRef<void(sql::PreparedStatement&, size_t, int)> bind) {
  return Chunked(conn, prefix, row_sql, ",", suffix, rows, params_per_row, bind,
                 [](sql::PreparedStatement& st) { st.executeUpdate(); });
}

absl::Status ExecuteRowsJoined(Connection& conn, const std::string& prefix,
                               const std::string& row_sql, const std::string& separator,
                               const std::string& suffix, size_t rows, int params_per_row,
                               absl::FunctionRef<void(sql::PreparedStatement&, size_t, int)> bind) {
  return Chunked(
      conn, prefix, row_sql, separator, suffix, rows, params_per_row, bind,
      [](sql::PreparedStatement& st) { st.executeUpdate(); }, kMaxOrChunk);
}

absl::Status QueryRows(Connection& conn, const std::string& prefix, const std::string& row_sql,
                       const std::string& separator, const std::string& suffix, size_t rows,
                       int params_per_row,
                       absl::FunctionRef<void(sql::PreparedStatement&, size_t, int)> bind,
                       absl::FunctionRef<void(sql::ResultSet&)> read) {
  return Chunked(
      conn, prefix, row_sql, separator, suffix, rows, params_per_row, bind,
      [&](sql::PreparedStatement& st) {
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        while (rs->next()) read(*rs);
      },
      kMaxOrChunk);
}

}  // namespace sla::mysql
