#include "tools/cli_core.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/server/raw_client.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace sla::cli {
namespace {

namespace pbu = google::protobuf::util;

constexpr char kDetailsPayload[] = "type.googleapis.com/google.rpc.Status";

// Which profile address serves a method, by its service's package ("sla.ticket.v1" → ticket).
std::string ServiceKey(const google::protobuf::MethodDescriptor* method) {
  const std::string& pkg = method->service()->file()->package();
  for (const char* k : {"contract", "ticket", "billing", "reporting"}) {
    if (absl::StrContains(pkg, absl::StrCat(".", k, "."))) return k;
  }
  return "";
}

absl::Status FromGrpc(const grpc::Status& s, const std::string& request_id) {
  absl::Status out(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  if (!s.error_details().empty()) out.SetPayload(kDetailsPayload, absl::Cord(s.error_details()));
  if (!request_id.empty()) out.SetPayload("x-request-id", absl::Cord(request_id));
  return out;
}

// An empty message of `type` (any type of the generated pool).
std::unique_ptr<google::protobuf::Message> NewMessage(const google::protobuf::Descriptor* type) {
  static google::protobuf::DynamicMessageFactory* factory =
      new google::protobuf::DynamicMessageFactory();
  return std::unique_ptr<google::protobuf::Message>(factory->GetPrototype(type)->New());
}

std::string StructString(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? "" : it->second.string_value();
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& ProfileKeys() {
  static const auto* keys = new std::vector<std::pair<std::string, std::string>>{
      {"contract", "contract-svc's host:port"},
      {"ticket", "ticket-svc's host:port"},
      {"billing", "billing-svc's host:port"},
      {"reporting", "reporting-svc's host:port"},
      {"token", "a bearer token (scripts/token) or an API key secret (slak_…)"},
      {"token_file", "a file that holds the token, read at each run"},
      {"ca_file", "PEM CA of the services' certificates: TLS (empty: plaintext)"},
  };
  return *keys;
}

std::string ConfigPath() {
  if (const char* p = std::getenv("SLA_CONFIG"); p != nullptr && *p) return p;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x != nullptr && *x)
    return absl::StrCat(x, "/sla/config.json");
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr ? home : ".", "/.config/sla/config.json");
}

absl::Status SetProfileKey(Profile& p, const std::string& key, const std::string& value) {
  if (p.addresses.contains(key)) {
    if (value.find(':') == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("`", key, "` must be host:port, e.g. 127.0.0.1:50051"));
    }
    p.addresses[key] = value;
  } else if (key == "token") {
    p.token = value;
  } else if (key == "token_file") {
    p.token_file = value;
  } else if (key == "ca_file") {
    p.ca_file = value;
  } else {
    std::vector<std::string> names;
    for (const auto& [k, _] : ProfileKeys()) names.push_back(k);
    return absl::InvalidArgumentError(
        absl::StrCat("unknown key `", key, "`; keys: ", absl::StrJoin(names, ", ")));
  }
  return absl::OkStatus();
}

namespace {

google::protobuf::Struct ProfileStruct(const Profile& p, bool hide_token) {
  google::protobuf::Struct s;
  auto& f = *s.mutable_fields();
  for (const auto& [k, v] : p.addresses) f[k].set_string_value(v);
  if (!p.token.empty()) {
    f["token"].set_string_value(hide_token ? absl::StrCat(p.token.substr(0, 8), "…") : p.token);
  }
  if (!p.token_file.empty()) f["token_file"].set_string_value(p.token_file);
  if (!p.ca_file.empty()) f["ca_file"].set_string_value(p.ca_file);
  return s;
}

}  // namespace

std::string ProfileJson(const Profile& p) { return ToJson(ProfileStruct(p, true)); }

absl::StatusOr<Config> LoadConfig(const std::string& path) {
  Config config;
  std::ifstream in(path);
  if (!in) {
    config.profiles["local"] = Profile{};
    return config;
  }
  std::stringstream text;
  text << in.rdbuf();
  google::protobuf::Struct root;
  if (auto s = pbu::JsonStringToMessage(text.str(), &root); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not valid JSON: ", s.message().as_string()));
  }
  config.current = StructString(root, "current");
  if (config.current.empty()) config.current = "local";
  if (auto it = root.fields().find("profiles"); it != root.fields().end()) {
    for (const auto& [name, value] : it->second.struct_value().fields()) {
      Profile p;
      for (const auto& [k, v] : value.struct_value().fields()) {
        if (absl::Status s = SetProfileKey(p, k, v.string_value()); !s.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ", profile `", name, "`: ", s.message()));
        }
      }
      config.profiles[name] = p;
    }
  }
  if (config.profiles.empty()) config.profiles["local"] = Profile{};
  return config;
}

