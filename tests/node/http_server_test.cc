// phatd's HTTP server on its own (src/node/http_server.h), driven over loopback by cpp-httplib's
// client and, where a client library would hide what is tested, by a raw socket: routing and
// parameters, errors the server answers itself, deferred answers, streams, a body over the
// limit, "Expect: 100-continue", the keep-alive limit, and stopping with work in flight.
#include "node/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace phat::node::http {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}) {
    auto port = server_.Start(options);
    ASSERT_TRUE(port) << port.error();
    port_ = *port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10, 0);
  }

  // Sends `request` on a fresh connection and reads until the server closes it or `until`
  // appears in what came back.
  std::string Raw(const std::string& request, const std::string& until = "") {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), ssize_t(request.size()));
    std::string got;
    char buf[4096];
    while (until.empty() || got.find(until) == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      got.append(buf, size_t(n));
    }
    raw_fd_ = fd;
    return got;
  }
  void TearDown() override {
    if (raw_fd_ >= 0) ::close(raw_fd_);
  }

  Server server_;
  int port_ = 0;
  int raw_fd_ = -1;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerTest, RoutesPathParametersAndQueryStrings) {
  server_.Get("/items/{}", [](const Request& req, Response& res) {
    const std::string* tag = req.Param("tag");
    res.content_type = "text/plain";
    res.body = req.path_param + "|" + (tag ? *tag : "-") + "|" + (req.HasParam("flag") ? "y" : "n");
  });
  server_.Post("/echo", [](const Request& req, Response& res) {
    res.status = 201;
    res.body = req.body;
  });
  Start();
  auto r = client_->Get("/items/0xab?tag=a%20b%2Bc&flag");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "0xab|a b+c|y");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain");
  // A form-encoded '+' is a space (cpp-httplib's client would send it as %2B).
  EXPECT_NE(Raw("GET /items/1?tag=x+y HTTP/1.0\r\n\r\n").find("1|x y|n"), std::string::npos);
  r = client_->Post("/echo", R"({"x":1})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, R"({"x":1})");
  // A parameter is one segment, and the method must match.
  r = client_->Get("/items/a/b");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = client_->Get("/items/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = client_->Get("/echo");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(HttpServerTest, ErrorsGoThroughTheErrorWriterAndTheObserverSeesEveryAnswer) {
  std::atomic<int> observed{0};
  server_.SetErrorWriter([](Response& res, int status, const std::string& message) {
    res.body = "E" + std::to_string(status) + ":" + message;
  });
  server_.SetObserver([&](const Request&, const Response&) { observed++; });
  server_.Get("/throws", [](const Request&, Response&) { throw std::runtime_error("boom"); });
  server_.Get("/gated", [](const Request&, Response& res) { res.body = "not reached"; });
  server_.SetGate([](const Request& req, Response& res) {
    if (req.path != "/gated") return false;
    res.status = 503;
    res.body = "closed";
    return true;
  });
  Start();
  auto r = client_->Get("/nowhere");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "E404:no endpoint GET /nowhere");
  r = client_->Get("/throws");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "E500:internal error: boom");
  r = client_->Get("/gated");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "closed");
  // The observer runs once an answer is decided, which may be after the client has it.
  for (int i = 0; i < 100 && observed.load() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(observed.load(), 3);
}

TEST_F(HttpServerTest, ADeferredAnswerDoesNotHoldUpTheLoop) {
  std::atomic<bool> release{false};
  server_.Get("/slow", [&](const Request&, Response& res) {
    res.Defer([&](Response& res) {
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      res.body = "late";
    });
  });
  server_.Get("/fast", [](const Request&, Response& res) { res.body = "fast"; });
  ServerOptions options;
  options.loop_threads = 1;  // one loop: a handler that blocked it would stop /fast too
  Start(options);
  std::thread slow([&] {
    httplib::Client c("127.0.0.1", port_);
    auto r = c.Get("/slow");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "late");
  });
  auto r = client_->Get("/fast");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "fast");
  release.store(true);
  slow.join();
}

