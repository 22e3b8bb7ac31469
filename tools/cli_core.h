// What every `sla` command shares: the profile (where the services are, which token), calls by
// method descriptor over the suite's gRPC, errors turned into messages and exit codes, and
// output as tables or JSON. Requests and answers are protobuf messages throughout; JSON is
// protobuf's own mapping, never written by hand.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace sla::cli {

// Exit codes by error class (docs/api.md, CLI).
enum ExitCode : int {
  kOk = 0,
  kFailed = 1,       // anything else (INTERNAL, UNKNOWN, DATA_LOSS…)
  kUsage = 2,        // bad command line or input: INVALID_ARGUMENT, OUT_OF_RANGE, a file or JSON
  kNotFound = 3,     // NOT_FOUND
  kDenied = 4,       // UNAUTHENTICATED, PERMISSION_DENIED
  kConflict = 5,     // ALREADY_EXISTS, ABORTED, FAILED_PRECONDITION
  kUnavailable = 6,  // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED
};

// One named profile: the services' addresses, the credentials and TLS.
struct Profile {
  std::map<std::string, std::string> addresses = {{"contract", "127.0.0.1:50051"},
                                                  {"ticket", "127.0.0.1:50052"},
                                                  {"billing", "127.0.0.1:50053"},
                                                  {"reporting", "127.0.0.1:50054"}};
  std::string token;       // a bearer token or API key secret
  std::string token_file;  // or a file holding one (read at each run)
  std::string ca_file;     // PEM CA: TLS to the services; empty = plaintext
};

// The keys `sla config set` takes, with what they mean.
const std::vector<std::pair<std::string, std::string>>& ProfileKeys();

// $SLA_CONFIG, else $XDG_CONFIG_HOME/sla/config.json, else ~/.config/sla/config.json.
std::string ConfigPath();

struct Config {
  std::string current = "local";
  std::map<std::string, Profile> profiles;
};
// A missing file is the default config (profile "local" on the default ports).
absl::StatusOr<Config> LoadConfig(const std::string& path);
absl::Status SaveConfig(const std::string& path, const Config& config);
absl::Status SetProfileKey(Profile& p, const std::string& key, const std::string& value);
// The profile as JSON (the token shown only by its first characters).
std::string ProfileJson(const Profile& p);

// How a command talks to the suite.
class Session {
 public:
  Session(Profile profile, std::string token_override, int timeout_seconds)
      : profile_(std::move(profile)),
        token_override_(std::move(token_override)),
        timeout_s_(timeout_seconds) {}
  // Calls a unary method; the answer, or the call's status.
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Call(
      const google::protobuf::MethodDescriptor* method, const google::protobuf::Message& request);
  // Calls a server-streaming method and hands each message to `each` until the stream ends.
  absl::Status Stream(const google::protobuf::MethodDescriptor* method,
                      const google::protobuf::Message& request,
                      const std::function<void(const google::protobuf::Message&)>& each);
  // Sends the calls to this service ("billing", "reporting") instead of the method's own: for
  // a service several of the suite serve (sla.v1.EventConsumerService).
  void RouteTo(std::string service) { route_ = std::move(service); }

 private:
  // Where and how a method is called: its service's channel, its path, the bearer token.
  struct Target {
    std::shared_ptr<grpc::Channel> channel;
    std::string path;
    std::vector<std::pair<std::string, std::string>> metadata;
  };
  absl::StatusOr<Target> TargetOf(const google::protobuf::MethodDescriptor* method);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelFor(
      const google::protobuf::MethodDescriptor* method);
  absl::StatusOr<std::string> Token();
  Profile profile_;
  std::string route_;
  std::string token_override_;
  int timeout_s_;
};

// A fully qualified method ("sla.ticket.v1.TicketService/GetTicket", or with '.' before the
// method, or a leading '/'); NOT_FOUND listing the services otherwise.
absl::StatusOr<const google::protobuf::MethodDescriptor*> FindMethod(const std::string& name);

// `json` into a new request of `method`'s input type: INVALID_ARGUMENT naming what is wrong.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> RequestFromJson(
    const google::protobuf::MethodDescriptor* method, const std::string& json);

// The contents of a file ("-" = standard input); NOT_FOUND naming it if unreadable.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Prints the status to stderr the way a person can act on it (field violations, the request id)
// and returns its exit code.
int ReportError(const absl::Status& status);
int ExitCodeOf(absl::StatusCode code);

// Output of answers.
enum class Format { kTable, kJson };
std::string ToJson(const google::protobuf::Message& m);
// Terminal columns of UTF-8 text (combining marks, Thai's included, take none).
size_t DisplayWidth(const std::string& s);
// A table of `rows` (the first row is the header), columns padded to their widest cell.
std::string Table(const std::vector<std::vector<std::string>>& rows);
// "in 2h 15m", "5m ago", from a duration in seconds.
std::string Relative(int64_t seconds);

}  // namespace sla::cli
