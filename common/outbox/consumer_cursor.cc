#include "common/outbox/consumer_cursor.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace sla::outbox {

using mysql::Connection;

absl::StatusOr<int64_t> GetCursor(Connection& c, const std::string& source, bool for_update) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare(absl::StrCat("SELECT last_seq FROM consumer_cursor WHERE source = ?",
                                              for_update ? " FOR UPDATE" : "")));
  int64_t seq = 0;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, source);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) seq = rs->getInt64(1);
  }));
  return seq;
}

absl::Status SetCursor(Connection& c, const std::string& source, int64_t seq) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st,
                       c.Prepare("INSERT INTO consumer_cursor (source, last_seq) VALUES (?, ?) "
                                 "ON DUPLICATE KEY UPDATE last_seq = VALUES(last_seq)"));
  return mysql::Guard([&] {
    st->setString(1, source);
    st->setInt64(2, seq);
    st->executeUpdate();
  });
}

}  // namespace sla::outbox
