#include "common/server/auth.h"

#include <jwt.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/server/access.h"
#include "common/server/jwks.h"
#include "common/status/status_macros.h"

namespace sla::server {
namespace {

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

bool ValidRoleName(absl::string_view r) {
  if (r.empty() || r.size() > 64) return false;
  for (char c : r) {
    if (!(absl::ascii_islower(c) || c == '_' || absl::ascii_isdigit(c))) return false;
  }
  return true;
}

// A claim's JSON value as strings: an array of strings, or one string of space-separated values
// (as OAuth's `scope`). Strings with escapes are refused rather than half-read.
bool ParseClaimValues(absl::string_view json, std::vector<std::string>& out) {
  json = absl::StripAsciiWhitespace(json);
  if (absl::ConsumePrefix(&json, "\"")) {
    if (!absl::ConsumeSuffix(&json, "\"") || absl::StrContains(json, "\\") ||
        absl::StrContains(json, "\""))
      return false;
    for (absl::string_view v : absl::StrSplit(json, ' ', absl::SkipEmpty())) out.emplace_back(v);
    return true;
  }
  if (!absl::ConsumePrefix(&json, "[") || !absl::ConsumeSuffix(&json, "]")) return false;
  json = absl::StripAsciiWhitespace(json);
  while (!json.empty()) {
    if (!absl::ConsumePrefix(&json, "\"")) return false;
    const size_t end = json.find('"');
    if (end == absl::string_view::npos) return false;
    const absl::string_view value = json.substr(0, end);
    if (absl::StrContains(value, "\\") || value.size() > 256) return false;
    out.emplace_back(value);
    json.remove_prefix(end + 1);
    json = absl::StripAsciiWhitespace(json);
    if (absl::ConsumePrefix(&json, ",")) {
      json = absl::StripAsciiWhitespace(json);
      if (json.empty()) return false;
    } else if (!json.empty()) {
      return false;
    }
  }
  return true;
}

// The platform's own `roles` claim: a JSON array of role names ([a-z0-9_] only).
bool ParseRoles(absl::string_view json, std::vector<std::string>& out) {
  if (!absl::StartsWith(absl::StripAsciiWhitespace(json), "[")) return false;
  std::vector<std::string> values;
  if (!ParseClaimValues(json, values)) return false;
  for (const std::string& v : values) {
    if (!ValidRoleName(v)) return false;
  }
  out.insert(out.end(), values.begin(), values.end());
  return true;
}

jwt_alg_t LibAlgorithm(JwtAlgorithm a) {
  switch (a) {
    case JwtAlgorithm::kRs256:
      return JWT_ALG_RS256;
    case JwtAlgorithm::kEs256:
      return JWT_ALG_ES256;
    case JwtAlgorithm::kHs256:
      break;
  }
  return JWT_ALG_HS256;
}

const char* AlgorithmName(JwtAlgorithm a) {
  return a == JwtAlgorithm::kRs256 ? "RS256" : a == JwtAlgorithm::kEs256 ? "ES256" : "HS256";
}

absl::Status Reject(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("invalid bearer token: ", why));
}

}  // namespace

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read `", path, "`"));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

absl::StatusOr<JwtAlgorithm> ParseJwtAlgorithm(absl::string_view name) {
  if (name == "HS256") return JwtAlgorithm::kHs256;
  if (name == "RS256") return JwtAlgorithm::kRs256;
  if (name == "ES256") return JwtAlgorithm::kEs256;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown JWT algorithm `", name, "` (HS256, RS256 or ES256)"));
}

