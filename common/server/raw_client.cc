#include "common/server/raw_client.h"

#include <grpcpp/generic/generic_stub.h>

#include "absl/synchronization/notification.h"
#include "common/status/grpc_status.h"

namespace sla::server {
namespace {

std::string ToString(const grpc::ByteBuffer& buf) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buf.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

grpc::ByteBuffer FromString(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}

// Length-delimited protobuf field (wire type 2) with a one- or two-byte varint length.
std::string LengthDelimited(int field, const std::string& value) {
  std::string out(1, static_cast<char>((field << 3) | 2));
  size_t n = value.size();
  do {
    char b = static_cast<char>(n & 0x7f);
    n >>= 7;
    if (n != 0) b |= static_cast<char>(0x80);
    out.push_back(b);
  } while (n != 0);
  return out + value;
}

// Reads a varint at `pos`; false if truncated.
bool ReadVarint(const std::string& s, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; pos < s.size() && shift < 64; shift += 7) {
    const unsigned char b = static_cast<unsigned char>(s[pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// Collects every length-delimited field `field` at any nesting depth below `path` fields.
void CollectStrings(const std::string& msg, const std::vector<int>& path, size_t depth,
                    std::vector<std::string>& out) {
  size_t pos = 0;
  while (pos < msg.size()) {
    uint64_t key = 0, len = 0;
    if (!ReadVarint(msg, pos, key)) return;
    const int field = static_cast<int>(key >> 3);
    const int wire = static_cast<int>(key & 7);
    if (wire == 0) {
      uint64_t ignored;
      if (!ReadVarint(msg, pos, ignored)) return;
      continue;
    }
    if (wire != 2 || !ReadVarint(msg, pos, len) || pos + len > msg.size()) return;
    const std::string value = msg.substr(pos, len);
    pos += len;
    if (field != path[depth]) continue;
    if (depth + 1 == path.size()) {
      out.push_back(value);
    } else {
      CollectStrings(value, path, depth + 1, out);
    }
  }
}

}  // namespace

RawResponse RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                         const std::string& request, const MetadataList& metadata,
                         absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  for (const auto& [k, v] : metadata) ctx.AddMetadata(k, v);
  const grpc::ByteBuffer req = FromString(request);
  grpc::ByteBuffer resp;
  absl::Notification done;
  RawResponse out;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp, [&](grpc::Status s) {
    out.status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  out.body = ToString(resp);
  const auto& md = ctx.GetServerInitialMetadata();
  if (auto it = md.find("x-request-id"); it != md.end()) {
    out.request_id.assign(it->second.data(), it->second.size());
  }
  return out;
}

RawStreamResponse RawServerStreamingCall(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& method, const std::string& request,
                                         const MetadataList& metadata, absl::Duration timeout,
                                         int max_messages) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  for (const auto& [k, v] : metadata) ctx.AddMetadata(k, v);
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  // Each step waits for its own tag; false once the stream has failed or ended.
  auto step = [&](intptr_t id) {
    return cq.Next(&tag, &ok) && ok && tag == reinterpret_cast<void*>(id);
  };
  RawStreamResponse out;
  call->StartCall(reinterpret_cast<void*>(1));
  bool open = step(1);
  if (open) {
    call->WriteLast(FromString(request), grpc::WriteOptions(), reinterpret_cast<void*>(2));
    open = step(2);
  }
  while (open && static_cast<int>(out.messages.size()) < max_messages) {
    grpc::ByteBuffer resp;
    call->Read(&resp, reinterpret_cast<void*>(3));
    open = step(3);
    if (open) out.messages.push_back(ToString(resp));
  }
  if (open) ctx.TryCancel();
  call->Finish(&out.status, reinterpret_cast<void*>(4));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(4)) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return out;
}

absl::StatusOr<bool> CheckServing(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& service, absl::Duration timeout) {
  const RawResponse r =
      RawUnaryCall(channel, "/grpc.health.v1.Health/Check",
                   service.empty() ? "" : LengthDelimited(1, service), {}, timeout);
  if (!r.status.ok()) return FromGrpcStatus(r.status);
  // HealthCheckResponse { ServingStatus status = 1; }, SERVING = 1.
  size_t pos = 0;
  uint64_t key = 0, value = 0;
  if (r.body.empty()) return false;
  if (!ReadVarint(r.body, pos, key) || key != 0x08 || !ReadVarint(r.body, pos, value)) {
    return absl::DataLossError("malformed health response");
  }
  return value == 1;
}

absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  grpc::CompletionQueue cq;
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](int id) {
    return cq.Next(&tag, &ok) && ok && tag == reinterpret_cast<void*>(id);
  };
  call->StartCall(reinterpret_cast<void*>(1));
  if (!step(1)) return absl::UnavailableError("reflection call did not start");
  // ServerReflectionRequest { string list_services = 7; }
  call->Write(FromString(LengthDelimited(7, "")), reinterpret_cast<void*>(2));
  if (!step(2)) return absl::UnavailableError("reflection write failed");
  call->WritesDone(reinterpret_cast<void*>(3));
  if (!step(3)) return absl::UnavailableError("reflection writes-done failed");
  grpc::ByteBuffer resp;
  call->Read(&resp, reinterpret_cast<void*>(4));
  const bool got = step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!got)
    return status.ok() ? absl::DataLossError("no reflection response") : FromGrpcStatus(status);
  // ServerReflectionResponse { ListServiceResponse list_services_response = 6; }
  // ListServiceResponse { repeated ServiceResponse service = 1; } ServiceResponse { string name =
  // 1; }
  std::vector<std::string> names;
  CollectStrings(ToString(resp), {6, 1, 1}, 0, names);
  return names;
}

}  // namespace sla::server