absl::Status SaveConfig(const std::string& path, const Config& config) {
  google::protobuf::Struct root;
  (*root.mutable_fields())["current"].set_string_value(config.current);
  auto& profiles = *(*root.mutable_fields())["profiles"].mutable_struct_value()->mutable_fields();
  for (const auto& [name, p] : config.profiles)
    *profiles[name].mutable_struct_value() = ProfileStruct(p, false);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  // The file may hold a token: readable by its owner only.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", tmp));
    out << ToJson(root) << "\n";
  }
  std::filesystem::permissions(
      tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace, ec);
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", path, ": ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> Session::Token() {
  if (!token_override_.empty()) return token_override_;
  if (const char* env = std::getenv("SLA_TOKEN"); env != nullptr && *env) return std::string(env);
  if (!profile_.token.empty()) return profile_.token;
  if (!profile_.token_file.empty()) {
    absl::StatusOr<std::string> t = ReadFile(profile_.token_file);
    if (!t.ok()) return t.status();
    return std::string(absl::StripAsciiWhitespace(*t));
  }
  return absl::UnauthenticatedError(
      "no token: pass --token, set SLA_TOKEN, or `sla config set token $(scripts/token "
      "--roles=msp_admin)`");
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Session::ChannelFor(
    const google::protobuf::MethodDescriptor* method) {
  const std::string key = route_.empty() ? ServiceKey(method) : route_;
  auto it = profile_.addresses.find(key);
  if (it == profile_.addresses.end()) {
    if (!route_.empty())
      return absl::InvalidArgumentError("--at must be contract, ticket, billing or reporting");
    return absl::InvalidArgumentError(absl::StrCat(
        method->service()->full_name(), " is served by several services: say which with --at"));
  }
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (!profile_.ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(profile_.ca_file);
    if (!ca.ok()) return ca.status();
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = *ca;
    creds = grpc::SslCredentials(tls);
  }
  return grpc::CreateChannel(it->second, creds);
}

absl::StatusOr<Session::Target> Session::TargetOf(
    const google::protobuf::MethodDescriptor* method) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ChannelFor(method);
  if (!channel.ok()) return channel.status();
  absl::StatusOr<std::string> token = Token();
  if (!token.ok()) return token.status();
  return Target{*std::move(channel),
                absl::StrCat("/", method->service()->full_name(), "/", method->name()),
                {{"authorization", "Bearer " + *token}}};
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Session::Call(
    const google::protobuf::MethodDescriptor* method, const google::protobuf::Message& request) {
  absl::StatusOr<Target> t = TargetOf(method);
  if (!t.ok()) return t.status();
  server::RawResponse r = server::RawUnaryCall(t->channel, t->path, request.SerializeAsString(),
                                               t->metadata, absl::Seconds(timeout_s_));
  if (!r.status.ok()) return FromGrpc(r.status, r.request_id);
  std::unique_ptr<google::protobuf::Message> out = NewMessage(method->output_type());
  if (!out->ParseFromString(r.body)) return absl::DataLossError("the answer did not parse");
  return out;
}

absl::Status Session::Stream(const google::protobuf::MethodDescriptor* method,
                             const google::protobuf::Message& request,
                             const std::function<void(const google::protobuf::Message&)>& each) {
  absl::StatusOr<Target> t = TargetOf(method);
  if (!t.ok()) return t.status();
  server::RawStreamResponse r =
      server::RawServerStreamingCall(t->channel, t->path, request.SerializeAsString(), t->metadata,
                                     absl::Seconds(timeout_s_), 1 << 30);
  for (const std::string& body : r.messages) {
    std::unique_ptr<google::protobuf::Message> m = NewMessage(method->output_type());
    if (m->ParseFromString(body)) each(*m);
  }
  if (r.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
    return absl::OkStatus();  // --timeout ended it
  return r.status.ok() ? absl::OkStatus() : FromGrpc(r.status, "");
}

absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(const std::string& name_in) {
  std::string name(absl::StripPrefix(name_in, "/"));
  const size_t slash = name.rfind('/');
  if (slash != std::string::npos) name[slash] = '.';
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  if (const auto* m = pool->FindMethodByName(name); m != nullptr) return m;
  return absl::NotFoundError(
      absl::StrCat("no method `", name_in,
                   "`; use Service/Method, e.g. sla.ticket.v1.TicketService/GetTicket (services: "
                   "sla.contract.v1.ContractService, sla.ticket.v1.TicketService, "
                   "sla.billing.v1.BillingService, "
                   "sla.reporting.v1.ReportingService)"));
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> RequestFromJson(
    const google::protobuf::MethodDescriptor* method, const std::string& json) {
  std::unique_ptr<google::protobuf::Message> request = NewMessage(method->input_type());
  pbu::JsonParseOptions strict;  // unknown fields are errors: a typo must not be dropped silently
  if (auto s = pbu::JsonStringToMessage(json, request.get(), strict); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("the request is not a valid ",
                                                   method->input_type()->full_name(),
                                                   " in JSON: ", s.message().as_string()));
  }
  return request;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path);
  if (!in)
    return absl::NotFoundError(absl::StrCat("cannot read `", path, "`: ", std::strerror(errno)));
  text << in.rdbuf();
  return text.str();
}

int ExitCodeOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return kOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return kUsage;
    case absl::StatusCode::kNotFound:
      return kNotFound;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kDenied;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition:
      return kConflict;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
      return kUnavailable;
    default:
      return kFailed;
  }
}

