// Sealing for download links: AES-256-GCM under a key derived (SHA-256) from the gateway's
// --link_key_file, so a link can neither be read (it carries the caller's token) nor altered
// nor forged, and every replica with the same key opens the links of the others.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sla::gateway {

class LinkSealer {
 public:
  explicit LinkSealer(absl::string_view key_material);

  // base64url(nonce · ciphertext · tag), fit for a URL path segment.
  std::string Seal(absl::string_view plaintext) const;
  // PERMISSION_DENIED for anything not sealed by this key, or altered since.
  absl::StatusOr<std::string> Open(absl::string_view sealed) const;

 private:
  unsigned char key_[32];
};

}  // namespace sla::gateway
