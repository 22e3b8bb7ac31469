#include "common/mysql/migrator.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"

namespace sla::mysql {
namespace {

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " name VARCHAR(255) NOT NULL,"
    " checksum CHAR(16) NOT NULL,"
    " applied_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
    ") ENGINE=InnoDB";
constexpr char kSelectApplied[] = "SELECT version, checksum FROM schema_migrations";
constexpr char kInsertApplied[] =
    "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)";
constexpr char kGetLock[] = "SELECT GET_LOCK(CONCAT('sla_migrate_', DATABASE()), 60)";
constexpr char kReleaseLock[] = "SELECT RELEASE_LOCK(CONCAT('sla_migrate_', DATABASE()))";

struct Parsed {
  int version;
  std::string name;
  const Migration* migration;
};

absl::StatusOr<Parsed> ParseName(const Migration& m) {
  absl::string_view name = m.file_name;
  absl::string_view rest = name;
  if (!absl::ConsumePrefix(&rest, "V") || !absl::ConsumeSuffix(&rest, ".sql")) {
    return absl::InvalidArgumentError(
        absl::StrCat("migration `", name, "`: expected V<version>__<name>.sql"));
  }
  const size_t sep = rest.find("__");
  int version = 0;
  if (sep == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, sep), &version) ||
      version <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("migration `", name, "`: expected V<version>__<name>.sql"));
  }
  return Parsed{version, std::string(name), &m};
}

}  // namespace

std::vector<std::string> SplitStatements(absl::string_view sql) {
  std::vector<std::string> out;
  std::string current;
  bool in_block = false;
  for (absl::string_view line : absl::StrSplit(sql, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    // A compound statement (a stored procedure) has semicolons inside: it is written between
    // `-- sla:begin` and `-- sla:end` and taken whole.
    if (trimmed == "-- sla:begin") {
      in_block = true;
      continue;
    }
    if (trimmed == "-- sla:end") {
      in_block = false;
      absl::string_view stmt = absl::StripAsciiWhitespace(current);
      if (absl::EndsWith(stmt, ";")) stmt.remove_suffix(1);
      if (!stmt.empty()) out.emplace_back(stmt);
      current.clear();
      continue;
    }
    if (in_block) {
      absl::StrAppend(&current, current.empty() ? "" : "\n", line);
      continue;
    }
    if (trimmed.empty() || absl::StartsWith(trimmed, "--")) continue;
    absl::StrAppend(&current, current.empty() ? "" : "\n", line);
    if (absl::EndsWith(trimmed, ";")) {
      absl::string_view stmt = absl::StripAsciiWhitespace(current);
      stmt.remove_suffix(1);
      out.emplace_back(stmt);
      current.clear();
    }
  }
  if (!absl::StripAsciiWhitespace(current).empty()) {
    out.emplace_back(absl::StripAsciiWhitespace(current));
  }
  return out;
}

std::string Checksum(absl::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return absl::StrFormat("%016x", h);
}

absl::StatusOr<int> Migrate(ConnectionPool& pool, const std::vector<Migration>& migrations) {
  std::vector<Parsed> parsed;
  for (const Migration& m : migrations) {
    absl::StatusOr<Parsed> p = ParseName(m);
    if (!p.ok()) return p.status();
    parsed.push_back(*p);
  }
  std::sort(parsed.begin(), parsed.end(),
            [](const Parsed& a, const Parsed& b) { return a.version < b.version; });
  for (size_t i = 1; i < parsed.size(); ++i) {
    if (parsed[i].version == parsed[i - 1].version) {
      return absl::InvalidArgumentError(absl::StrCat("migrations `", parsed[i - 1].name, "` and `",
                                                     parsed[i].name, "` share a version"));
    }
  }

  absl::StatusOr<PooledConnection> conn = pool.Acquire();
  if (!conn.ok()) return conn.status();
  Connection& c = **conn;
  int64_t locked = 0;
  absl::Status s = Guard([&] {
    std::unique_ptr<sql::Statement> st(c.raw().createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(kGetLock));
    if (rs->next() && !rs->isNull(1)) locked = rs->getInt64(1);
  });
  if (!s.ok()) return s;
  if (locked != 1)
    return absl::UnavailableError("another replica is migrating; lock not had in 60 s");

  auto run = [&]() -> absl::StatusOr<int> {
    absl::Status st = c.ExecuteUnprepared(kCreateTable);
    if (!st.ok()) return st;
    std::map<int, std::string> applied;
    st = Guard([&] {
      std::unique_ptr<sql::Statement> q(c.raw().createStatement());
      std::unique_ptr<sql::ResultSet> rs(q->executeQuery(kSelectApplied));
      while (rs->next()) applied[rs->getInt(1)] = rs->getString(2);
    });
    if (!st.ok()) return st;
    int count = 0;
    for (const Parsed& p : parsed) {
      const std::string sum = Checksum(p.migration->sql);
      auto it = applied.find(p.version);
      if (it != applied.end()) {
        if (it->second != sum) {
          return absl::FailedPreconditionError(
              absl::StrCat("migration `", p.name,
                           "` changed after it was applied; add a new migration instead"));
        }
        continue;
      }
      for (const std::string& stmt : SplitStatements(p.migration->sql)) {
        st = c.ExecuteUnprepared(stmt);
        if (!st.ok()) {
          log::Error("migration failed", {{"migration", p.name}});
          return st;
        }
      }
      absl::StatusOr<sql::PreparedStatement*> ins = c.Prepare(kInsertApplied);
      if (!ins.ok()) return ins.status();
      st = Guard([&] {
        (*ins)->setInt(1, p.version);
        (*ins)->setString(2, p.name);
        (*ins)->setString(3, sum);
        (*ins)->executeUpdate();
      });
      if (!st.ok()) return st;
      log::Info("migration applied", {{"migration", p.name}});
      ++count;
    }
    return count;
  };
  absl::StatusOr<int> result = run();
  (void)Guard([&] {
    std::unique_ptr<sql::Statement> st(c.raw().createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(kReleaseLock));
  });
  return result;
}

}  // namespace sla::mysql
