#include "http_server.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

namespace phat::node::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

const std::string* Request::Param(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name) return &value;
  return nullptr;
}

void Response::Stream(std::string type, std::function<bool(std::string&)> next,
                      std::function<void()> done) {
  status = 200;
  content_type = std::move(type);
  stream_next_ = std::move(next);
  stream_done_ = std::move(done);
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Form decoding of one query-string component ('+' is a space, %XY a byte; a stray '%' stays as
// it is). Written here because Boost 1.74 has no URL library and the rule is four lines.
std::string DecodeComponent(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
               HexDigit(text[i + 2]) >= 0) {
      out += char(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos)
      out.emplace_back(DecodeComponent(pair), "");
    else
      out.emplace_back(DecodeComponent(pair.substr(0, eq)), DecodeComponent(pair.substr(eq + 1)));
  }
  return out;
}

struct Route {
  std::string method;
  std::string prefix;  // the whole path, or what comes before the parameter segment
  bool has_param = false;
  Server::Handler handler;
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::vector<Route> routes;
  std::function<bool(const Request&, Response&)> gate;
  std::function<void(const Request&, const Response&)> observer;
  std::function<void(Response&, int, const std::string&)> error_writer;

  // One event loop per thread, each with its own connections: no locks or wake-ups between
  // threads on the way of a request. loops[0] also accepts and sweeps.
  struct Loop {
    net::io_context ioc{1};
    net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(ioc);
    std::thread thread;
  };
  std::vector<std::unique_ptr<Loop>> loops;
  size_t next_loop = 0;  // where the next connection goes (round robin; the acceptor's loop only)
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::optional<net::thread_pool> pool;
  std::atomic<size_t> deferred{0};
  std::atomic<bool> stopping{false};

  // The open connections, for the sweeper that closes those past their deadline.
  using Registry = std::list<std::weak_ptr<detail::Connection>>;
  std::mutex registry_mu;
  Registry registry;
  std::optional<net::steady_timer> sweep_timer;

  Registry::iterator Register(std::weak_ptr<detail::Connection> connection) {
    std::lock_guard lock(registry_mu);
    registry.push_front(std::move(connection));
    return registry.begin();
  }
  void Unregister(Registry::iterator it) {
    std::lock_guard lock(registry_mu);
    registry.erase(it);
  }
  void Sweep();

  void AddRoute(std::string method, std::string pattern, Handler handler) {
    Route r{std::move(method), std::move(pattern), false, std::move(handler)};
    if (r.prefix.ends_with("/{}")) {
      r.prefix.resize(r.prefix.size() - 2);  // keeps the slash
      r.has_param = true;
    }
    routes.push_back(std::move(r));
  }

  void WriteError(Response& res, int status, const std::string& message) {
    res.status = status;
    if (error_writer) return error_writer(res, status, message);
    res.content_type = "text/plain";
    res.body = message + "\n";
  }

  // Runs a handler's step; an exception it throws becomes a 500 answer.
  template <typename Step>
  void Guarded(Response& res, Step&& step) {
    try {
      step();
    } catch (const std::exception& e) {
      res = Response();
      WriteError(res, 500, std::string("internal error: ") + e.what());
    }
  }

  // Routes `req` and runs its handler (filling req.path_param).
  void Handle(Request& req, Response& res) {
    Guarded(res, [&] {
      if (gate && gate(req, res)) return;
      for (const Route& route : routes) {
        if (route.method != req.method) continue;
        if (!route.has_param) {
          if (req.path != route.prefix) continue;
        } else {
          if (!req.path.starts_with(route.prefix) || req.path.size() == route.prefix.size() ||
              req.path.find('/', route.prefix.size()) != std::string::npos)
            continue;
          req.path_param = req.path.substr(route.prefix.size());
        }
        return route.handler(req, res);
      }
      WriteError(res, 404, fmt::format("no endpoint {} {}", req.method, req.path));
    });
  }

  void Accept();
};

namespace detail {

// One client connection: read a request, answer it, again while the client keeps it alive. Its
// asynchronous steps run one after another on the connection's loop; deferred work and
// streams hop to the blocking pool and back. While it waits for the client (to send a request,
// to take an answer) it has a deadline, and the server's sweeper closes it once that passes.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)) {}
  ~Connection() {
    if (response_.stream_done_) response_.stream_done_();
    server_.Unregister(registered_);
  }

  void Start() {
    registered_ = server_.Register(weak_from_this());
    ReadHeader();
  }

  Clock::time_point deadline() const {
    return Clock::time_point(Clock::duration(deadline_.load(std::memory_order_relaxed)));
  }
  // From the sweeper: ends the connection on its own loop (its pending operations fail).
  void Expire() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->socket_.close(ignored);
    });
  }

 private:
  // The header first, so that a client that sent "Expect: 100-continue" (curl does for bodies
  // over 1 KiB) is told to go on instead of waiting a second for it.
  void ReadHeader() {
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    SetDeadline(server_.options.idle_timeout);
    bhttp::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnRequest(ec);
    if (parser_->is_done()) return OnRequest({});
    if (beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) {
      continue_.emplace(bhttp::status::continue_, parser_->get().version());
      return bhttp::async_write(socket_, *continue_,
                                [self = shared_from_this()](beast::error_code ec, size_t) {
                                  if (!ec) self->ReadBody();
                                });
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void SetDeadline(Clock::duration from_now) {
    deadline_.store((Clock::now() + from_now).time_since_epoch().count(),
                    std::memory_order_relaxed);
  }
  void ClearDeadline() {
    deadline_.store(Clock::time_point::max().time_since_epoch().count(), std::memory_order_relaxed);
  }

  void OnRequest(beast::error_code ec) {
    ClearDeadline();  // a handler or deferred work may take its time
    if (ec == bhttp::error::body_limit) {
      version_ = parser_->get().version();
      request_.method = std::string(parser_->get().method_string());
      request_.path = std::string(parser_->get().target());
      keep_alive_ = false;
      response_ = Response();
      server_.WriteError(response_, 413,
                         fmt::format("the request body is larger than the limit of {} bytes",
                                     server_.options.max_body_bytes));
      return Answer();
    }
    if (ec) return;  // the client left, timed out or sent what is not HTTP: drop the connection
    auto message = parser_->release();
    version_ = message.version();
    keep_alive_ = message.keep_alive() && ++served_ < server_.options.keep_alive_requests;
    request_.method = std::string(message.method_string());
    const std::string_view target(message.target().data(), message.target().size());
    const size_t question = target.find('?');
    request_.path = std::string(target.substr(0, question));
    request_.path_param.clear();
    request_.query = question == std::string_view::npos ? decltype(request_.query)()
                                                        : ParseQuery(target.substr(question + 1));
    request_.body = std::move(message.body());
    response_ = Response();
    server_.Handle(request_, response_);
    if (response_.deferred_) return Defer();
    Answer();
  }

  void Defer() {
    if (server_.deferred.fetch_add(1) >= server_.options.max_deferred) {
      server_.deferred.fetch_sub(1);
      response_ = Response();
      server_.WriteError(response_, 503, "the server has too many requests waiting; retry later");
      return Answer();
    }
    net::post(*server_.pool, [self = shared_from_this()] {
      auto work = std::move(self->response_.deferred_);
      self->response_.deferred_ = nullptr;
      self->server_.Guarded(self->response_, [&] { work(self->response_); });
      self->server_.deferred.fetch_sub(1);
      net::post(self->socket_.get_executor(), [self] { self->Answer(); });
    });
  }

  // Sends response_ (or starts its stream) and goes on with the next request.
  void Answer() {
    if (server_.observer) server_.observer(request_, response_);
    if (response_.stream_next_) return StartStream();
    SetDeadline(server_.options.write_timeout);
    answer_.emplace(bhttp::status(response_.status), version_);
    answer_->set(bhttp::field::content_type, response_.content_type);
    answer_->body() = std::move(response_.body);
    answer_->keep_alive(keep_alive_);
    answer_->prepare_payload();
    bhttp::async_write(socket_, *answer_,
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return;
                         if (!self->keep_alive_) return self->Close();
                         self->ReadHeader();
                       });
  }

  // Ends the connection gently: after our last answer, what the client still sends (the rest of
  // a body refused as too large) is read and dropped for a while, because closing a socket with
  // unread data resets the connection, and the client may then never see the answer.
  void Close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    SetDeadline(kLingerTime);
    Drain();
  }

  void Drain() {
    drain_buffer_.resize(64 << 10);
    socket_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (!ec && self->drained_ < kMaxLingerBytes) self->Drain();
                            });
  }

  // ---- Streams: the header, then chunks as `next` produces them (on the pool), then the end.

  void StartStream() {
    stream_head_.emplace(bhttp::status::ok, version_);
    stream_head_->set(bhttp::field::content_type, response_.content_type);
    stream_head_->chunked(true);
    stream_head_->keep_alive(false);
    stream_serializer_.emplace(*stream_head_);
    SetDeadline(server_.options.write_timeout);
    bhttp::async_write_header(socket_, *stream_serializer_,
                              [self = shared_from_this()](beast::error_code ec, size_t) {
                                if (!ec) self->NextChunk();
                              });
  }

  // On the pool: waits for something to send (`next` waits a while itself), then writes it.
  void NextChunk() {
    net::post(*server_.pool, [self = shared_from_this()] {
      std::string chunk;
      bool more = true;
      while (more && chunk.empty() && !self->server_.stopping.load()) {
        try {
          more = self->response_.stream_next_(chunk);
        } catch (const std::exception&) {
          more = false;
        }
      }
      if (self->server_.stopping.load()) return;
      net::post(self->socket_.get_executor(), [self, chunk = std::move(chunk), more]() mutable {
        self->WriteChunk(std::move(chunk), more);
      });
    });
  }

  void WriteChunk(std::string chunk, bool more) {
    chunk_text_ = std::move(chunk);
    SetDeadline(server_.options.write_timeout);
    auto after = [self = shared_from_this(), more](beast::error_code ec, size_t) {
      if (ec) return;
      if (more) return self->NextChunk();
      self->EndStream();
    };
    if (chunk_text_.empty()) return after({}, 0);
    chunk_.emplace(bhttp::make_chunk(net::const_buffer(chunk_text_.data(), chunk_text_.size())));
    net::async_write(socket_, *chunk_, std::move(after));
  }

  void EndStream() {
    net::async_write(socket_, bhttp::make_chunk_last(),
                     [self = shared_from_this()](beast::error_code, size_t) { self->Close(); });
  }

  static constexpr auto kLingerTime = std::chrono::seconds(5);
  static constexpr size_t kMaxLingerBytes = size_t(64) << 20;

  Server::Impl& server_;
  tcp::socket socket_;
  // When the sweeper may close this connection (steady-clock ticks; max: never). A deadline per
  // connection read by a sweeper, not a timer per operation: arming and cancelling a timer on
  // every read costs the loop a timerfd update and a wake-up each.
  std::atomic<Clock::rep> deadline_{Clock::time_point::max().time_since_epoch().count()};
  std::list<std::weak_ptr<Connection>>::iterator registered_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  std::optional<bhttp::response<bhttp::string_body>> answer_;
  std::optional<bhttp::response<bhttp::empty_body>> stream_head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> stream_serializer_;
  std::string chunk_text_;
  std::vector<char> drain_buffer_;
  size_t drained_ = 0;
  std::optional<bhttp::chunk_body<net::const_buffer>> chunk_;
  Request request_;
  Response response_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  size_t served_ = 0;
};

}  // namespace detail

