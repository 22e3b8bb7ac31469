#include "common/mysql/request_log.h"

#include "common/status/errors.h"

namespace sla::mysql {
namespace {

constexpr char kInsert[] =
    "INSERT INTO request_log (request_id, method, caller, resource_name) VALUES (?, ?, ?, ?)";
constexpr char kSelect[] =
    "SELECT resource_name FROM request_log WHERE request_id = ? AND method = ? AND caller = ?";

}  // namespace

absl::StatusOr<std::optional<std::string>> ClaimRequestId(Connection& conn,
                                                          const std::string& request_id,
                                                          const std::string& method,
                                                          const std::string& caller,
                                                          const std::string& resource_name) {
  if (request_id.empty()) return std::nullopt;
  if (request_id.size() > 128) return InvalidField("request_id", "at most 128 characters");
  absl::StatusOr<sql::PreparedStatement*> ins = conn.Prepare(kInsert);
  if (!ins.ok()) return ins.status();
  absl::Status s = Guard([&] {
    (*ins)->setString(1, request_id);
    (*ins)->setString(2, method);
    (*ins)->setString(3, caller);
    (*ins)->setString(4, resource_name);
    (*ins)->executeUpdate();
  });
  if (s.ok()) return std::nullopt;
  if (s.code() != absl::StatusCode::kAlreadyExists) return s;
  // A duplicate key fails the statement, not the transaction: read the earlier claim.
  absl::StatusOr<std::optional<std::string>> existing = LookupRequestId(conn, request_id, method, caller);
  if (!existing.ok()) return existing.status();
  if (!*existing) return absl::AbortedError("request id claimed concurrently; retry");
  return existing;
}

absl::StatusOr<std::optional<std::string>> LookupRequestId(Connection& conn,
                                                           const std::string& request_id,
                                                           const std::string& method,
                                                           const std::string& caller) {
  absl::StatusOr<sql::PreparedStatement*> sel = conn.Prepare(kSelect);
  if (!sel.ok()) return sel.status();
  std::optional<std::string> existing;
  absl::Status s = Guard([&] {
    (*sel)->setString(1, request_id);
    (*sel)->setString(2, method);
    (*sel)->setString(3, caller);
    std::unique_ptr<sql::ResultSet> rs((*sel)->executeQuery());
    if (rs->next()) existing = rs->getString(1);
  });
  if (!s.ok()) return s;
  return existing;
}

}  // namespace sla::mysql