absl::StatusOr<JwtVerifier> JwtVerifier::Create(JwtConfig config) {
  if (config.algorithm == JwtAlgorithm::kHs256) {
    if (config.hs256_key.size() < 32)
      return absl::InvalidArgumentError("the HS256 key must be at least 32 bytes");
    JwtVerifier v(std::move(config));
    v.verify_keys_ = {{v.config_.hs256_key, ""}};
    return v;
  }
  // A JWKS document, as the identity provider publishes it, or PEM public keys.
  if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(config.public_key_pem), "{")) {
    absl::StatusOr<std::string> pem = JwksToPem(config.public_key_pem);
    if (!pem.ok()) return pem.status();
    config.public_key_pem = *std::move(pem);
  }
  // One or more PEM public keys, one after the other. A line `sla-service: <name>` before a
  // key binds it to that service's own identity.
  std::vector<VerifyKey> keys;
  constexpr absl::string_view kEnd = "-----END PUBLIC KEY-----";
  absl::string_view rest = config.public_key_pem;
  for (size_t end = rest.find(kEnd); end != absl::string_view::npos; end = rest.find(kEnd)) {
    absl::string_view block = rest.substr(0, end + kEnd.size());
    const size_t begin = std::min(block.size(), block.find("-----BEGIN PUBLIC KEY-----"));
    std::string service;
    for (absl::string_view line : absl::StrSplit(block.substr(0, begin), '\n')) {
      line = absl::StripAsciiWhitespace(line);
      if (absl::ConsumePrefix(&line, "sla-service:"))
        service = std::string(absl::StripAsciiWhitespace(line));
    }
    block.remove_prefix(begin);
    if (!block.empty()) keys.push_back({absl::StrCat(block, "\n"), std::move(service)});
    rest.remove_prefix(end + kEnd.size());
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(
        "an RS256/ES256 key file must hold PEM public keys (BEGIN PUBLIC KEY)");
  }
  JwtVerifier v(std::move(config));
  v.verify_keys_ = std::move(keys);
  return v;
}

absl::StatusOr<std::map<std::string, std::string>> ClaimMapping::ParseRoleMap(
    absl::string_view text) {
  std::map<std::string, std::string> out;
  for (absl::string_view pair : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    pair = absl::StripAsciiWhitespace(pair);
    const size_t eq = pair.rfind('=');
    const absl::string_view from =
        eq == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(pair.substr(0, eq));
    const absl::string_view to =
        eq == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(pair.substr(eq + 1));
    if (from.empty() || !ValidRoleName(to)) {
      return absl::InvalidArgumentError(
          absl::StrCat("`", pair, "` is not <provider value>=<role>"));
    }
    out[std::string(from)] = std::string(to);
  }
  return out;
}

absl::StatusOr<JwtVerifier> JwtVerifier::FromKeyFile(const std::string& path, std::string issuer,
                                                     std::string audience, JwtAlgorithm algorithm,
                                                     ClaimMapping claims) {
  absl::StatusOr<std::string> key = ReadSecretFile(path);
  if (!key.ok()) return key.status();
  JwtConfig config{"", std::move(issuer), std::move(audience)};
  config.algorithm = algorithm;
  config.claims = std::move(claims);
  (algorithm == JwtAlgorithm::kHs256 ? config.hs256_key : config.public_key_pem) = *std::move(key);
  return Create(std::move(config));
}

absl::StatusOr<std::unique_ptr<KeyFileVerifier>> KeyFileVerifier::Create(
    std::string path, std::string issuer, std::string audience, JwtAlgorithm algorithm,
    absl::Duration reload_every, absl::Time now, ClaimMapping claims) {
  absl::StatusOr<std::string> content = ReadSecretFile(path);
  if (!content.ok()) return content.status();
  absl::StatusOr<JwtVerifier> first =
      JwtVerifier::FromKeyFile(path, issuer, audience, algorithm, claims);
  if (!first.ok()) return first.status();
  std::unique_ptr<KeyFileVerifier> v(new KeyFileVerifier(std::move(path), std::move(issuer),
                                                         std::move(audience), algorithm,
                                                         reload_every, std::move(claims)));
  absl::MutexLock lock(&v->mu_);
  v->current_ = std::make_shared<const JwtVerifier>(*std::move(first));
  v->content_ = *std::move(content);
  v->next_check_ = now + reload_every;
  return v;
}

