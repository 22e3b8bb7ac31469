#include "contract-svc/storage/mysql_customer_repository.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/mysql/request_log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"

namespace sla::contract {
namespace {

// All SQL of this repository; `?` placeholders only.
constexpr char kColumns[] =
    "id, display_name, state, time_zone, version, create_time_us, update_time_us";
const std::string kInsert = absl::StrCat("INSERT INTO customers (", kColumns,
                                         ", display_name_lower) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
const std::string kSelectById = absl::StrCat("SELECT ", kColumns, " FROM customers WHERE id = ?");
const std::string kSelectForUpdate = kSelectById + " FOR UPDATE";
constexpr char kUpdate[] =
    "UPDATE customers SET display_name = ?, display_name_lower = ?, state = ?, time_zone = ?, "
    "version = ?, update_time_us = ? WHERE id = ?";
// List: optional restrictions are switched on by flag parameters, so one prepared statement
// serves every combination: (? = 0 OR col = ?).
const std::string kList =
    absl::StrCat("SELECT ", kColumns,
                 " FROM customers WHERE id > ?"
                 " AND (? = 0 OR state = ?)"
                 " AND (? = '' OR display_name_lower LIKE CONCAT('%', ?, '%') ESCAPE '!')"
                 " AND (? = 0 OR id = ?)"
                 " ORDER BY id LIMIT ?");

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

Customer Read(sql::ResultSet& rs) {
  Customer c;
  c.id = rs.getString(1);
  c.display_name = rs.getString(2);
  c.state = static_cast<Customer::State>(rs.getInt(3));
  c.time_zone = rs.getString(4);
  c.version = rs.getInt64(5);
  c.create_time = absl::FromUnixMicros(rs.getInt64(6));
  c.update_time = absl::FromUnixMicros(rs.getInt64(7));
  return c;
}

// LIKE wildcards in user text match literally.
std::string EscapeLike(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '%' || ch == '_' || ch == '!') out.push_back('!');
    out.push_back(ch);
  }
  return out;
}

absl::StatusOr<std::optional<Customer>> SelectOne(mysql::Connection& c, const std::string& sql,
                                                  const std::string& id) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
  std::optional<Customer> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, id);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) out = Read(*rs);
  }));
  return out;
}

}  // namespace

absl::StatusOr<Customer> MySqlCustomerRepository::Create(const Customer& c,
                                                         const api::RequestKey& request_id,
                                                         const std::string& caller) {
  Customer result;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& conn) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(
        auto earlier, mysql::ClaimRequestId(conn, request_id, "CreateCustomer", caller, c.name()));
    if (earlier) {
      SLA_ASSIGN_OR_RETURN(std::string id, ParseCustomerName(*earlier, "request_id"));
      SLA_ASSIGN_OR_RETURN(auto existing, SelectOne(conn, kSelectById, id));
      if (!existing) return NotFound(*earlier);
      result = *existing;
      return absl::OkStatus();
    }
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(kInsert));
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      st->setString(1, c.id);
      st->setString(2, c.display_name);
      st->setInt(3, static_cast<int>(c.state));
      st->setString(4, c.time_zone);
      st->setInt64(5, c.version);
      st->setInt64(6, Micros(c.create_time));
      st->setInt64(7, Micros(c.update_time));
      st->setString(8, absl::AsciiStrToLower(c.display_name));
      st->executeUpdate();
    }));
    result = c;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<Customer> MySqlCustomerRepository::Get(const std::string& id) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(auto found, SelectOne(*conn, kSelectById, id));
  if (!found) return NotFound(absl::StrCat("customers/", id));
  return *found;
}

absl::StatusOr<std::vector<Customer>> MySqlCustomerRepository::List(const CustomerQuery& q) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn->Prepare(kList));
  std::vector<Customer> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    const std::string contains = EscapeLike(absl::AsciiStrToLower(q.name_contains));
    st->setString(1, q.after_id);
    st->setInt(2, q.state ? 1 : 0);
    st->setInt(3, q.state ? static_cast<int>(*q.state) : 0);
    st->setString(4, contains);
    st->setString(5, contains);
    st->setInt(6, q.scope.all() ? 0 : 1);
    st->setString(7, q.scope.customer_id());
    st->setInt(8, q.limit + 1);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) out.push_back(Read(*rs));
  }));
  return out;
}

absl::StatusOr<Customer> MySqlCustomerRepository::Update(
    const std::string& id, const std::function<absl::Status(Customer&)>& mutate, absl::Time now) {
  Customer result;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& conn) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(auto found, SelectOne(conn, kSelectForUpdate, id));
    if (!found) return NotFound(absl::StrCat("customers/", id));
    Customer c = *found;
    SLA_RETURN_IF_ERROR(mutate(c));
    c.version = found->version + 1;
    c.update_time = now;
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(kUpdate));
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      st->setString(1, c.display_name);
      st->setString(2, absl::AsciiStrToLower(c.display_name));
      st->setInt(3, static_cast<int>(c.state));
      st->setString(4, c.time_zone);
      st->setInt64(5, c.version);
      st->setInt64(6, Micros(c.update_time));
      st->setString(7, c.id);
      st->executeUpdate();
    }));
    result = c;
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace sla::contract
