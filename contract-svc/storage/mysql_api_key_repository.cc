#include "contract-svc/storage/mysql_api_key_repository.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/mysql/request_log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::contract {
namespace {

// All SQL of this repository; `?` placeholders only. Roles are stored comma-separated (a
// closed set of names without commas).
constexpr char kColumns[] =
    "id, display_name, roles, customer_id, state, expire_time_us, secret_hash, secret_hint, "
    "previous_secret_hash, "
    "previous_expire_time_us, rotate_time_us, revoke_time_us, creator, version, create_time_us, "
    "update_time_us";
const std::string kInsert =
    absl::StrCat("INSERT INTO api_keys (", kColumns,
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
const std::string kSelectById = absl::StrCat("SELECT ", kColumns, " FROM api_keys WHERE id = ?");
const std::string kSelectForUpdate = kSelectById + " FOR UPDATE";
constexpr char kUpdate[] =
    "UPDATE api_keys SET display_name = ?, roles = ?, customer_id = ?, state = ?, expire_time_us = "
    "?, "
    "secret_hash = ?, secret_hint = ?, previous_secret_hash = ?, previous_expire_time_us = ?, "
    "rotate_time_us = ?, "
    "revoke_time_us = ?, creator = ?, version = ?, create_time_us = ?, update_time_us = ? WHERE id "
    "= ?";
const std::string kList = absl::StrCat("SELECT ", kColumns,
                                       " FROM api_keys WHERE id > ? AND (? = 0 OR state = ?)"
                                       " AND (? = 0 OR customer_id = ?) ORDER BY id LIMIT ?");

std::optional<absl::Time> OptionalTime(sql::ResultSet& rs, int column) {
  if (rs.isNull(column)) return std::nullopt;
  return absl::FromUnixMicros(rs.getInt64(column));
}

void SetOptionalTime(sql::PreparedStatement& st, int index, const std::optional<absl::Time>& t) {
  if (t)
    st.setInt64(index, absl::ToUnixMicros(*t));
  else
    st.setNull(index, sql::DataType::BIGINT);
}

ApiKey Read(sql::ResultSet& rs) {
  ApiKey k;
  k.id = rs.getString(1);
  k.display_name = rs.getString(2);
  k.roles = absl::StrSplit(std::string(rs.getString(3)), ',', absl::SkipEmpty());
  k.customer_id = rs.getString(4);
  k.state = static_cast<ApiKey::State>(rs.getInt(5));
  k.expire_time = OptionalTime(rs, 6);
  k.secret_hash = rs.getString(7);
  k.secret_hint = rs.getString(8);
  k.previous_secret_hash = rs.getString(9);
  k.previous_secret_expire_time = OptionalTime(rs, 10);
  k.rotate_time = OptionalTime(rs, 11);
  k.revoke_time = OptionalTime(rs, 12);
  k.creator = rs.getString(13);
  k.version = rs.getInt64(14);
  k.create_time = absl::FromUnixMicros(rs.getInt64(15));
  k.update_time = absl::FromUnixMicros(rs.getInt64(16));
  return k;
}

// The columns after `id` in kColumns' order, from index `first`.
void Bind(sql::PreparedStatement& st, int first, const ApiKey& k) {
  st.setString(first, k.display_name);
  st.setString(first + 1, absl::StrJoin(k.roles, ","));
  st.setString(first + 2, k.customer_id);
  st.setInt(first + 3, static_cast<int>(k.state));
  SetOptionalTime(st, first + 4, k.expire_time);
  st.setString(first + 5, k.secret_hash);
  st.setString(first + 6, k.secret_hint);
  st.setString(first + 7, k.previous_secret_hash);
  SetOptionalTime(st, first + 8, k.previous_secret_expire_time);
  SetOptionalTime(st, first + 9, k.rotate_time);
  SetOptionalTime(st, first + 10, k.revoke_time);
  st.setString(first + 11, k.creator);
  st.setInt64(first + 12, k.version);
  st.setInt64(first + 13, absl::ToUnixMicros(k.create_time));
  st.setInt64(first + 14, absl::ToUnixMicros(k.update_time));
}

absl::StatusOr<std::optional<ApiKey>> SelectOne(mysql::Connection& c, const std::string& sql,
                                                const std::string& id) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
  std::optional<ApiKey> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, id);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) out = Read(*rs);
  }));
  return out;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> MySqlApiKeyRepository::Create(
    const ApiKey& k, const api::RequestKey& request_id, const std::string& caller) {
  std::optional<std::string> earlier;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& conn) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(earlier,
                         mysql::ClaimRequestId(conn, request_id, "CreateApiKey", caller, k.name()));
    if (earlier) return absl::OkStatus();
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(kInsert));
    return mysql::Guard([&] {
      st->setString(1, k.id);
      Bind(*st, 2, k);
      st->executeUpdate();
    });
  }));
  return earlier;
}

absl::StatusOr<ApiKey> MySqlApiKeyRepository::Get(const std::string& id) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(auto found, SelectOne(*conn, kSelectById, id));
  if (!found) return NotFound(absl::StrCat("apiKeys/", id));
  return *found;
}

absl::StatusOr<std::vector<ApiKey>> MySqlApiKeyRepository::List(const ApiKeyQuery& q) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn->Prepare(kList));
  std::vector<ApiKey> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, q.after_id);
    st->setInt(2, q.state ? 1 : 0);
    st->setInt(3, q.state ? static_cast<int>(*q.state) : 0);
    st->setInt(4, q.customer_id ? 1 : 0);
    st->setString(5, q.customer_id.value_or(""));
    st->setInt(6, q.limit + 1);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) out.push_back(Read(*rs));
  }));
  return out;
}

absl::StatusOr<ApiKey> MySqlApiKeyRepository::Update(
    const std::string& id, const std::function<absl::Status(ApiKey&)>& mutate, absl::Time now) {
  ApiKey result;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& conn) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(auto found, SelectOne(conn, kSelectForUpdate, id));
    if (!found) return NotFound(absl::StrCat("apiKeys/", id));
    ApiKey k = *found;
    SLA_RETURN_IF_ERROR(mutate(k));
    k.version = found->version + 1;
    k.update_time = now;
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(kUpdate));
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      Bind(*st, 1, k);
      st->setString(16, k.id);
      st->executeUpdate();
    }));
    result = k;
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace sla::contract
