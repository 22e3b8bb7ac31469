// The REST/JSON gateway's HTTP side: an asynchronous HTTP/1.1 server (Boost.Beast on Asio) that
// transcodes each request (transcoder.h) into a unary gRPC call on the service that owns the
// method, through gRPC's generic callback stub. No thread waits on a connection or a call: idle
// keep-alive connections and slow clients cost a socket and a buffer, not a thread, and a
// request that has not fully arrived within --read_timeout_s is dropped (slowloris).
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/transcoder.h"

namespace sla::gateway {

struct GatewayOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  // Where each service's methods go: fully qualified service name → host:port. A service
  // served by several (sla.v1.EventService) is keyed "<service>/<stream>" and routed by the
  // request's `stream` field.
  std::map<std::string, std::string> upstreams;
  std::shared_ptr<grpc::ChannelCredentials> upstream_credentials;  // null: plaintext
  // Origins a browser page may call from ("*": any); empty: no cross-origin calls.
  std::vector<std::string> cors_origins;
  size_t max_body_bytes = 128 << 10;  // the services' default receive limit
  absl::Duration call_timeout = absl::Seconds(30);
  absl::Duration read_timeout =
      absl::Seconds(30);  // a whole request, from its first byte or idleness
  int threads = 2;
  // Swagger UI's files (swagger-ui-bundle.js, swagger-ui.css), for the API reference at /docs;
  // empty: no /docs.
  std::string docs_dir;
  // Seals download links (POST /v1/downloads:sign); replicas behind one address share it.
  std::string link_key;
  // Server-streaming methods (WatchEvents) as Server-Sent Events, by polling the service's
  // ListEvents: open streams in all and per identity (the token's subject); a stream ends when its
  // token expires, or after max_stream_duration.
  int max_streams = 1000;
  int max_streams_per_identity = 8;
  absl::Duration max_stream_duration = absl::Hours(1);
  absl::Duration heartbeat =
      absl::Seconds(15);  // an SSE comment on idle streams, so dead peers are found
  absl::Duration stream_poll =
      absl::Milliseconds(500);  // how often a stream asks its feed for new events
};

class HttpGateway {
 public:
  HttpGateway(RouteTable routes, GatewayOptions options);
  ~HttpGateway();
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  // Binds and starts serving; the port it listens on.
  absl::StatusOr<int> Start();
  // Stops accepting, closes connections, waits for the threads.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sla::gateway
