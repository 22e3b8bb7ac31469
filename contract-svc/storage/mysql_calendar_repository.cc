#include "contract-svc/storage/mysql_calendar_repository.h"

#include "absl/strings/str_cat.h"
#include "common/mysql/request_log.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace sla::contract {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kInsert[] =
    "INSERT INTO calendars (id, display_name, body, version, create_time_us, update_time_us) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kSelectById[] =
    "SELECT id, body, version, create_time_us, update_time_us FROM calendars WHERE id = ?";
constexpr char kSelectForUpdate[] =
    "SELECT id, body, version, create_time_us, update_time_us FROM calendars WHERE id = ? "
    "FOR UPDATE";
constexpr char kList[] =
    "SELECT id, body, version, create_time_us, update_time_us FROM calendars WHERE id > ? "
    "ORDER BY id LIMIT ?";
constexpr char kSelectInUse[] = "SELECT 1 FROM calendar_uses WHERE calendar_id = ? LIMIT 1";
constexpr char kUpdate[] =
    "UPDATE calendars SET display_name = ?, body = ?, version = ?, update_time_us = ? WHERE id = ?";

// The stored body carries only what clients set; name, etag and times come from columns.
std::string Body(sla::v1::BusinessCalendar c) {
  c.clear_name();
  c.clear_etag();
  c.clear_create_time();
  c.clear_update_time();
  return c.SerializeAsString();
}

absl::StatusOr<StoredCalendar> Read(sql::ResultSet& rs) {
  StoredCalendar s;
  if (!s.calendar.ParseFromString(rs.getString(2))) {
    return absl::DataLossError(
        absl::StrCat("calendar `", std::string(rs.getString(1)), "` is unreadable"));
  }
  s.version = rs.getInt64(3);
  s.calendar.set_name(absl::StrCat("calendars/", std::string(rs.getString(1))));
  s.calendar.set_etag(absl::StrCat(s.version));
  *s.calendar.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(rs.getInt64(4));
  *s.calendar.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(rs.getInt64(5));
  return s;
}

absl::StatusOr<std::optional<StoredCalendar>> SelectOne(mysql::Connection& c, const char* sql,
                                                        const std::string& id) {
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, c.Prepare(sql));
  std::optional<absl::StatusOr<StoredCalendar>> out;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, id);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    if (rs->next()) out = Read(*rs);
  }));
  if (!out) return std::nullopt;
  if (!out->ok()) return out->status();
  return **out;
}

}  // namespace

absl::StatusOr<StoredCalendar> MySqlCalendarRepository::Create(
    const std::string& id, const sla::v1::BusinessCalendar& calendar, absl::Time now,
    const api::RequestKey& request_id, const std::string& caller) {
  StoredCalendar result;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& conn) -> absl::Status {
    const std::string name = absl::StrCat("calendars/", id);
    SLA_ASSIGN_OR_RETURN(auto earlier,
                         mysql::ClaimRequestId(conn, request_id, "CreateCalendar", caller, name));
    const std::string target = earlier ? earlier->substr(strlen("calendars/")) : id;
    if (!earlier) {
      SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(kInsert));
      const int64_t us = absl::ToUnixMicros(now);
      const absl::Status inserted = mysql::Guard([&] {
        st->setString(1, id);
        st->setString(2, calendar.display_name());
        st->setString(3, Body(calendar));
        st->setInt64(4, 1);
        st->setInt64(5, us);
        st->setInt64(6, us);
        st->executeUpdate();
      });
      if (inserted.code() == absl::StatusCode::kAlreadyExists) {
        // The caller chose the id: say which field and which name are taken.
        return absl::AlreadyExistsError(
            absl::StrCat("field `calendar_id`: `", name, "` already exists; choose another id"));
      }
      SLA_RETURN_IF_ERROR(inserted);
    }
    SLA_ASSIGN_OR_RETURN(auto stored, SelectOne(conn, kSelectById, target));
    if (!stored) return NotFound(absl::StrCat("calendars/", target));
    result = *std::move(stored);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<StoredCalendar> MySqlCalendarRepository::Get(const std::string& id) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(auto found, SelectOne(*conn, kSelectById, id));
  if (!found) return NotFound(absl::StrCat("calendars/", id));
  return *std::move(found);
}

absl::StatusOr<std::vector<StoredCalendar>> MySqlCalendarRepository::List(
    const std::string& after_id, int limit) {
  SLA_ASSIGN_OR_RETURN(mysql::PooledConnection conn, pool_->Acquire());
  SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn->Prepare(kList));
  std::vector<absl::StatusOr<StoredCalendar>> rows;
  SLA_RETURN_IF_ERROR(mysql::Guard([&] {
    st->setString(1, after_id);
    st->setInt(2, limit + 1);
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery());
    while (rs->next()) rows.push_back(Read(*rs));
  }));
  std::vector<StoredCalendar> out;
  for (auto& r : rows) {
    if (!r.ok()) return r.status();
    out.push_back(*std::move(r));
  }
  return out;
}

absl::StatusOr<StoredCalendar> MySqlCalendarRepository::Update(
    const std::string& id, const std::function<absl::Status(StoredCalendar&)>& mutate,
    absl::Time now) {
  StoredCalendar result;
  SLA_RETURN_IF_ERROR(mysql::RunInTransaction(*pool_, [&](mysql::Connection& conn) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(auto found, SelectOne(conn, kSelectForUpdate, id));
    if (!found) return NotFound(absl::StrCat("calendars/", id));
    StoredCalendar s = *std::move(found);
    // An update racing an activation that is still committing can pass this check; the new
    // version is unaffected (it carries its own snapshot of the calendar), only the live
    // calendar then differs from that snapshot.
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * in_use, conn.Prepare(kSelectInUse));
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      in_use->setString(1, id);
      std::unique_ptr<sql::ResultSet> rs(in_use->executeQuery());
      s.in_use = rs->next();
    }));
    SLA_RETURN_IF_ERROR(mutate(s));
    s.version += 1;
    SLA_ASSIGN_OR_RETURN(sql::PreparedStatement * st, conn.Prepare(kUpdate));
    SLA_RETURN_IF_ERROR(mysql::Guard([&] {
      st->setString(1, s.calendar.display_name());
      st->setString(2, Body(s.calendar));
      st->setInt64(3, s.version);
      st->setInt64(4, absl::ToUnixMicros(now));
      st->setString(5, id);
      st->executeUpdate();
    }));
    s.calendar.set_etag(absl::StrCat(s.version));
    *s.calendar.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
    result = std::move(s);
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace sla::contract
