#include "common/mysql/batch.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace sla::mysql {

absl::Status ExecuteRows(Connection& conn, const std::string& prefix, const std::string& row_sql,
                         const std::string& suffix, size_t rows, int params_per_row,
                         absl::FunctionRef<void(sql::PreparedStatement&, size_t, int)> bind) {
  size_t done = 0;
  while (done < rows) {
    size_t chunk = kMaxChunk;
    while (chunk > rows - done) chunk /= 2;
    std::string sql = prefix;
    for (size_t i = 0; i < chunk; ++i) absl::StrAppend(&sql, i ? "," : "", row_sql);
    sql += suffix;
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(sql));
    SLA_RETURN_IF_ERROR(Guard([&] {
      for (size_t i = 0; i < chunk; ++i) bind(*st, done + i, static_cast<int>(i) * params_per_row + 1);
      st->executeUpdate();
    }));
    done += chunk;
  }
  return absl::OkStatus();
}

}  // namespace sla::mysql
