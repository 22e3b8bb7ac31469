#include "common/server/request_fingerprint.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace sla::server {
namespace {

const google::protobuf::FieldDescriptor* RequestIdField(const google::protobuf::Message& m) {
  const auto* f = m.GetDescriptor()->FindFieldByName("request_id");
  return f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
                 !f->is_repeated()
             ? f
             : nullptr;
}

}  // namespace

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const auto* f = RequestIdField(*copy)) copy->GetReflection()->ClearField(copy.get(), f);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), size));
}

api::RequestKey RequestKeyOf(const google::protobuf::Message& request) {
  const auto* f = RequestIdField(request);
  if (f == nullptr) return {};
  std::string id = request.GetReflection()->GetString(request, f);
  if (id.empty()) return {};
  return {std::move(id), RequestFingerprint(request)};
}

}  // namespace sla::server
