#include "common/server/peer_credentials.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>

#include "common/server/auth.h"

namespace sla::server {

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PeerTlsCredentials(
    const std::string& ca_file, const std::string& cert_file, const std::string& key_file,
    unsigned int reload_seconds) {
  if (ca_file.empty()) return grpc::InsecureChannelCredentials();
  for (const std::string& f : {ca_file, cert_file, key_file}) {
    if (f.empty()) continue;
    if (absl::StatusOr<std::string> ok = ReadSecretFile(f); !ok.ok()) return ok.status();
  }
  auto provider = cert_file.empty()
                      ? std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
                            ca_file, reload_seconds)
                      : std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
                            key_file, cert_file, ca_file, reload_seconds);
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (!cert_file.empty()) options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace sla::server
