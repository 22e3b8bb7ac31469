#include "gateway/sealed_link.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>

#include "absl/strings/escaping.h"

namespace sla::gateway {
namespace {

constexpr int kNonce = 12;
constexpr int kTag = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

absl::Status Refused() { return absl::PermissionDeniedError("the download link is not valid"); }

}  // namespace

LinkSealer::LinkSealer(absl::string_view key_material) {
  SHA256(reinterpret_cast<const unsigned char*>(key_material.data()), key_material.size(), key_);
}

std::string LinkSealer::Seal(absl::string_view plaintext) const {
  std::string out(kNonce + plaintext.size() + kTag, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  RAND_bytes(bytes, kNonce);
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_, bytes);
  EVP_EncryptUpdate(ctx.get(), bytes + kNonce, &len,
                    reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(ctx.get(), bytes + kNonce + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, bytes + kNonce + plaintext.size());
  return absl::WebSafeBase64Escape(out);
}

absl::StatusOr<std::string> LinkSealer::Open(absl::string_view sealed) const {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(sealed, &raw) || raw.size() < kNonce + kTag) return Refused();
  auto* bytes = reinterpret_cast<unsigned char*>(raw.data());
  const int body = static_cast<int>(raw.size()) - kNonce - kTag;
  std::string plain(static_cast<size_t>(body), '\0');
  CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_, bytes) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                        bytes + kNonce, body) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, bytes + kNonce + body) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) !=
          1) {
    return Refused();
  }
  return plain;
}

}  // namespace sla::gateway
