#include "contract-svc/app/api_key_manager.h"

#include "absl/strings/str_cat.h"
#include "common/api/list_request.h"
#include "common/server/api_key_secret.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "contract-svc/app/access.h"
#include "contract-svc/domain/customer.h"

namespace sla::contract {
namespace {

constexpr absl::Duration kDefaultGrace = absl::Hours(24);

// What a list shows of a secret: its id and first four random characters.
std::string Hint(const std::string& secret) {
  auto parsed = server::ParseApiKeySecret(secret);
  return absl::StrCat(server::kApiKeyPrefix, parsed->key_id, "_", parsed->random.substr(0, 4), "…");
}

absl::Status RequireAdmin(const server::Identity& caller) {
  return RequireMspAdmin(caller, "API keys");
}

}  // namespace

ApiKeyManager::ApiKeyManager(ApiKeyRepository* keys, CustomerRepository* customers,
                             std::function<absl::Time()> clock, std::function<std::string()> new_id)
    : keys_(keys), customers_(customers), clock_(std::move(clock)), new_id_(std::move(new_id)) {}

absl::StatusOr<ApiKeyManager::WithSecret> ApiKeyManager::Create(const server::Identity& caller,
                                                                ApiKey input,
                                                                const api::RequestKey& request_id) {
  SLA_RETURN_IF_ERROR(RequireAdmin(caller));
  const absl::Time now = clock_();
  SLA_RETURN_IF_ERROR(ValidateApiKey(input, now));
  if (!input.customer_id.empty()) {
    absl::StatusOr<Customer> customer = customers_->Get(input.customer_id);
    if (absl::IsNotFound(customer.status())) {
      return InvalidField("api_key.customer",
                          absl::StrCat("customers/", input.customer_id, " does not exist"));
    }
    SLA_RETURN_IF_ERROR(customer.status());
  }
  WithSecret out;
  out.key = std::move(input);
  out.key.id = new_id_();
  out.secret = server::NewApiKeySecret(out.key.id);
  out.key.secret_hash = server::HashApiKeySecret(out.secret);
  out.key.secret_hint = Hint(out.secret);
  out.key.state = ApiKey::State::kActive;
  out.key.creator = caller.subject;
  out.key.version = 1;
  out.key.create_time = out.key.update_time = now;
  SLA_ASSIGN_OR_RETURN(std::optional<std::string> earlier,
                       keys_->Create(out.key, request_id, caller.subject));
  if (earlier) {
    // The secret was shown to the first request only and is not kept anywhere.
    return absl::AlreadyExistsError(
        absl::StrCat("this request created ", *earlier,
                     " already; its secret is shown only once: rotate the key for a new one"));
  }
  return out;
}

absl::StatusOr<ApiKey> ApiKeyManager::Get(const server::Identity& caller, const std::string& name) {
  SLA_RETURN_IF_ERROR(RequireAdmin(caller));
  SLA_ASSIGN_OR_RETURN(std::string id, ParseApiKeyName(name, "name"));
  return keys_->Get(id);
}

absl::StatusOr<ApiKeyManager::Page> ApiKeyManager::List(const server::Identity& caller,
                                                        int page_size,
                                                        const std::string& page_token,
                                                        const std::string& filter) {
  SLA_RETURN_IF_ERROR(RequireAdmin(caller));
  ApiKeyQuery q;
  SLA_ASSIGN_OR_RETURN(q.limit, api::PageSize(page_size));
  SLA_ASSIGN_OR_RETURN(q.after_id, api::DecodePageToken(page_token, filter));
  SLA_ASSIGN_OR_RETURN(std::vector<api::Restriction> restrictions, api::ParseFilter(filter));
  for (const api::Restriction& r : restrictions) {
    if (r.field == "state" && r.op == '=') {
      if (r.value == "ACTIVE")
        q.state = ApiKey::State::kActive;
      else if (r.value == "REVOKED")
        q.state = ApiKey::State::kRevoked;
      else
        return InvalidField("filter",
                            absl::StrCat("unknown state `", r.value, "`; use ACTIVE or REVOKED"));
    } else if (r.field == "customer" && r.op == '=') {
      if (r.value.empty()) {
        q.customer_id = "";
      } else {
        SLA_ASSIGN_OR_RETURN(q.customer_id, ParseCustomerName(r.value, "filter"));
      }
    } else {
      return InvalidField("filter",
                          absl::StrCat("`", r.field, " ", std::string(1, r.op),
                                       "` is not supported; use `state = …` or `customer = …`"));
    }
  }
  SLA_ASSIGN_OR_RETURN(std::vector<ApiKey> rows, keys_->List(q));
  Page page;
  if (static_cast<int>(rows.size()) > q.limit) {
    rows.resize(q.limit);
    page.next_page_token = api::EncodePageToken(rows.back().id, filter);
  }
  page.keys = std::move(rows);
  return page;
}

absl::StatusOr<ApiKeyManager::WithSecret> ApiKeyManager::Rotate(
    const server::Identity& caller, const std::string& name, const std::string& etag,
    std::optional<absl::Duration> grace) {
  SLA_RETURN_IF_ERROR(RequireAdmin(caller));
  SLA_ASSIGN_OR_RETURN(std::string id, ParseApiKeyName(name, "name"));
  const absl::Duration keep = grace.value_or(kDefaultGrace);
  if (keep < absl::ZeroDuration() || keep > kMaxRotationGrace) {
    return InvalidField("grace_period", "must be between 0 and 7 days");
  }
  const absl::Time now = clock_();
  WithSecret out;
  out.secret = server::NewApiKeySecret(id);
  SLA_ASSIGN_OR_RETURN(
      out.key, keys_->Update(
                   id,
                   [&](ApiKey& k) -> absl::Status {
                     if (!etag.empty() && etag != k.etag()) return EtagMismatch(name);
                     if (k.state == ApiKey::State::kRevoked) {
                       return WrongState(name, "a revoked key cannot be rotated");
                     }
                     k.previous_secret_hash = keep > absl::ZeroDuration() ? k.secret_hash : "";
                     k.previous_secret_expire_time =
                         keep > absl::ZeroDuration() ? std::optional(now + keep) : std::nullopt;
                     k.secret_hash = server::HashApiKeySecret(out.secret);
                     k.secret_hint = Hint(out.secret);
                     k.rotate_time = now;
                     return absl::OkStatus();
                   },
                   now));
  return out;
}

absl::StatusOr<ApiKey> ApiKeyManager::Revoke(const server::Identity& caller,
                                             const std::string& name, const std::string& etag) {
  SLA_RETURN_IF_ERROR(RequireAdmin(caller));
  SLA_ASSIGN_OR_RETURN(std::string id, ParseApiKeyName(name, "name"));
  const absl::Time now = clock_();
  return keys_->Update(
      id,
      [&](ApiKey& k) -> absl::Status {
        if (!etag.empty() && etag != k.etag()) return EtagMismatch(name);
        if (k.state == ApiKey::State::kRevoked)
          return WrongState(name, "the key is revoked already");
        k.state = ApiKey::State::kRevoked;
        k.revoke_time = now;
        k.previous_secret_hash.clear();
        k.previous_secret_expire_time.reset();
        return absl::OkStatus();
      },
      now);
}

absl::StatusOr<ApiKeyManager::Authenticated> ApiKeyManager::Authenticate(
    const server::Identity& caller, const std::string& secret) {
  if (!caller.HasRole("service"))
    return PermissionDenied("only the platform's services may authenticate API keys");
  if (secret.empty()) return InvalidField("secret", "is required");
  absl::StatusOr<Authenticated> resolved = Resolve(secret);
  // NOT_FOUND, so the caller can tell a key that does not open from its own token refused.
  if (absl::IsUnauthenticated(resolved.status()))
    return absl::NotFoundError(resolved.status().message());
  return resolved;
}

absl::StatusOr<ApiKeyManager::Authenticated> ApiKeyManager::Resolve(const std::string& secret) {
  const std::optional<server::ApiKeySecret> parsed = server::ParseApiKeySecret(secret);
  if (!parsed) return absl::UnauthenticatedError("malformed API key");
  absl::StatusOr<ApiKey> key = keys_->Get(parsed->key_id);
  if (absl::IsNotFound(key.status())) return absl::UnauthenticatedError("unknown API key");
  SLA_RETURN_IF_ERROR(key.status());
  const bool current = server::ApiKeySecretMatches(secret, key->secret_hash);
  const bool previous = !key->previous_secret_hash.empty() &&
                        server::ApiKeySecretMatches(secret, key->previous_secret_hash);
  SLA_ASSIGN_OR_RETURN(std::optional<absl::Time> until,
                       ApiKeyValidUntil(*key, current, previous, clock_()));
  return Authenticated{{key->name(), key->customer_id, key->roles}, until};
}

}  // namespace sla::contract
