#include "gateway/http_gateway.h"

#include <grpcpp/generic/generic_stub.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/server/api_key_secret.h"
#include "gateway/openapi.h"
#include "gateway/sealed_link.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"
#include "sla/gateway/v1/gateway_service.pb.h"

namespace sla::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

namespace {

constexpr size_t kMaxHeaderBytes = 16 << 10;
constexpr char kAllowedRequestHeaders[] =
    "authorization, content-type, x-request-id, traceparent, idempotency-key, if-match, "
    "x-sla-want-position";
constexpr char kExposedHeaders[] = "x-request-id, etag, content-disposition, x-sla-event-position";
constexpr char kDownloads[] = "/v1/downloads/";

// A file name for a document that names none: the method and an extension for its type.
std::string DocumentName(const google::protobuf::MethodDescriptor* method,
                         const std::string& content_type) {
  std::string ext = "bin";
  if (absl::StartsWith(content_type, "text/html")) ext = "html";
  if (absl::StartsWith(content_type, "text/markdown")) ext = "md";
  if (absl::StartsWith(content_type, "text/csv")) ext = "csv";
  if (absl::StartsWith(content_type, "application/json")) ext = "json";
  if (absl::StartsWith(content_type, "application/pdf")) ext = "pdf";
  return absl::StrCat(absl::AsciiStrToLower(method->name()), ".", ext);
}

// The API reference: Swagger UI over the generated document.
constexpr char kDocsPage[] = R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>SLA platform API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body>
<div id="ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui", deepLinking: true, operationsSorter: "alpha" });</script>
</body>
</html>
)";

Response JsonResponse(int status, std::string body, unsigned version, bool keep_alive) {
  Response res{static_cast<http::status>(status), version};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

Response ErrorResponse(grpc::StatusCode code, absl::string_view message, unsigned version,
                       bool keep_alive, absl::string_view details = "") {
  return JsonResponse(HttpStatusFor(code), ErrorJson(code, message, details), version, keep_alive);
}

std::string Header(const Request& req, http::field f) {
  auto it = req.find(f);
  return it == req.end() ? "" : std::string(it->value());
}

std::string Header(const Request& req, absl::string_view name) {
  auto it = req.find(beast::string_view(name.data(), name.size()));
  return it == req.end() ? "" : std::string(it->value());
}

// What a bearer token says of its subject and expiry, read without verifying it: only to count
// streams per identity and to end a stream when its token expires. The services verify it.
struct PeekedClaims {
  std::string subject;
  std::optional<absl::Time> expires;
};

PeekedClaims PeekClaims(absl::string_view authorization) {
  PeekedClaims out;
  if (!absl::ConsumePrefix(&authorization, "Bearer ")) return out;
  // An API key: its id is the identity; it has no expiry to read here (a revoked key ends the
  // stream when the next poll is refused).
  if (std::optional<server::ApiKeySecret> key = server::ParseApiKeySecret(authorization)) {
    out.subject = absl::StrCat("apiKeys/", key->key_id);
    return out;
  }
  const size_t dot1 = authorization.find('.');
  const size_t dot2 = dot1 == absl::string_view::npos ? dot1 : authorization.find('.', dot1 + 1);
  if (dot2 == absl::string_view::npos) return out;
  std::string payload;
  if (!absl::WebSafeBase64Unescape(authorization.substr(dot1 + 1, dot2 - dot1 - 1), &payload))
    return out;
  google::protobuf::Struct claims;
  google::protobuf::util::JsonParseOptions lenient;
  if (!google::protobuf::util::JsonStringToMessage(payload, &claims, lenient).ok()) return out;
  const auto& fields = claims.fields();
  if (auto it = fields.find("sub"); it != fields.end()) out.subject = it->second.string_value();
  if (auto it = fields.find("tenant"); it != fields.end() && !it->second.string_value().empty()) {
    out.subject = absl::StrCat(it->second.string_value(), "/", out.subject);
  }
  if (auto it = fields.find("exp");
      it != fields.end() && it->second.kind_case() == google::protobuf::Value::kNumberValue) {
    out.expires = absl::FromUnixSeconds(static_cast<int64_t>(it->second.number_value()));
  }
  return out;
}

}  // namespace

struct HttpGateway::Impl {
  RouteTable routes;
  GatewayOptions options;
  asio::io_context io{1};
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  // One generic stub per upstream service, keyed by its full name.
  std::map<std::string, std::unique_ptr<grpc::GenericStub>> stubs;
  std::atomic<bool> stopping{false};
  std::atomic<int> calls_in_flight{0};  // Stop waits for them, up to the call timeout

