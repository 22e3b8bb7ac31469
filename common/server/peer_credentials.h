// Credentials for calls to the suite's services: plaintext without a CA, TLS with one, mTLS
// when a client certificate is set too. The files are re-read every `reload_seconds`, so a
// rotated certificate takes effect without a restart, and the peer's name is checked.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace sla::server {

// NOT_FOUND / PERMISSION_DENIED naming the file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PeerTlsCredentials(
    const std::string& ca_file, const std::string& cert_file, const std::string& key_file,
    unsigned int reload_seconds);

}  // namespace sla::server