std::shared_ptr<const JwtVerifier> KeyFileVerifier::Current(absl::Time now) const {
  absl::MutexLock lock(&mu_);
  if (reload_every_ <= absl::ZeroDuration() || now < next_check_) return current_;
  next_check_ = now + reload_every_;
  absl::StatusOr<std::string> content = ReadSecretFile(path_);
  if (!content.ok()) {
    log::Warning("jwt key file unreadable; keeping the keys in force", {{"path", path_}});
    return current_;
  }
  if (*content == content_) return current_;
  JwtConfig config{"", issuer_, audience_};
  config.algorithm = algorithm_;
  config.claims = claims_;
  (algorithm_ == JwtAlgorithm::kHs256 ? config.hs256_key : config.public_key_pem) = *content;
  absl::StatusOr<JwtVerifier> next = JwtVerifier::Create(std::move(config));
  if (!next.ok()) {
    // Never echo the file: it may hold a shared key.
    log::Warning("jwt key file does not parse; keeping the keys in force",
                 {{"path", path_}, {"error", std::string(next.status().message())}});
    return current_;
  }
  current_ = std::make_shared<const JwtVerifier>(*std::move(next));
  content_ = *std::move(content);
  ++reloads_;
  log::Info("jwt keys reloaded", {{"path", path_}, {"reloads", absl::StrCat(reloads_)}});
  return current_;
}

absl::StatusOr<Identity> KeyFileVerifier::Verify(absl::string_view token, absl::Time now) const {
  return Current(now)->Verify(token, now);
}

int KeyFileVerifier::reloads() const {
  absl::MutexLock lock(&mu_);
  return reloads_;
}

