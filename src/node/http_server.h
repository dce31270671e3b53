// phatd's HTTP/1.1 server (internal to src/node): Boost.Beast on an Asio event loop.
//
// Why event loops: a server with a blocking thread per kept-alive connection (cpp-httplib,
// which phatd used first) pays two thread switches per request, and on 2 cores that capped phatd
// near 16,000 queries/s with most of its CPU in the kernel (docs/PERFORMANCE.md). Here each loop
// thread has its own connections (given out in turn as they are accepted) and takes whichever of
// them are ready, runs the handler and writes the answer, with no other thread involved.
//
// Handlers therefore run on a loop thread and must not wait: while one runs, the other
// connections of its loop wait. One that has to wait (for a receipt,
// for a query's turn) hands that part to the server's blocking pool with Response::Defer, and the
// answer goes out when it is done; one that streams (NDJSON follow) uses Response::Stream and
// writes from a blocking-pool thread for as long as the client stays.
//
// Thread safety: routes and hooks are set before Start; Start and Stop from one thread. Handlers
// run concurrently on the loop threads and the pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "phat/base/expected.h"

namespace phat::node::http {

namespace detail {
class Connection;
}

struct Request {
  std::string method;  // "GET", "POST", …
  std::string path;    // the target without its query string
  // The last path segment when the route ends in "{}" (e.g. the hash in /receipts/0x…).
  std::string path_param;
  std::vector<std::pair<std::string, std::string>> query;  // percent-decoded, in order
  std::string body;

  bool HasParam(std::string_view name) const { return Param(name) != nullptr; }
  // The first value of a query parameter, or null.
  const std::string* Param(std::string_view name) const;
};

class Response {
 public:
  int status = 200;
  std::string content_type = "application/json";
  std::string body;

  // The rest of the answer needs a wait: `work` runs on the blocking pool and fills in this
  // response (it may call Defer no further, but may Stream). The request stays valid until the
  // answer is sent, so `work` may refer to it.
  void Defer(std::function<void(Response&)> work) { deferred_ = std::move(work); }
  // Answers 200 with a chunked body of `content_type` written from a blocking-pool thread:
  // `next` is called again and again; each call puts what to send now into its argument (empty:
  // nothing yet) and returns false to end the answer. `done` runs once at the end, however it
  // ends (the client left, `next` ended, the server stops).
  void Stream(std::string content_type, std::function<bool(std::string&)> next,
              std::function<void()> done);

 private:
  friend class detail::Connection;
  std::function<void(Response&)> deferred_;
  std::function<bool(std::string&)> stream_next_;
  std::function<void()> stream_done_;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  size_t max_body_bytes = 4 << 20;
  size_t keep_alive_requests = 100'000;  // then the connection is closed
  // Loop threads: each runs I/O and handlers for its connections (one per core is right).
  // Blocking threads: deferred work and streams; more deferred requests than max_deferred
  // waiting get 503.
  size_t loop_threads = 2;
  size_t blocking_threads = 64;
  size_t max_deferred = 1024;
  // A connection silent this long (no request, or a request that stops half way) is closed.
  std::chrono::seconds idle_timeout{60};
  // A client that does not take an answer or a stream's data for this long is dropped.
  std::chrono::seconds write_timeout{30};
};

class Server {
 public:
  using Handler = std::function<void(const Request&, Response&)>;

  Server();
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // A route: an exact path, or a prefix ending in "/{}" that matches one more segment.
  void Get(std::string pattern, Handler handler);
  void Post(std::string pattern, Handler handler);
  // Runs before routing; returning true means it answered (e.g. 503 while stopping).
  void SetGate(std::function<bool(const Request&, Response&)> gate);
  // Runs after each answer is decided (metrics). Not called for streamed answers' chunks.
  void SetObserver(std::function<void(const Request&, const Response&)> observer);
  // Errors the server finds itself (no route, body too large, an exception in a handler): the
  // status and a message; the hook shapes the response.
  void SetErrorWriter(std::function<void(Response&, int status, const std::string& message)>);

  // Binds, listens (deep backlog, SO_REUSEADDR without SO_REUSEPORT: a second server on a port
  // in use fails) and starts the threads. Returns the port.
  Expected<int, std::string> Start(const ServerOptions& options);
  // Stops accepting, drops connections, waits for deferred work and streams to end.
  void Stop();

  struct Impl;  // shared with the connections (http_server.cc)

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace phat::node::http