  // Open event streams, in all and per identity.
  absl::Mutex streams_mu;
  int streams_total ABSL_GUARDED_BY(streams_mu) = 0;
  std::map<std::string, int> streams_by_identity ABSL_GUARDED_BY(streams_mu);

  bool AcquireStream(const std::string& identity) {
    absl::MutexLock lock(&streams_mu);
    int& mine = streams_by_identity[identity];
    if (streams_total >= options.max_streams || mine >= options.max_streams_per_identity) {
      if (mine == 0) streams_by_identity.erase(identity);
      return false;
    }
    ++mine;
    ++streams_total;
    return true;
  }
  void ReleaseStream(const std::string& identity) {
    absl::MutexLock lock(&streams_mu);
    --streams_total;
    if (--streams_by_identity[identity] <= 0) streams_by_identity.erase(identity);
  }

  const std::string openapi;  // GET /openapi.json
  LinkSealer sealer{options.link_key};
  std::map<std::string, std::pair<std::string, std::string>>
      docs;  // /docs/<file> → (content type, bytes)

  Impl(RouteTable r, GatewayOptions o)
      : routes(std::move(r)), options(std::move(o)), openapi(OpenApiJson(routes)) {}

  // The Access-Control-Allow-Origin value for `origin`, empty if it may not call.
  std::string AllowedOrigin(const std::string& origin) const {
    if (origin.empty()) return "";
    for (const std::string& o : options.cors_origins) {
      if (o == "*" || o == origin) return origin;
    }
    return "";
  }

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpGateway::Impl* gw) : stream_(std::move(socket)), gw_(gw) {}

  void Run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(gw_->options.max_body_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    stream_.expires_after(
        std::chrono::milliseconds(absl::ToInt64Milliseconds(gw_->options.read_timeout)));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      return Send(
          ErrorResponse(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("request body over ", gw_->options.max_body_bytes, " bytes"),
                        11, false),
          "");
    }
    if (ec == http::error::header_limit) {
      return Send(ErrorResponse(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                absl::StrCat("request headers over ", kMaxHeaderBytes, " bytes"),
                                11, false),
                  "");
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec) {
      // The peer closed, went idle past the read timeout, or sent something that is not HTTP.
      if (ec && ec != http::error::end_of_stream && ec != beast::error::timeout &&
          ec != asio::error::connection_reset && ec != asio::error::operation_aborted) {
        Send(ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT,
                           absl::StrCat("malformed HTTP request: ", ec.message()), 11, false),
             "");
        return;
      }
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    started_ = absl::Now();
    req_ = parser_->release();
    Handle();
  }

  void Handle() {
    const unsigned version = req_.version();
    const bool keep_alive = req_.keep_alive();
    origin_ = gw_->AllowedOrigin(Header(req_, http::field::origin));
    std::string target(req_.target());
    const size_t q = target.find('?');
    const std::string path = target.substr(0, q);
    const std::string query = SystemParameters(q == std::string::npos ? "" : target.substr(q + 1));
    const std::string method(req_.method_string());
    if (method == "GET" && absl::StartsWith(path, kDownloads) && !following_link_)
      return FollowLink(path);

    if (ServeOwn(method, path, version, keep_alive)) return;
    RouteTable::Found found = gw_->routes.Find(method, path);
    if (found.route == nullptr) {
      if (found.path_known) {
        Response res =
            ErrorResponse(grpc::StatusCode::UNIMPLEMENTED,
                          absl::StrCat(method, " is not served on ", path), version, keep_alive);
        res.result(http::status::method_not_allowed);
        return Send(std::move(res), path);
      }
      Response res =
          ErrorResponse(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no route for ", method, " ", path), version, keep_alive);
      return Send(std::move(res), path);
    }
    Dispatch(found, path, query, version, keep_alive);
  }

  // Takes Google's system parameters out of `query`: `alt=media` asks for a document's bytes
  // as a file rather than its JSON (sets media_), `alt=json` is the default.
  std::string SystemParameters(const std::string& query) {
    media_ = false;
    std::vector<std::string> kept;
    for (absl::string_view p : absl::StrSplit(query, '&', absl::SkipEmpty())) {
      if (p == "alt=media") {
        media_ = true;
      } else if (p != "alt=json") {
        kept.emplace_back(p);
      }
    }
    return absl::StrJoin(kept, "&");
  }

  // What the gateway answers itself (CORS preflight, health, API docs); false for the rest.
  bool ServeOwn(const std::string& method, const std::string& path, unsigned version,
                bool keep_alive) {
    if (method == "OPTIONS" && !Header(req_, http::field::access_control_request_method).empty()) {
      if (origin_.empty()) {
        Send(ErrorResponse(grpc::StatusCode::PERMISSION_DENIED, "origin not allowed", version,
                           keep_alive),
             path);
        return true;
      }
      Response res{http::status::no_content, version};
      res.set(http::field::access_control_allow_methods, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
      res.set(http::field::access_control_allow_headers, kAllowedRequestHeaders);
      res.set(http::field::access_control_max_age, "600");
      res.keep_alive(keep_alive);
      res.prepare_payload();
      Send(std::move(res), path);
      return true;
    }
    if (path == "/healthz" && method == "GET") {
      Send(JsonResponse(200, R"({"status":"SERVING"})", version, keep_alive), path);
      return true;
    }
    if (method == "GET" && !gw_->docs.empty() && (path == "/docs" || path == "/docs/")) {
      Response res{http::status::ok, version};
      res.set(http::field::content_type, "text/html; charset=utf-8");
      res.body() = kDocsPage;
      res.keep_alive(keep_alive);
      res.prepare_payload();
      Send(std::move(res), path);
      return true;
    }
    if (auto doc = gw_->docs.find(path); method == "GET" && doc != gw_->docs.end()) {
      Response res{http::status::ok, version};
      res.set(http::field::content_type, doc->second.first);
      res.set(http::field::cache_control, "public, max-age=3600");
      res.body() = doc->second.second;
      res.keep_alive(keep_alive);
      res.prepare_payload();
      Send(std::move(res), path);
      return true;
    }
    if (path == "/openapi.json" && method == "GET") {
      Response res = JsonResponse(200, gw_->openapi, version, keep_alive);
      res.set(http::field::cache_control, "public, max-age=300");
      Send(std::move(res), path);
      return true;
    }
    return false;
  }

  // A routed call: its request built from the path, query and body, sent to its upstream.
  void Dispatch(const RouteTable::Found& found, const std::string& path, const std::string& query,
                unsigned version, bool keep_alive) {
    const Route& route = *found.route;
    const std::string content_type = absl::AsciiStrToLower(Header(req_, http::field::content_type));
    if (!req_.body().empty() && !absl::StartsWith(content_type, "application/json")) {
      Response res = ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT,
                                   "the body must be JSON (Content-Type: application/json)",
                                   version, keep_alive);
      res.result(http::status::unsupported_media_type);
      return Send(std::move(res), path);
    }
    HttpInput in;
    in.query = query;
    in.body = req_.body();
    in.idempotency_key = Header(req_, "idempotency-key");
    in.if_match = Header(req_, http::field::if_match);
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> request = BuildRequest(found, in);
    if (!request.ok()) {
      return Send(ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT, request.status().message(),
                                version, keep_alive, BadRequestDetails(request.status().message())),
                  path);
    }
    if (route.method->service()->full_name() == "sla.gateway.v1.GatewayService") {
      return SignDownload(static_cast<const gateway::v1::SignDownloadRequest&>(**request), path);
    }
    std::string upstream = route.method->service()->full_name();
    if (const auto* stream = route.method->input_type()->FindFieldByName("stream");
        upstream == "sla.v1.EventService" && stream != nullptr) {
      // One service on every producer: the stream names which.
      absl::StrAppend(&upstream, "/", (*request)->GetReflection()->GetString(**request, stream));
      if (gw_->stubs.find(upstream) == gw_->stubs.end()) {
        return Send(
            ErrorResponse(
                grpc::StatusCode::NOT_FOUND,
                "no such event stream; the streams are ticket-svc, billing-svc and reporting-svc",
                version, keep_alive),
            path);
      }
    }
    auto stub = gw_->stubs.find(upstream);
    if (stub == gw_->stubs.end()) {
      return Send(
          ErrorResponse(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("no upstream for ", route.method->service()->full_name()),
                        version, keep_alive),
          path);
    }
    if (route.method->server_streaming()) return Stream(*stub->second, route, **request, path);
    Call(*stub->second, route, **request, path);
  }

 public:
  // --- Server-Sent Events (a server-streaming method) ---

  // Queues `text` as one chunk of the event stream; `then(written)` runs on the strand.
  void Enqueue(std::string text, std::function<void(bool)> then) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), text = std::move(text),
                                        then = std::move(then)]() mutable {
      self->queue_.push_back({std::move(text), std::move(then), false});
      self->Pump();
    });
  }
  // Queues the stream's last frame and its end; the connection closes after it.
  void EndStream(std::string last_frame) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), last_frame = std::move(last_frame)]() mutable {
                 if (!last_frame.empty())
                   self->queue_.push_back({std::move(last_frame), nullptr, false});
                 self->queue_.push_back({"", nullptr, true});
                 self->Pump();
               });
  }
  std::function<void()> on_broken_;  // a stream's writes failed: stop polling (on the strand)
  auto executor() { return stream_.get_executor(); }

 private:
  void Stream(grpc::GenericStub& stub, const Route& route, google::protobuf::Message& request,
              const std::string& path);

  struct Pending {
    std::string text;
    std::function<void(bool)> then;
    bool last = false;
  };

  void Pump() {
    if (writing_ || queue_.empty()) return;
    writing_ = true;
    auto item = std::make_shared<Pending>(std::move(queue_.front()));
    queue_.pop_front();
    stream_.expires_after(
        std::chrono::milliseconds(absl::ToInt64Milliseconds(gw_->options.read_timeout)));
    auto done = [self = shared_from_this(), item](beast::error_code ec, size_t) {
      self->writing_ = false;
      if (ec) self->broken_ = true;
      if (item->then) item->then(!ec);
      if (ec && self->on_broken_) self->on_broken_();
      if (item->last || ec) {
        self->heartbeat_.reset();
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        return;
      }
      self->Pump();
    };
    if (broken_) {
      asio::post(stream_.get_executor(), [done] { done(asio::error::broken_pipe, 0); });
    } else if (item->last) {
      asio::async_write(stream_, http::make_chunk_last(), done);
    } else {
      asio::async_write(stream_, http::make_chunk(asio::buffer(item->text)), done);
    }
  }

  void Heartbeat() {
    if (!heartbeat_) return;
    heartbeat_->expires_after(
        std::chrono::milliseconds(absl::ToInt64Milliseconds(gw_->options.heartbeat)));
    heartbeat_->async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || !self->heartbeat_) return;
      if (!self->writing_ && self->queue_.empty()) {
        self->queue_.push_back({": keep-alive\n\n", nullptr, false});
        self->Pump();
      }
      self->Heartbeat();
    });
  }

  std::deque<Pending> queue_;
  bool writing_ = false;
  bool broken_ = false;
  std::optional<asio::steady_timer> heartbeat_;

  // POST /v1/downloads:sign: a link that fetches one document with the caller's own token.
  void SignDownload(const gateway::v1::SignDownloadRequest& req, const std::string& path) {
    const unsigned version = req_.version();
    const bool keep_alive = req_.keep_alive();
    const std::string authorization = Header(req_, http::field::authorization);
    if (!absl::StartsWith(authorization, "Bearer ")) {
      return Send(ErrorResponse(grpc::StatusCode::UNAUTHENTICATED,
                                "missing bearer token (Authorization header)", version, keep_alive),
                  path);
    }
    auto bad = [&](const std::string& why) {
      const std::string message = absl::StrCat("field `path`: ", why);
      Send(ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT, message, version, keep_alive,
                         BadRequestDetails(absl::StrCat("path `path`: ", why))),
           path);
    };
    const size_t q = req.path().find('?');
    const std::string doc_path = req.path().substr(0, q);
    RouteTable::Found found = gw_->routes.Find("GET", doc_path);
    if (found.route == nullptr || absl::StartsWith(doc_path, kDownloads))
      return bad("no GET route serves it");
    const auto* out = found.route->method->output_type();
    if (out->FindFieldByName("content") == nullptr ||
        out->FindFieldByName("content_type") == nullptr) {
      return bad(absl::StrCat(found.route->method->name(), " answers no document"));
    }
    const int ttl = req.ttl_seconds() == 0 ? 300 : req.ttl_seconds();
    if (ttl < 1 || ttl > 3600) {
      return Send(ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT,
                                "field `ttl_seconds`: must be within 0..3600", version, keep_alive,
                                BadRequestDetails("path `ttl_seconds`: must be within 0..3600")),
                  path);
    }
    gateway::v1::SealedDownload sealed;
    sealed.set_path(req.path());
    const absl::Time expires = absl::Now() + absl::Seconds(ttl);
    sealed.set_expire_unix_seconds(absl::ToUnixSeconds(expires));
    sealed.set_authorization(authorization);
    gateway::v1::SignedDownload answer;
    answer.set_url(absl::StrCat(kDownloads, gw_->sealer.Seal(sealed.SerializeAsString())));
    answer.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(expires));
    Send(JsonResponse(200, ToJson(answer).value_or("{}"), version, keep_alive), path);
  }

  // GET /v1/downloads/<sealed>: the document the link names, fetched as its signer.
  void FollowLink(const std::string& path) {
    const unsigned version = req_.version();
    const bool keep_alive = req_.keep_alive();
    absl::StatusOr<std::string> opened = gw_->sealer.Open(path.substr(strlen(kDownloads)));
    gateway::v1::SealedDownload sealed;
    if (!opened.ok() || !sealed.ParseFromString(*opened)) {
      return Send(ErrorResponse(grpc::StatusCode::PERMISSION_DENIED,
                                "the download link is not valid", version, keep_alive),
                  path);
    }
    if (absl::FromUnixSeconds(sealed.expire_unix_seconds()) < absl::Now()) {
      return Send(
          ErrorResponse(grpc::StatusCode::PERMISSION_DENIED,
                        "the download link expired: ask for a new one", version, keep_alive),
          path);
    }
    following_link_ = true;
    req_.target(absl::StrCat(
        sealed.path(), sealed.path().find('?') == std::string::npos ? "?" : "&", "alt=media"));
    req_.set(http::field::authorization, sealed.authorization());
    Handle();
  }

  struct Upstream {
    grpc::ClientContext ctx;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
  };

  void Call(grpc::GenericStub& stub, const Route& route, const google::protobuf::Message& request,
            const std::string& path) {
    auto call = std::make_shared<Upstream>();
    // x-sla-want-position: read-your-writes (the answer carries x-sla-event-position).
    for (const char* name :
         {"authorization", "x-request-id", "traceparent", "x-sla-want-position"}) {
      std::string value = Header(req_, name);
      if (!value.empty()) call->ctx.AddMetadata(name, value);
    }
    call->ctx.set_deadline(
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(absl::ToInt64Milliseconds(gw_->options.call_timeout)));
    std::string bytes = request.SerializeAsString();
    grpc::Slice slice(std::move(bytes));
    call->request = grpc::ByteBuffer(&slice, 1);
    const unsigned version = req_.version();
    const bool keep_alive = req_.keep_alive();
    const google::protobuf::MethodDescriptor* method = route.method;
    const bool media = media_;
    ++gw_->calls_in_flight;
    stub.UnaryCall(&call->ctx, route.rpc_path, grpc::StubOptions(), &call->request, &call->response,
                   [self = shared_from_this(), call, method, version, keep_alive, path,
                    media](grpc::Status status) {
                     Response res = self->Answer(*call, method, status, version, keep_alive, media);
                     asio::post(self->stream_.get_executor(),
                                [self, path, res = std::move(res)]() mutable {
                                  self->Send(std::move(res), path);
                                  --self->gw_->calls_in_flight;
                                });
                   });
  }

  // The HTTP answer to a finished call (on gRPC's callback thread: no blocking here).
  static Response Answer(Upstream& call, const google::protobuf::MethodDescriptor* method,
                         const grpc::Status& status, unsigned version, bool keep_alive,
                         bool media) {
    Response res;
    if (!status.ok()) {
      res = ErrorResponse(status.error_code(), status.error_message(), version, keep_alive,
                          status.error_details());
    } else {
      std::unique_ptr<google::protobuf::Message> out(
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(method->output_type())
              ->New());
      std::vector<grpc::Slice> slices;
      std::string bytes;
      if (call.response.Dump(&slices).ok()) {
        for (const grpc::Slice& s : slices)
          bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
      absl::StatusOr<std::string> json;
      if (!out->ParseFromString(bytes)) {
        json = absl::InternalError("the service's answer does not parse");
      } else {
        json = ToJson(*out);
      }
      const auto* content = method->output_type()->FindFieldByName("content");
      const auto* content_type = method->output_type()->FindFieldByName("content_type");
      if (media && (content == nullptr || content_type == nullptr)) {
        res = ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat(method->name(), " answers no document: no alt=media"),
                            version, keep_alive);
      } else if (media) {
        // The document as a file, named from file_name or the resource.
        const auto* r = out->GetReflection();
        res = Response{http::status::ok, version};
        res.set(http::field::content_type, r->GetString(*out, content_type));
        res.set(http::field::cache_control, "private, no-store");
        const auto* file_name = method->output_type()->FindFieldByName("file_name");
        std::string name = file_name != nullptr ? r->GetString(*out, file_name) : "";
        if (name.empty()) name = DocumentName(method, r->GetString(*out, content_type));
        res.set(http::field::content_disposition,
                absl::StrCat("attachment; filename=\"", name, "\""));
        res.body() = r->GetString(*out, content);
        res.keep_alive(keep_alive);
        res.prepare_payload();
      } else if (!json.ok()) {
        res =
            ErrorResponse(grpc::StatusCode::INTERNAL, json.status().message(), version, keep_alive);
      } else {
        res = JsonResponse(200, *std::move(json), version, keep_alive);
        const google::protobuf::FieldDescriptor* etag =
            method->output_type()->FindFieldByName("etag");
        if (etag != nullptr && etag->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
            !etag->is_repeated()) {
          const std::string value = out->GetReflection()->GetString(*out, etag);
          if (!value.empty()) res.set(http::field::etag, absl::StrCat("\"", value, "\""));
        }
      }
    }
    const auto& initial = call.ctx.GetServerInitialMetadata();
    for (const char* name : {"x-request-id", "x-sla-event-position"}) {
      if (auto it = initial.find(name); it != initial.end()) {
        res.set(name, std::string(it->second.data(), it->second.size()));
      }
    }
    return res;
  }

  void Send(Response res, const std::string& path) {
    if (!origin_.empty()) {
      res.set(http::field::access_control_allow_origin, origin_);
      res.set(http::field::access_control_expose_headers, kExposedHeaders);
      res.set(http::field::vary, "Origin");
    }
    log::Info("http", {{"method", std::string(req_.method_string())},
                       {"path", path},
                       {"status", absl::StrCat(res.result_int())},
                       {"ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - started_))},
                       {"request_id", std::string(res["x-request-id"])}});
    auto shared = std::make_shared<Response>(std::move(res));
    stream_.expires_after(
        std::chrono::milliseconds(absl::ToInt64Milliseconds(gw_->options.read_timeout)));
    http::async_write(stream_, *shared,
                      [self = shared_from_this(), shared](beast::error_code ec, size_t) {
                        if (ec) return;
                        if (shared->need_eof() || self->gw_->stopping) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Request req_;
  std::string origin_;           // the allowed Origin of the request being served, or empty
  bool media_ = false;           // the request asked for the document itself (alt=media)
  bool following_link_ = false;  // the request came through a download link (no second hop)
  absl::Time started_;
  HttpGateway::Impl* gw_;
};

// One event stream: the service's ListEvents polled with the caller's own token, each event
// written as an SSE frame before the next poll, so a slow browser slows its own stream only.
// Polling, not the service's WatchEvents, because the earlier envelope's WatchEvents holds one
// of the service's sync threads for as long as it is open (fifty browsers would take fifty of
// them), and because a poll keeps the gateway's own backpressure simple.
class EventPoller : public std::enable_shared_from_this<EventPoller> {
 public:
  struct Setup {
    grpc::GenericStub* stub;
    const google::protobuf::MethodDescriptor* list;  // the service's ListEvents
    std::vector<std::pair<std::string, std::string>> metadata;
    std::string identity;
    int64_t after = 0;
    std::string stream;  // the typed streams' `stream`, passed on to each ListEvents
    absl::Time ends;
    bool ends_with_token = false;
  };

  EventPoller(std::shared_ptr<Session> session, HttpGateway::Impl* gw, Setup setup)
      : session_(std::move(session)),
        gw_(gw),
        setup_(std::move(setup)),
        timer_(session_->executor()) {}
  ~EventPoller() { gw_->ReleaseStream(setup_.identity); }

  void Stop() { stopped_ = true; }

  // Polls now; then again after each batch is written (at once if the page was full).
  void Poll() {
    if (stopped_) return;
    if (absl::Now() >= setup_.ends) {
      return End(grpc::Status(
          grpc::StatusCode::DEADLINE_EXCEEDED,
          setup_.ends_with_token
              ? "the token expired: reconnect with a new one and Last-Event-ID to resume"
              : "the stream reached --max_stream_s: reconnect with Last-Event-ID to resume"));
    }
    struct Call {
      grpc::ClientContext ctx;
      grpc::ByteBuffer request, response;
    };
    auto call = std::make_shared<Call>();
    for (const auto& [k, v] : setup_.metadata) call->ctx.AddMetadata(k, v);
    call->ctx.set_deadline(
        absl::ToChronoTime(std::min(absl::Now() + gw_->options.call_timeout, setup_.ends)));
    std::unique_ptr<google::protobuf::Message> req(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(setup_.list->input_type())
            ->New());
    const auto* r = req->GetReflection();
    r->SetInt64(req.get(), setup_.list->input_type()->FindFieldByName("after"), setup_.after);
    r->SetInt32(req.get(), setup_.list->input_type()->FindFieldByName("page_size"), kPage);
    if (const auto* stream = setup_.list->input_type()->FindFieldByName("stream");
        stream != nullptr) {
      r->SetString(req.get(), stream, setup_.stream);
    }
    grpc::Slice slice(req->SerializeAsString());
    call->request = grpc::ByteBuffer(&slice, 1);
    const std::string path =
        absl::StrCat("/", setup_.list->service()->full_name(), "/", setup_.list->name());
    setup_.stub->UnaryCall(&call->ctx, path, grpc::StubOptions(), &call->request, &call->response,
                           [self = shared_from_this(), call](grpc::Status status) {
                             asio::post(self->session_->executor(), [self, call, status] {
                               self->OnPage(status, call->response);
                             });
                           });
  }

 private:
  static constexpr int kPage = 100;

  void OnPage(const grpc::Status& status, grpc::ByteBuffer& bytes) {
    if (stopped_) return;
    if (!status.ok()) {
      // Past the stream's end, the call's deadline is the stream's, not a failure.
      if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && absl::Now() >= setup_.ends)
        return Poll();
      return End(status);
    }
    std::unique_ptr<google::protobuf::Message> page(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(setup_.list->output_type())
            ->New());
    std::vector<grpc::Slice> slices;
    std::string raw;
    if (bytes.Dump(&slices).ok()) {
      for (const grpc::Slice& sl : slices)
        raw.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    }
    if (!page->ParseFromString(raw))
      return End(grpc::Status(grpc::StatusCode::INTERNAL, "events do not parse"));
    const auto* events_field = setup_.list->output_type()->FindFieldByName("events");
    const auto* reflection = page->GetReflection();
    const int n = events_field == nullptr ? 0 : reflection->FieldSize(*page, events_field);
    std::string frames;
    for (int i = 0; i < n; ++i) {
      const google::protobuf::Message& event =
          reflection->GetRepeatedMessage(*page, events_field, i);
      const auto* er = event.GetReflection();
      const auto* seq = event.GetDescriptor()->FindFieldByName("sequence");
      const auto* type = event.GetDescriptor()->FindFieldByName("type");
      absl::StatusOr<std::string> json = ToJson(event);
      if (!json.ok())
        return End(grpc::Status(grpc::StatusCode::INTERNAL, std::string(json.status().message())));
      if (seq != nullptr) {
        setup_.after = std::max(setup_.after, er->GetInt64(event, seq));
        absl::StrAppend(&frames, "id: ", er->GetInt64(event, seq), "\n");
      }
      if (type != nullptr) absl::StrAppend(&frames, "event: ", er->GetString(event, type), "\n");
      absl::StrAppend(&frames, "data: ", *json, "\n\n");
    }
    const bool full = n >= kPage;
    if (frames.empty()) return Wait();
    session_->Enqueue(std::move(frames), [self = shared_from_this(), full](bool written) {
      if (!written) return self->Stop();
      if (full) return self->Poll();
      self->Wait();
    });
  }

  void Wait() {
    timer_.expires_after(
        std::chrono::milliseconds(absl::ToInt64Milliseconds(gw_->options.stream_poll)));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Poll();
    });
  }

  void End(const grpc::Status& status) {
    stopped_ = true;
    session_->EndStream(absl::StrCat(
        "event: error\ndata: ",
        ErrorJson(status.error_code(), status.error_message(), status.error_details()), "\n\n"));
  }

  std::shared_ptr<Session> session_;
  HttpGateway::Impl* gw_;
  Setup setup_;
  asio::steady_timer timer_;
  bool stopped_ = false;  // on the session's strand only
};