namespace {

// The roles of a verified token: the mapped claim (provider tokens), or the platform's own
// `roles` claim for its own tokens; UNAUTHENTICATED when none results.
absl::Status RolesOf(jwt_t* jwt, const ClaimMapping& mapping, bool own_claims,
                     std::vector<std::string>& roles) {
  std::vector<std::string> values;
  std::unique_ptr<char, FreeDeleter> roles_json(
      jwt_get_grants_json(jwt, mapping.roles_claim.c_str()));
  if (roles_json != nullptr && !ParseClaimValues(roles_json.get(), values)) {
    return Reject(absl::StrCat(mapping.roles_claim, " must be an array of strings or one string"));
  }
  for (const std::string& v : values) {
    if (mapping.role_map.empty()) {
      if (!ValidRoleName(v)) return Reject(absl::StrCat("`", v, "` is not a role name"));
      roles.push_back(v);
    } else if (auto it = mapping.role_map.find(v);
               it != mapping.role_map.end() &&
               std::find(roles.begin(), roles.end(), it->second) == roles.end()) {
      roles.push_back(it->second);
    }
  }
  if (roles.empty() && own_claims && mapping.roles_claim != "roles") {
    std::unique_ptr<char, FreeDeleter> own(jwt_get_grants_json(jwt, "roles"));
    if (own != nullptr && !ParseRoles(own.get(), roles)) roles.clear();
  }
  if (roles.empty()) {
    return Reject(
        mapping.role_map.empty()
            ? absl::StrCat(mapping.roles_claim, " must be a non-empty array of role names")
            : absl::StrCat("none of the ", mapping.roles_claim, " maps to a role"));
  }
  return absl::OkStatus();
}

// `service`: the service whose own key signed the token, empty for the identity provider's.
absl::Status CheckSigner(const std::string& service, const Identity& id) {
  if (!service.empty() &&
      (id.subject != service || id.roles != std::vector<std::string>{"service"})) {
    return Reject(absl::StrCat("the key of ", service, " signs only its own service identity"));
  }
  if (service.empty() && id.HasRole("service")) {
    return Reject("a service identity must be signed by that service's own key");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Identity> JwtVerifier::Verify(absl::string_view token, absl::Time now) const {
  if (token.empty()) return Reject("empty");
  if (token.size() > 8192) return Reject("too long");
  const std::string t(token);
  const int64_t now_s = absl::ToUnixSeconds(now);
  const int64_t leeway = absl::ToInt64Seconds(config_.leeway);
  // A token whose signature and claims were checked before needs only its time window checked
  // again: clients reuse one token for many calls, and decoding dominates a cheap RPC.
  {
    absl::MutexLock lock(&cache_->mu);
    auto it = cache_->verified.find(t);
    if (it != cache_->verified.end()) {
      if (now_s > it->second.exp + leeway) return Reject("expired");
      if (it->second.nbf > 0 && now_s + leeway < it->second.nbf)
        return Reject("not yet valid (nbf)");
      return it->second.identity;
    }
  }
  jwt_t* raw = nullptr;
  // jwt_decode verifies the signature with the key; the algorithm is checked below, so a
  // token that names another algorithm (or "none") is refused whatever the library did.
  // RS256/ES256: any of the trusted public keys (the identity provider's, each service's).
  const VerifyKey* signer = nullptr;
  for (const VerifyKey& key : verify_keys_) {
    if (jwt_decode(&raw, t.c_str(), reinterpret_cast<const unsigned char*>(key.pem.data()),
                   static_cast<int>(key.pem.size())) == 0 &&
        raw != nullptr) {
      signer = &key;
      break;
    }
    if (raw != nullptr) jwt_free(raw);
    raw = nullptr;
  }
  if (raw == nullptr) return Reject("malformed or bad signature");
  JwtPtr jwt(raw);
  if (jwt_get_alg(jwt.get()) != LibAlgorithm(config_.algorithm)) {
    return Reject(absl::StrCat("algorithm must be ", AlgorithmName(config_.algorithm)));
  }

  errno = 0;
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno == ENOENT || exp <= 0) return Reject("no expiry (exp)");
  if (now_s > exp + leeway) return Reject("expired");
  errno = 0;
  const long nbf = jwt_get_grant_int(jwt.get(), "nbf");
  const int64_t not_before = errno != ENOENT && nbf > 0 ? nbf : 0;
  if (not_before > 0 && now_s + leeway < not_before) return Reject("not yet valid (nbf)");

  auto claim = [&](const char* name) -> std::string {
    const char* v = jwt_get_grant(jwt.get(), name);
    return v == nullptr ? "" : v;
  };
  if (!config_.issuer.empty() && claim("iss") != config_.issuer) return Reject("wrong issuer");
  if (!config_.audience.empty() && claim("aud") != config_.audience) {
    return Reject("wrong audience");
  }
  Identity id;
  id.subject = claim("sub");
  if (id.subject.empty() || id.subject.size() > 256) return Reject("no subject (sub)");
  // The platform's own claims for tokens of a service's key or HS256 (local runs); the
  // provider's, through the mapping, for everything else.
  const ClaimMapping& mapping = config_.claims;
  const bool own_claims = config_.algorithm == JwtAlgorithm::kHs256 || !signer->service.empty();
  id.tenant = claim(mapping.tenant_claim.c_str());
  if (id.tenant.empty() && own_claims) id.tenant = claim("tenant");
  if (id.tenant.size() > 128) return Reject("tenant too long");
  SLA_RETURN_IF_ERROR(RolesOf(jwt.get(), mapping, own_claims, id.roles));
  if (absl::Status shape = CheckIdentityShape(id); !shape.ok()) return Reject(shape.message());
  // RS256/ES256: a service's own key signs only that service's identity, and a service
  // identity comes only from that service's key (the identity provider's key cannot mint one).
  // HS256 has one shared key for everyone: local runs only.
  if (config_.algorithm != JwtAlgorithm::kHs256) {
    SLA_RETURN_IF_ERROR(CheckSigner(signer->service, id));
  }
  id.expires = absl::FromUnixSeconds(exp);
  absl::MutexLock lock(&cache_->mu);
  if (cache_->verified.size() >= kVerifiedCacheSize) cache_->verified.clear();
  cache_->verified[t] = {id, exp, not_before};
  return id;
}

absl::Status CheckIdentityShape(const Identity& id) {
  const bool customer = IsCustomerRole(id);
  const bool staff = HasStaffRole(id);
  if (customer && staff) return absl::InvalidArgumentError("roles mix customer and staff roles");
  if (customer && id.tenant.empty())
    return absl::InvalidArgumentError("a customer role needs a tenant");
  if (!customer && !id.tenant.empty()) {
    return absl::InvalidArgumentError(
        "a tenant is only for customer roles (staff and systems have none)");
  }
  return absl::OkStatus();
}

// Signs `jwt` with the key and algorithm of `config`, and encodes it.
absl::StatusOr<std::string> SignAndEncode(const JwtConfig& config, jwt_t* jwt) {
  const std::string& key =
      config.algorithm == JwtAlgorithm::kHs256 ? config.hs256_key : config.private_key_pem;
  if (key.empty()) return absl::FailedPreconditionError("no signing key configured");
  if (jwt_set_alg(jwt, LibAlgorithm(config.algorithm),
                  reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) != 0) {
    return absl::InvalidArgumentError("the key does not sign with the configured algorithm");
  }
  std::unique_ptr<char, FreeDeleter> encoded(jwt_encode_str(jwt));
  if (encoded == nullptr) return absl::InternalError("encoding the token failed");
  return std::string(encoded.get());
}

absl::StatusOr<std::string> MintToken(const JwtConfig& config, const Identity& identity,
                                      absl::Time now, absl::Duration ttl) {
  for (const std::string& r : identity.roles) {
    if (!ValidRoleName(r)) return absl::InvalidArgumentError(absl::StrCat("bad role `", r, "`"));
  }
  if (identity.subject.empty()) return absl::InvalidArgumentError("subject is required");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  JwtPtr jwt(raw);
  const int64_t iat = absl::ToUnixSeconds(now);
  bool ok = jwt_add_grant(jwt.get(), "sub", identity.subject.c_str()) == 0 &&
            jwt_add_grant_int(jwt.get(), "iat", iat) == 0 &&
            jwt_add_grant_int(jwt.get(), "nbf", iat) == 0 &&
            jwt_add_grant_int(jwt.get(), "exp", iat + absl::ToInt64Seconds(ttl)) == 0;
  if (ok && !identity.tenant.empty())
    ok = jwt_add_grant(jwt.get(), "tenant", identity.tenant.c_str()) == 0;
  if (ok && !config.issuer.empty())
    ok = jwt_add_grant(jwt.get(), "iss", config.issuer.c_str()) == 0;
  if (ok && !config.audience.empty())
    ok = jwt_add_grant(jwt.get(), "aud", config.audience.c_str()) == 0;
  const std::string roles =
      absl::StrCat("{\"roles\":[\"", absl::StrJoin(identity.roles, "\",\""), "\"]}");
  if (ok)
    ok = jwt_add_grants_json(jwt.get(),
                             identity.roles.empty() ? "{\"roles\":[]}" : roles.c_str()) == 0;
  if (!ok) return absl::InternalError("building the token failed");
  return SignAndEncode(config, jwt.get());
}

absl::StatusOr<std::string> MintTokenWithClaims(const JwtConfig& config,
                                                const std::string& claims_json) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  JwtPtr jwt(raw);
  if (jwt_add_grants_json(jwt.get(), claims_json.c_str()) != 0) {
    return absl::InvalidArgumentError("the claims are not a JSON object");
  }
  return SignAndEncode(config, jwt.get());
}

}  // namespace sla::server
