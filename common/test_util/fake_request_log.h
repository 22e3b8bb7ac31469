// The `request_log` table (common/mysql/request_log.h) in memory, for the in-memory
// repositories of app tests: a value, so it commits and rolls back with the fake's state.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "absl/status/statusor.h"
#include "common/api/request_key.h"

namespace sla::test {

class FakeRequestLog {
 public:
  // As mysql::ClaimRequestId: nullopt once claimed now (or without a request id), the earlier
  // resource's name for a retry, FAILED_PRECONDITION for the id with another request.
  absl::StatusOr<std::optional<std::string>> Claim(const api::RequestKey& key,
                                                   const std::string& method,
                                                   const std::string& caller,
                                                   const std::string& resource_name) {
    if (key.request_id.empty()) return std::optional<std::string>();
    absl::StatusOr<std::optional<std::string>> earlier = Lookup(key, method, caller);
    if (!earlier.ok() || earlier->has_value()) return earlier;
    rows_[{key.request_id, method, caller}] = {resource_name, key.fingerprint};
    return std::optional<std::string>();
  }
  // As mysql::LookupRequestId.
  absl::StatusOr<std::optional<std::string>> Lookup(const api::RequestKey& key,
                                                    const std::string& method,
                                                    const std::string& caller) const {
    auto it = rows_.find({key.request_id, method, caller});
    if (it == rows_.end()) return std::optional<std::string>();
    absl::Status same = api::SameRequest(key, it->second.resource_name, it->second.fingerprint);
    if (!same.ok()) return same;
    return std::optional<std::string>(it->second.resource_name);
  }
  // The insert a batch makes: fails (ALREADY_EXISTS) if the id was claimed at all.
  absl::Status Insert(const api::RequestKey& key, const std::string& method,
                      const std::string& caller, const std::string& resource_name) {
    if (!rows_.emplace(Key{key.request_id, method, caller}, Row{resource_name, key.fingerprint})
             .second) {
      return absl::AlreadyExistsError("request id claimed before");
    }
    return absl::OkStatus();
  }

  struct Row {
    std::string resource_name;
    std::string fingerprint;
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // request id, method, caller
  const std::map<Key, Row>& rows() const { return rows_; }

 private:
  std::map<Key, Row> rows_;
};

}  // namespace sla::test