// Once a second: connections past their deadline are closed.
void Server::Impl::Sweep() {
  sweep_timer->expires_after(std::chrono::seconds(1));
  sweep_timer->async_wait([this](beast::error_code ec) {
    if (ec) return;
    std::vector<std::shared_ptr<detail::Connection>> open;
    {
      std::lock_guard lock(registry_mu);
      for (const auto& weak : registry)
        if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
    // Outside the lock: dropping the last reference to a connection unregisters it.
    const auto now = Clock::now();
    for (const auto& connection : open)
      if (connection->deadline() <= now) connection->Expire();
    open.clear();
    Sweep();
  });
}

void Server::Impl::Accept() {
  Loop& loop = *loops[next_loop++ % loops.size()];
  acceptor->async_accept(loop.ioc, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors, most likely: wait a moment instead of spinning on the error.
      accept_retry->expires_after(std::chrono::milliseconds(50));
      return accept_retry->async_wait([this](beast::error_code ec) {
        if (!ec) Accept();
      });
    }
    beast::error_code ignored;
    // Answers are small and sent whole: do not let Nagle's algorithm hold them back.
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<detail::Connection>(*this, std::move(socket))->Start();
    Accept();
  });
}

Server::Server() : impl_(std::make_shared<Impl>()) {}
Server::~Server() {
  Stop();
}

