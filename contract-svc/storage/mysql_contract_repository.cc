#include "contract-svc/storage/mysql_contract_repository.h"

#include "absl/strings/str_cat.h"
#include "common/mysql/request_log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::contract {
namespace {

constexpr char kColumns[] =
    "id, customer_id, display_name, state, draft_terms, latest_version, termination_time_us, "
    "termination_reason, version, create_time_us, update_time_us";
const std::string kInsert =
    absl::StrCat("INSERT INTO contracts (", kColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
const std::string kSelect =
    absl::StrCat("SELECT ", kColumns, " FROM contracts WHERE customer_id = ? AND id = ?");
const std::string kSelectForUpdate = kSelect + " FOR UPDATE";
const std::string kList = absl::StrCat(
    "SELECT ", kColumns,
    " FROM contracts WHERE (? = '' OR customer_id = ?) AND (? = 0 OR state = ?) AND id > ? "
    "ORDER BY id LIMIT ?");
constexpr char kUpdate[] =
    "UPDATE contracts SET display_name = ?, state = ?, draft_terms = ?, latest_version = ?, "
    "termination_time_us = ?, termination_reason = ?, version = ?, update_time_us = ? "
    "WHERE id = ?";
constexpr char kInsertVersion[] =
    "INSERT INTO contract_versions (contract_id, version, terms, effective_from_us, "
    "create_time_us) VALUES (?, ?, ?, ?, ?)";
constexpr char kInsertCalendarUse[] =
    "INSERT INTO calendar_uses (calendar_id, contract_id, version) VALUES (?, ?, ?)";
constexpr char kSelectVersion[] =
    "SELECT version, terms, effective_from_us FROM contract_versions "
    "WHERE contract_id = ? AND version = ?";
constexpr char kSelectVersionAt[] =
    "SELECT version, terms, effective_from_us FROM contract_versions "
    "WHERE contract_id = ? AND effective_from_us <= ? ORDER BY effective_from_us DESC, version "
    "DESC "
    "LIMIT 1";
constexpr char kSelectNextStart[] =
    "SELECT MIN(effective_from_us) FROM contract_versions WHERE contract_id = ? AND version > ?";

absl::StatusOr<Contract> Read(sql::ResultSet& rs) {
  Contract c;
  c.id = rs.getString(1);
  c.customer_id = rs.getString(2);
  c.display_name = rs.getString(3);
  c.state = static_cast<Contract::State>(rs.getInt(4));
  if (!c.draft_terms.ParseFromString(rs.getString(5))) {
    return absl::DataLossError(absl::StrCat("contract `", c.id, "` has unreadable terms"));
  }
  c.latest_version = rs.getInt(6);
  if (!rs.isNull(7)) c.termination_time = absl::FromUnixMicros(rs.getInt64(7));
  c.termination_reason = rs.getString(8);
  c.version = rs.getInt64(9);
  c.create_time = absl::FromUnixMicros(rs.getInt64(10));
  c.update_time = absl::FromUnixMicros(rs.getInt64(11));
  return c;
}

absl::StatusOr<std::optional<Contract>> SelectOne(mysql::Connection& conn, const std::string& sql,
                                                  const std::string& customer_id,
                                                  const std::string& id) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(sql));
  std::optional<absl::StatusOr<Contract>> row;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, customer_id);
    st->setString(2, id);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) row = Read(*rs);
  }));
  if (!row) return std::nullopt;
  if (!row->ok()) return row->status();
  return **row;
}

absl::StatusOr<std::optional<ContractVersion>> SelectVersion(mysql::Connection& conn,
                                                             const char* sql,
                                                             const std::string& customer_id,
                                                             const std::string& id, int64_t arg) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(sql));
  std::optional<ContractVersion> v;
  bool parsed = true;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, id);
    st->setInt64(2, arg);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) {
      v.emplace();
      v->customer_id = customer_id;
      v->contract_id = id;
      v->version = rs->getInt(1);
      parsed = v->terms.ParseFromString(rs->getString(2));
      v->effective_from = absl::FromUnixMicros(rs->getInt64(3));
    }
  }));
  if (!parsed)
    return absl::DataLossError(absl::StrCat("contract `", id, "` has an unreadable version"));
  return v;
}

absl::Status Write(mysql::Connection& conn, const std::string& sql, const Contract& c) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(sql));
  return mysql::Guard([&] {
    if (sql == kInsert) {
      st->setString(1, c.id);
      st->setString(2, c.customer_id);
      st->setString(3, c.display_name);
      st->setInt(4, static_cast<int>(c.state));
      st->setString(5, c.draft_terms.SerializeAsString());
      st->setInt(6, c.latest_version);
      if (c.termination_time)
        st->setInt64(7, absl::ToUnixMicros(*c.termination_time));
      else
        st->setNull(7, sql::DataType::BIGINT);
      st->setString(8, c.termination_reason);
      st->setInt64(9, c.version);
      st->setInt64(10, absl::ToUnixMicros(c.create_time));
      st->setInt64(11, absl::ToUnixMicros(c.update_time));
    } else {
      st->setString(1, c.display_name);
      st->setInt(2, static_cast<int>(c.state));
      st->setString(3, c.draft_terms.SerializeAsString());
      st->setInt(4, c.latest_version);
      if (c.termination_time)
        st->setInt64(5, absl::ToUnixMicros(*c.termination_time));
      else
        st->setNull(5, sql::DataType::BIGINT);
      st->setString(6, c.termination_reason);
      st->setInt64(7, c.version);
      st->setInt64(8, absl::ToUnixMicros(c.update_time));
      st->setString(9, c.id);
    }
    st->executeUpdate();
  });
}

}  // namespace