TEST_F(HttpServerTest, TooManyDeferredRequestsGet503) {
  std::atomic<bool> release{false};
  server_.Get("/slow", [&](const Request&, Response& res) {
    res.Defer([&](Response& res) {
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  });
  ServerOptions options;
  options.max_deferred = 1;
  Start(options);
  std::thread first([&] {
    httplib::Client c("127.0.0.1", port_);
    auto r = c.Get("/slow");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the first is waiting
  auto r = client_->Get("/slow");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  release.store(true);
  first.join();
}

TEST_F(HttpServerTest, AStreamSendsChunksUntilItEndsAndThenRunsDone) {
  std::atomic<int> done{0};
  server_.Get("/stream", [&](const Request&, Response& res) {
    auto n = std::make_shared<int>(0);
    res.Stream(
        "application/x-ndjson",
        [n](std::string& chunk) {
          if (++*n % 2 == 0) return true;  // nothing this time
          chunk = std::to_string(*n) + "\n";
          return *n < 5;
        },
        [&] { done++; });
  });
  Start();
  std::string body;
  auto r = client_->Get("/stream", [&](const char* data, size_t size) {
    body.append(data, size);
    return true;
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(body, "1\n3\n5\n");
  for (int i = 0; i < 100 && done.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(done.load(), 1);
}

TEST_F(HttpServerTest, AStreamWhoseClientLeavesEnds) {
  std::atomic<int> done{0};
  server_.Get("/forever", [&](const Request&, Response& res) {
    res.Stream(
        "text/plain",
        [](std::string& chunk) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          chunk = "tick\n";
          return true;
        },
        [&] { done++; });
  });
  Start();
  EXPECT_NE(Raw("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n", "tick\n").find("tick"),
            std::string::npos);
  ::close(raw_fd_);
  raw_fd_ = -1;
  for (int i = 0; i < 500 && done.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(done.load(), 1);
}

TEST_F(HttpServerTest, ABodyOverTheLimitIsRefusedWith413AndTheClientSeesIt) {
  server_.Post("/upload", [](const Request& req, Response& res) { res.body = "took it"; });
  ServerOptions options;
  options.max_body_bytes = 1000;
  Start(options);
  auto r = client_->Post("/upload", std::string(1000, 'a'), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // Sent whole before the answer is read: the server reads and drops the rest, so the client is
  // not reset before it reads the 413.
  r = client_->Post("/upload", std::string(3 << 20, 'a'), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("1000 bytes"), std::string::npos);
}

TEST_F(HttpServerTest, AClientThatExpects100ContinueIsToldToSendItsBody) {
  server_.Post("/upload", [](const Request& req, Response& res) { res.body = req.body; });
  Start();
  const std::string head =
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";
  EXPECT_NE(Raw(head, "\r\n\r\n").find("100 Continue"), std::string::npos);
  ASSERT_EQ(::send(raw_fd_, "hello", 5, MSG_NOSIGNAL), 5);
  std::string got;
  char buf[1024];
  while (got.find("hello") == std::string::npos) {
    const ssize_t n = ::recv(raw_fd_, buf, sizeof(buf), 0);
    if (n <= 0) break;
    got.append(buf, size_t(n));
  }
  EXPECT_NE(got.find("200 OK"), std::string::npos) << got;
  EXPECT_NE(got.find("hello"), std::string::npos) << got;
}

TEST_F(HttpServerTest, AConnectionIsClosedAfterItsKeepAliveLimitAndForHttp10) {
  server_.Get("/x", [](const Request&, Response& res) { res.body = "x"; });
  ServerOptions options;
  options.keep_alive_requests = 2;
  Start(options);
  const std::string two = "GET /x HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string got = Raw(two + "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");  // read to the close
  size_t answers = 0;
  for (size_t at = got.find("200 OK"); at != std::string::npos; at = got.find("200 OK", at + 1))
    ++answers;
  EXPECT_EQ(answers, 2u) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  ::close(raw_fd_);
  const std::string old = Raw("GET /x HTTP/1.0\r\n\r\n");  // answered, then closed
  EXPECT_NE(old.find("HTTP/1.0 200 OK"), std::string::npos) << old;
}

TEST_F(HttpServerTest, AConnectionThatSendsNothingIsClosedAfterTheIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  Start(options);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Raw("GET /x HTTP/1.1\r\nHost: a\r\n"), "");  // never finished: closed unanswered
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

// An answer larger than the sockets' buffers, to a client that does not read it: the server
// drops the client after the write timeout instead of holding the connection (and the answer).
TEST_F(HttpServerTest, AClientThatStopsReadingIsDroppedAfterTheWriteTimeout) {
  const size_t kBody = size_t(64) << 20;
  server_.Get("/big", [&](const Request&, Response& res) { res.body.assign(kBody, 'x'); });
  ServerOptions options;
  options.write_timeout = std::chrono::seconds(1);
  Start(options);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  raw_fd_ = fd;
  const std::string request = "GET /big HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), ssize_t(request.size()));
  std::this_thread::sleep_for(std::chrono::seconds(3));  // past the timeout and a sweep
  // What the buffers held arrives, then the end: far less than the answer. (A server that kept
  // the connection would send it all and then wait: the receive timeout ends that.)
  const timeval five_seconds{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof(five_seconds));
  size_t got = 0;
  char buf[65536];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) got += size_t(n);
  EXPECT_LT(got, kBody / 2);
}

TEST_F(HttpServerTest, ASecondServerOnAPortInUseFailsToStart) {
  Start();
  Server other;
  ServerOptions options;
  options.port = port_;
  auto started = other.Start(options);
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().find(std::to_string(port_)), std::string::npos) << started.error();
}

TEST_F(HttpServerTest, StopWaitsForDeferredWorkAndEndsStreams) {
  std::atomic<int> finished{0};
  server_.Get("/slow", [&](const Request&, Response& res) {
    res.Defer([&](Response&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      finished++;
    });
  });
  server_.Get("/stream", [&](const Request&, Response& res) {
    res.Stream(
        "text/plain",
        [](std::string&) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          return true;
        },
        [&] { finished++; });
  });
  Start();
  std::thread a([&] { httplib::Client("127.0.0.1", port_).Get("/slow"); });
  std::thread b([&] { httplib::Client("127.0.0.1", port_).Get("/stream"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_.Stop();
  EXPECT_EQ(finished.load(), 2);
  a.join();
  b.join();
}

}  // namespace
}  // namespace phat::node::http