void Server::Get(std::string pattern, Handler handler) {
  impl_->AddRoute("GET", std::move(pattern), std::move(handler));
}
void Server::Post(std::string pattern, Handler handler) {
  impl_->AddRoute("POST", std::move(pattern), std::move(handler));
}
void Server::SetGate(std::function<bool(const Request&, Response&)> gate) {
  impl_->gate = std::move(gate);
}
void Server::SetObserver(std::function<void(const Request&, const Response&)> observer) {
  impl_->observer = std::move(observer);
}
void Server::SetErrorWriter(std::function<void(Response&, int, const std::string&)> writer) {
  impl_->error_writer = std::move(writer);
}

Expected<int, std::string> Server::Start(const ServerOptions& options) {
  Impl& s = *impl_;
  s.options = options;
  for (size_t i = 0; i < std::max<size_t>(options.loop_threads, 1); ++i)
    s.loops.push_back(std::make_unique<Impl::Loop>());
  net::io_context& first = s.loops[0]->ioc;
  s.pool.emplace(std::max<size_t>(options.blocking_threads, 1));
  s.acceptor.emplace(first);
  s.accept_retry.emplace(first);
  s.sweep_timer.emplace(first);

  const auto where = fmt::format("{}:{}", options.host, options.port);
  beast::error_code ec;
  tcp::resolver resolver(first);
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty())
    return unexpected(fmt::format("cannot listen on {}: {}", where, ec.message()));
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  // A deep backlog: a burst of new connections must not overflow it (a dropped handshake costs
  // its client a second or more).
  if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    const std::string message =
        fmt::format("cannot listen on {}: {} (is another process using it?)", where, ec.message());
    s.acceptor.reset();
    return unexpected(message);
  }
  const int port = s.acceptor->local_endpoint().port();
  s.Accept();
  s.Sweep();
  for (auto& loop : s.loops) loop->thread = std::thread([l = loop.get()] { l->ioc.run(); });
  return port;
}

void Server::Stop() {
  Impl& s = *impl_;
  if (s.loops.empty() || s.stopping.exchange(true)) return;
  // Deferred work and streams end first (a stream notices `stopping` within a call of `next`),
  // then the loop, and with the io_context go the connections still open.
  s.pool->join();
  for (auto& loop : s.loops) loop->ioc.stop();
  for (auto& loop : s.loops)
    if (loop->thread.joinable()) loop->thread.join();
  s.accept_retry.reset();
  s.sweep_timer.reset();
  s.acceptor.reset();
  s.loops.clear();
  s.pool.reset();
}

}  // namespace phat::node::http
