// JSON Web Key Sets (RFC 7517), the form identity providers publish their signing keys in
// (`/.well-known/jwks.json`): an RS256/ES256 key file may hold one instead of PEM keys, so the
// document can be dropped into the file as fetched (by a sidecar, a CronJob, or an External
// Secret refreshing it) and KeyFileVerifier picks up the provider's key rotation.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sla::server {

// The signing keys of `jwks` as PEM public keys, one after the other: RSA keys (`n`, `e`) and
// EC P-256 keys (`x`, `y`); keys marked `"use": "enc"` are skipped. INVALID_ARGUMENT naming the
// key for malformed JSON or key material, or when no signing key is left.
absl::StatusOr<std::string> JwksToPem(absl::string_view jwks);

}  // namespace sla::server