void Session::Stream(grpc::GenericStub& stub, const Route& route,
                     google::protobuf::Message& request, const std::string& path) {
  const unsigned version = req_.version();
  const auto* list = route.method->service()->FindMethodByName("ListEvents");
  const auto* after = route.method->input_type()->FindFieldByName("after");
  if (list == nullptr || after == nullptr ||
      after->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT64 ||
      list->input_type()->FindFieldByName("after") == nullptr ||
      list->input_type()->FindFieldByName("page_size") == nullptr) {
    return Send(ErrorResponse(grpc::StatusCode::UNIMPLEMENTED,
                              absl::StrCat(route.method->full_name(),
                                           " has no event feed to stream over HTTP"),
                              version, false),
                path);
  }
  const std::string authorization = Header(req_, http::field::authorization);
  const PeekedClaims claims = PeekClaims(authorization);
  EventPoller::Setup setup;
  setup.stub = &stub;
  setup.list = list;
  setup.identity = claims.subject.empty() ? "(no subject)" : claims.subject;
  if (!gw_->AcquireStream(setup.identity)) {
    return Send(ErrorResponse(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              absl::StrCat("too many open event streams (at most ",
                                           gw_->options.max_streams_per_identity, " per identity, ",
                                           gw_->options.max_streams, " in all)"),
                              version, false),
                path);
  }
  if (const auto* stream = route.method->input_type()->FindFieldByName("stream");
      stream != nullptr) {
    setup.stream = request.GetReflection()->GetString(request, stream);
  }
  // Last-Event-ID resumes after the last event the browser saw, unless the query says where.
  setup.after = request.GetReflection()->GetInt64(request, after);
  int64_t resume = 0;
  if (setup.after == 0 && absl::SimpleAtoi(Header(req_, "last-event-id"), &resume))
    setup.after = resume;
  setup.ends = absl::Now() + gw_->options.max_stream_duration;
  setup.ends_with_token = claims.expires.has_value() && *claims.expires < setup.ends;
  if (setup.ends_with_token) setup.ends = *claims.expires;
  for (const char* name : {"authorization", "x-request-id", "traceparent"}) {
    std::string value = Header(req_, name);
    if (!value.empty()) setup.metadata.emplace_back(name, std::move(value));
  }
  auto poller = std::make_shared<EventPoller>(shared_from_this(), gw_, std::move(setup));
  on_broken_ = [weak = std::weak_ptr<EventPoller>(poller)] {
    if (auto p = weak.lock()) p->Stop();
  };

  auto res = std::make_shared<http::response<http::empty_body>>(http::status::ok, version);
  res->set(http::field::content_type, "text/event-stream; charset=utf-8");
  res->set(http::field::cache_control, "no-store");
  res->set("x-accel-buffering", "no");  // nginx-style proxies must not hold events back
  if (!origin_.empty()) {
    res->set(http::field::access_control_allow_origin, origin_);
    res->set(http::field::vary, "Origin");
  }
  res->keep_alive(false);
  res->chunked(true);
  auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*res);
  writing_ = true;
  log::Info("http stream", {{"path", path}, {"identity", claims.subject}});
  http::async_write_header(
      stream_, *serializer,
      [self = shared_from_this(), res, serializer, poller](beast::error_code ec, size_t) {
        self->writing_ = false;
        if (ec) {
          self->broken_ = true;
          poller->Stop();
          return;
        }
        self->heartbeat_.emplace(self->stream_.get_executor());
        self->Heartbeat();
        poller->Poll();
        self->Pump();
      });
}

}  // namespace

