#include "common/server/jwks.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace sla::server {
namespace {

struct Free {
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

// A base64url member of key `k`, decoded.
absl::StatusOr<std::string> Member(const google::protobuf::Struct& k, const std::string& name,
                                   const std::string& field) {
  auto it = k.fields().find(name);
  std::string out;
  if (it == k.fields().end() || !it->second.has_string_value() ||
      !absl::WebSafeBase64Unescape(it->second.string_value(), &out) || out.empty()) {
    return InvalidField(absl::StrCat(field, ".", name), "must be base64url");
  }
  return out;
}

std::string Text(const google::protobuf::Struct& k, const std::string& name) {
  auto it = k.fields().find(name);
  return it != k.fields().end() && it->second.has_string_value() ? it->second.string_value() : "";
}

absl::StatusOr<std::string> ToPem(const char* type, OSSL_PARAM_BLD* bld, const std::string& field) {
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return InvalidField(field, "is not a valid public key");
  }
  Owned<EVP_PKEY> key(raw);
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1)
    return InvalidField(field, "cannot be encoded");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

absl::StatusOr<std::string> RsaPem(const google::protobuf::Struct& k, const std::string& field) {
  absl::StatusOr<std::string> n = Member(k, "n", field), e = Member(k, "e", field);
  if (!n.ok()) return n.status();
  if (!e.ok()) return e.status();
  if (n->size() < 256) return InvalidField(absl::StrCat(field, ".n"), "must be at least 2048 bits");
  Owned<BIGNUM> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                               static_cast<int>(n->size()), nullptr));
  Owned<BIGNUM> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                               static_cast<int>(e->size()), nullptr));
  Owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return InvalidField(field, "is not a valid RSA key");
  }
  return ToPem("RSA", bld.get(), field);
}

absl::StatusOr<std::string> EcPem(const google::protobuf::Struct& k, const std::string& field) {
  if (Text(k, "crv") != "P-256")
    return InvalidField(absl::StrCat(field, ".crv"), "must be P-256 (ES256)");
  absl::StatusOr<std::string> x = Member(k, "x", field), y = Member(k, "y", field);
  if (!x.ok()) return x.status();
  if (!y.ok()) return y.status();
  if (x->size() != 32 || y->size() != 32)
    return InvalidField(field, "x and y must be 32 bytes each");
  const std::string point = absl::StrCat(std::string(1, '\x04'), *x, *y);  // uncompressed
  Owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    return InvalidField(field, "is not a valid EC key");
  }
  return ToPem("EC", bld.get(), field);
}

}  // namespace

absl::StatusOr<std::string> JwksToPem(absl::string_view jwks) {
  google::protobuf::Struct doc;
  if (!google::protobuf::util::JsonStringToMessage(std::string(jwks), &doc).ok()) {
    return InvalidField("jwks", "is not a JSON object");
  }
  auto keys = doc.fields().find("keys");
  if (keys == doc.fields().end() || !keys->second.has_list_value()) {
    return InvalidField("jwks.keys", "must be a list of keys");
  }
  std::string pem;
  int i = 0;
  for (const auto& v : keys->second.list_value().values()) {
    const std::string field = absl::StrCat("jwks.keys[", i++, "]");
    if (!v.has_struct_value()) return InvalidField(field, "must be an object");
    const google::protobuf::Struct& k = v.struct_value();
    if (Text(k, "use") == "enc") continue;
    const std::string kty = Text(k, "kty");
    absl::StatusOr<std::string> one =
        kty == "RSA"  ? RsaPem(k, field)
        : kty == "EC" ? EcPem(k, field)
                      : InvalidField(absl::StrCat(field, ".kty"), "must be RSA or EC");
    if (!one.ok()) return one.status();
    // A service's own key names the service in its `kid` ("sla-service:ticket-svc"): it is
    // bound to that identity (auth.h).
    const std::string kid_text = Text(k, "kid");
    if (absl::string_view kid = kid_text; absl::ConsumePrefix(&kid, "sla-service:")) {
      absl::StrAppend(&pem, "sla-service: ", kid, "\n");
    }
    absl::StrAppend(&pem, *one);
  }
  if (pem.empty()) return InvalidField("jwks.keys", "holds no signing key");
  return pem;
}

}  // namespace sla::server
