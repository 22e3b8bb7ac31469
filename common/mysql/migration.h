// A versioned schema migration, compiled into the service binary by sla_embed_migrations().
#pragma once

#include <vector>

namespace sla::mysql {

struct Migration {
  // "V0001__create_request_log.sql": version 1. Forward-only and immutable once merged.
  const char* file_name;
  // The SQL: statements separated by a `;` at the end of a line.
  const char* sql;
};

}  // namespace sla::mysql