void HttpGateway::Impl::Accept() {
  acceptor->async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (!ec) std::make_shared<Session>(std::move(socket), this)->Run();
    Accept();
  });
}

HttpGateway::HttpGateway(RouteTable routes, GatewayOptions options)
    : impl_(std::make_unique<Impl>(std::move(routes), std::move(options))) {}

HttpGateway::~HttpGateway() { Stop(); }

absl::StatusOr<int> HttpGateway::Start() {
  Impl& g = *impl_;
  auto creds = g.options.upstream_credentials ? g.options.upstream_credentials
                                              : grpc::InsecureChannelCredentials();
  for (const auto& [service, address] : g.options.upstreams) {
    g.stubs[service] = std::make_unique<grpc::GenericStub>(grpc::CreateChannel(address, creds));
  }
  if (!g.options.docs_dir.empty()) {
    for (const auto& [file, type] : {std::pair<std::string, std::string>{
                                         "swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
                                     {"swagger-ui.css", "text/css; charset=utf-8"}}) {
      std::ifstream in(absl::StrCat(g.options.docs_dir, "/", file), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      if (!in || bytes.str().empty()) {
        return absl::NotFoundError(
            absl::StrCat("--docs_dir: no ", file, " in ", g.options.docs_dir));
      }
      g.docs[absl::StrCat("/docs/", file)] = {type, bytes.str()};
    }
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(g.options.host, ec);
  if (ec)
    return absl::InvalidArgumentError(absl::StrCat("--host: not an IP address: ", g.options.host));
  g.acceptor.emplace(g.io);
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(g.options.port));
  g.acceptor->open(endpoint.protocol(), ec);
  if (!ec) g.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) g.acceptor->bind(endpoint, ec);
  if (!ec) g.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", g.options.host, ":", g.options.port, ": ", ec.message()));
  }
  const int port = g.acceptor->local_endpoint().port();
  g.Accept();
  for (int i = 0; i < std::max(1, g.options.threads); ++i)
    g.threads.emplace_back([&g] { g.io.run(); });
  return port;
}

void HttpGateway::Stop() {
  Impl& g = *impl_;
  if (g.stopping.exchange(true)) return;
  asio::post(g.io, [&g] {
    beast::error_code ignored;
    if (g.acceptor) g.acceptor->close(ignored);
  });
  // Calls in flight get their answers, within the call timeout; then the loop stops.
  const absl::Time deadline = absl::Now() + g.options.call_timeout;
  while (g.calls_in_flight > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  absl::SleepFor(absl::Milliseconds(50));  // the last answers' writes
  g.io.stop();
  for (std::thread& t : g.threads) t.join();
  g.threads.clear();
}

}  // namespace sla::gateway
