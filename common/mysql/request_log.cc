#include "common/mysql/request_log.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace sla::mysql {
namespace {

constexpr char kInsert[] =
    "INSERT INTO request_log (request_id, method, caller, resource_name, request_hash) VALUES (?, "
    "?, ?, ?, ?)";
constexpr char kSelect[] =
    "SELECT resource_name, request_hash FROM request_log WHERE request_id = ? AND method = ? AND "
    "caller = ?";

}  // namespace

absl::StatusOr<std::optional<std::string>> ClaimRequestId(Connection& conn,
                                                          const api::RequestKey& key,
                                                          const std::string& method,
                                                          const std::string& caller,
                                                          const std::string& resource_name) {
  if (key.request_id.empty()) return std::nullopt;
  if (key.request_id.size() > 128) return InvalidField("request_id", "at most 128 characters");
  absl::StatusOr<sql::PreparedStatement*> ins = conn.Prepare(kInsert);
  if (!ins.ok()) return ins.status();
  absl::Status s = Guard([&] {
    (*ins)->setString(1, key.request_id);
    (*ins)->setString(2, method);
    (*ins)->setString(3, caller);
    (*ins)->setString(4, resource_name);
    (*ins)->setString(5, key.fingerprint);
    (*ins)->executeUpdate();
  });
  if (s.ok()) return std::nullopt;
  if (s.code() != absl::StatusCode::kAlreadyExists) return s;
  // A duplicate key fails the statement, not the transaction: read the earlier claim.
  absl::StatusOr<std::optional<std::string>> existing = LookupRequestId(conn, key, method, caller);
  if (!existing.ok()) return existing.status();
  if (!*existing) return absl::AbortedError("request id claimed concurrently; retry");
  return existing;
}

absl::StatusOr<std::optional<std::string>> LookupRequestId(Connection& conn,
                                                           const api::RequestKey& key,
                                                           const std::string& method,
                                                           const std::string& caller) {
  absl::StatusOr<sql::PreparedStatement*> sel = conn.Prepare(kSelect);
  if (!sel.ok()) return sel.status();
  std::optional<std::string> existing;
  std::string hash;
  absl::Status s = Guard([&] {
    (*sel)->setString(1, key.request_id);
    (*sel)->setString(2, method);
    (*sel)->setString(3, caller);
    std::unique_ptr<sql::ResultSet> rs((*sel)->executeQuery());
    if (rs->next()) {
      existing = rs->getString(1);
      hash = rs->getString(2);
    }
  });
  if (!s.ok()) return s;
  if (existing) {
    absl::Status same = api::SameRequest(key, *existing, hash);
    if (!same.ok()) return same;
  }
  return existing;
}

}  // namespace sla::mysql