int ReportError(const absl::Status& status) {
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
            << "\n";
  if (auto details = status.GetPayload(kDetailsPayload)) {
    google::rpc::Status rich;
    if (rich.ParseFromString(std::string(*details))) {
      for (const auto& any : rich.details()) {
        google::rpc::BadRequest bad;
        google::rpc::PreconditionFailure pre;
        google::rpc::ErrorInfo info;
        if (any.UnpackTo(&bad)) {
          for (const auto& v : bad.field_violations())
            std::cerr << "  field " << v.field() << ": " << v.description() << "\n";
        } else if (any.UnpackTo(&pre)) {
          for (const auto& v : pre.violations())
            std::cerr << "  " << v.type() << " " << v.subject() << ": " << v.description() << "\n";
        } else if (any.UnpackTo(&info) && !info.reason().empty()) {
          std::cerr << "  reason: " << info.reason() << "\n";
        }
      }
    }
  }
  if (auto id = status.GetPayload("x-request-id"))
    std::cerr << "  request id: " << std::string(*id) << "\n";
  if (status.code() == absl::StatusCode::kUnavailable) {
    std::cerr << "  is the suite running? `scripts/run` starts it; `sla config show` shows where "
                 "sla looks\n";
  }
  return ExitCodeOf(status.code());
}

std::string ToJson(const google::protobuf::Message& m) {
  pbu::JsonPrintOptions o;
  o.add_whitespace = true;
  o.preserve_proto_field_names = false;
  std::string out;
  (void)pbu::MessageToJsonString(m, &out, o);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

size_t DisplayWidth(const std::string& s) {
  // Columns on a terminal, not bytes: Thai vowel and tone marks above or below a consonant,
  // and other combining marks, take no column of their own.
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    i += len;
    const bool combining = (cp >= 0x0300 && cp <= 0x036F) || cp == 0x0E31 ||
                           (cp >= 0x0E34 && cp <= 0x0E3A) || (cp >= 0x0E47 && cp <= 0x0E4E);
    width += combining ? 0 : 1;
  }
  return width;
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  auto chars = [](const std::string& s) { return DisplayWidth(s); };
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], chars(r[i]));
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - chars(r[i]) + 2, ' ');
    }
    absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
  }
  return out;
}

std::string Relative(int64_t seconds) {
  const bool past = seconds < 0;
  int64_t s = past ? -seconds : seconds;
  const int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
  std::string text;
  if (d > 0)
    text = absl::StrCat(d, "d ", h, "h");
  else if (h > 0)
    text = absl::StrCat(h, "h ", m, "m");
  else
    text = absl::StrCat(m, "m");
  return past ? absl::StrCat(text, " ago") : absl::StrCat("in ", text);
}

}  // namespace sla::cli