absl::StatusOr<Contract> MySqlContractRepository::Create(const Contract& c,
                                                         const api::RequestKey& request_id,
                                                         const std::string& caller) {
  Contract result;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& conn) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(
        auto earlier, mysql::ClaimRequestId(conn, request_id, "CreateContract", caller, c.name()));
    if (earlier) {
      SLA_ASSIGN_OR_RETURN(ContractName n, ParseContractName(*earlier, "request_id"));
      SLA_ASSIGN_OR_RETURN(auto existing, SelectOne(conn, kSelect, n.customer_id, n.contract_id));
      if (!existing) return NotFound(*earlier);
      result = *std::move(existing);
      return absl::OkStatus();
    }
    absl::Status s = Write(conn, kInsert, c);
    if (s.code() == absl::StatusCode::kFailedPrecondition) {
      return WrongState(absl::StrCat("customers/", c.customer_id), "customer does not exist");
    }
    SLA_RETURN_IF_ERROR(s);
    result = c;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<Contract> MySqlContractRepository::Get(const std::string& customer_id,
                                                      const std::string& id) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(auto found, SelectOne(*conn, kSelect, customer_id, id));
  if (!found) return NotFound(absl::StrCat("customers/", customer_id, "/contracts/", id));
  return *std::move(found);
}

absl::StatusOr<std::vector<Contract>> MySqlContractRepository::List(
    const server::CustomerScope& scope, std::optional<Contract::State> state,
    const std::string& after_id, int limit) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn->Prepare(kList));
  std::vector<absl::StatusOr<Contract>> rows;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, scope.customer_id());
    st->setString(2, scope.customer_id());
    st->setInt(3, state ? 1 : 0);
    st->setInt(4, state ? static_cast<int>(*state) : 0);
    st->setString(5, after_id);
    st->setInt(6, limit + 1);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) rows.push_back(Read(*rs));
  }));
  std::vector<Contract> out;
  for (auto& r : rows) {
    if (!r.ok()) return r.status();
    out.push_back(*std::move(r));
  }
  return out;
}

absl::StatusOr<Contract> MySqlContractRepository::Update(
    const std::string& customer_id, const std::string& id,
    const std::function<absl::Status(Contract&, ContractMutation&)>& mutate, absl::Time now) {
  Contract result;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& conn) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(auto found, SelectOne(conn, kSelectForUpdate, customer_id, id));
    if (!found) return NotFound(absl::StrCat("customers/", customer_id, "/contracts/", id));
    Contract c = *std::move(found);
    ContractMutation m;
    if (c.latest_version > 0) {
      SLA_ASSIGN_OR_RETURN(m.latest,
                           SelectVersion(conn, kSelectVersion, customer_id, id, c.latest_version));
    }
    SLA_RETURN_IF_ERROR(mutate(c, m));
    c.version += 1;
    c.update_time = now;
    if (m.new_version) {
      SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(kInsertVersion));
      SLA_RETURN_IF_ERROR(mysql::Guard([&] {
        st->setString(1, id);
        st->setInt(2, m.new_version->version);
        st->setString(3, m.new_version->terms.SerializeAsString());
        st->setInt64(4, absl::ToUnixMicros(m.new_version->effective_from));
        st->setInt64(5, absl::ToUnixMicros(now));
        st->executeUpdate();
      }));
      // Record the calendars the version names, so that they cannot change in place.
      SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * use, conn.Prepare(kInsertCalendarUse));
      for (const auto& cal : m.new_version->terms.calendars()) {
        const std::string cal_id = cal.name().substr(cal.name().find('/') + 1);
        SLA_RETURN_IF_ERROR(mysql::Guard([&] {
          use->setString(1, cal_id);
          use->setString(2, id);
          use->setInt(3, m.new_version->version);
          use->executeUpdate();
        }));
      }
      c.latest_version = m.new_version->version;
    }
    SLA_RETURN_IF_ERROR(Write(conn, kUpdate, c));
    result = std::move(c);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::optional<ResolvedVersion>> MySqlContractRepository::VersionAt(
    const std::string& customer_id, const std::string& id, absl::Time t) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(
      auto v, SelectVersion(*conn, kSelectVersionAt, customer_id, id, absl::ToUnixMicros(t)));
  if (!v) return std::nullopt;
  ResolvedVersion out{*std::move(v), std::nullopt};
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn->Prepare(kSelectNextStart));
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, id);
    st->setInt(2, out.version.version);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next() && !rs->isNull(1)) out.effective_until = absl::FromUnixMicros(rs->getInt64(1));
  }));
  return out;
}

absl::StatusOr<ContractVersion> MySqlContractRepository::GetVersion(const std::string& customer_id,
                                                                    const std::string& id,
                                                                    int version) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(auto v, SelectVersion(*conn, kSelectVersion, customer_id, id, version));
  if (!v)
    return NotFound(
        absl::StrCat("customers/", customer_id, "/contracts/", id, "/versions/", version));
  return *std::move(v);
}

}  // namespace sla::contract
