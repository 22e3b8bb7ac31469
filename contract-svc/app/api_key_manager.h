// Use cases of API keys: MSP admins create, read, rotate and revoke them; services ask who a
// secret acts as (Authenticate), and contract-svc itself resolves secrets it is sent (Resolve).
//
// Authorization: every management call is msp_admin's alone (a key can never be msp_admin,
// so no key manages keys); Authenticate is for service identities (the RPC boundary narrows
// which services).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/api/request_key.h"
#include "common/server/identity.h"
#include "contract-svc/domain/api_key.h"
#include "contract-svc/storage/api_key_repository.h"
#include "contract-svc/storage/customer_repository.h"

namespace sla::contract {

class ApiKeyManager {
 public:
  ApiKeyManager(ApiKeyRepository* keys, CustomerRepository* customers,
                std::function<absl::Time()> clock, std::function<std::string()> new_id);

  struct WithSecret {
    ApiKey key;
    std::string secret;  // shown once
  };
  // `input`: display_name, roles, customer_id, expire_time.
  absl::StatusOr<WithSecret> Create(const server::Identity& caller, ApiKey input,
                                    const api::RequestKey& request_id);
  absl::StatusOr<ApiKey> Get(const server::Identity& caller, const std::string& name);

  struct Page {
    std::vector<ApiKey> keys;
    std::string next_page_token;
  };
  // filter: `state = ACTIVE|REVOKED`, `customer = "customers/x"` (or `""` for staff keys).
  absl::StatusOr<Page> List(const server::Identity& caller, int page_size,
                            const std::string& page_token, const std::string& filter);
  // A new secret; the current one keeps working for `grace` (unset: 24 h; at most 7 days).
  absl::StatusOr<WithSecret> Rotate(const server::Identity& caller, const std::string& name,
                                    const std::string& etag, std::optional<absl::Duration> grace);
  absl::StatusOr<ApiKey> Revoke(const server::Identity& caller, const std::string& name,
                                const std::string& etag);

  struct Authenticated {
    server::Identity identity;
    std::optional<absl::Time> until;  // when this secret stops working; nullopt = never
  };
  // For a service asking about a secret it was sent: NOT_FOUND for a key that does not open.
  absl::StatusOr<Authenticated> Authenticate(const server::Identity& caller,
                                             const std::string& secret);
  // Who `secret` acts as now; UNAUTHENTICATED for any key that does not open.
  absl::StatusOr<Authenticated> Resolve(const std::string& secret);

 private:
  ApiKeyRepository* keys_;
  CustomerRepository* customers_;
  std::function<absl::Time()> clock_;
  std::function<std::string()> new_id_;
};

}  // namespace sla::contract
