// The pink HTTP client against real HTTP servers (cpp-httplib, in-process, on loopback): what a
// request sends and a response brings back, redirects, the guard on the worker's own network,
// deadlines, the bounds on bodies and headers, failures, pink's request checks, batches, and many
// threads at once. The servers are on loopback, so the tests' policies allow 127.0.0.1.
#include "phat/pink/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace phat::pink {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Deadline In(std::chrono::milliseconds d) {
  return Clock::now() + d;
}

HttpPolicy Local() {
  HttpPolicy policy;
  policy.allow_list = {"127.0.0.1"};
  return policy;
}

std::string Text(const Bytes& b) {
  return std::string(b.begin(), b.end());
}
Bytes AsBody(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "<none>";
}

// A cpp-httplib server on a loopback address, serving from its own threads until destroyed.
// Routes are added before Start(). A slow route waits until the server is torn down.
class TestServer {
 public:
  explicit TestServer(std::string host = "127.0.0.1") : host_(std::move(host)) {}
  ~TestServer() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    released_cv_.notify_all();
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  httplib::Server& server() { return server_; }

  void Start() {
    port_ = server_.bind_to_any_port(host_);
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }

  std::string Url(std::string_view path, std::string_view host = "") const {
    return "http://" + std::string(host.empty() ? host_ : host) + ":" + std::to_string(port_) +
           std::string(path);
  }
  int port() const { return port_; }

  // Blocks a handler until the server is torn down (or 10 s pass).
  void WaitForRelease() {
    std::unique_lock lock(mu_);
    released_cv_.wait_for(lock, 10s, [&] { return released_; });
  }

 private:
  std::string host_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

// The routes most tests use.
class HttpClientTest : public testing::Test {
 protected:
  void SetUp() override {
    auto& s = server_.server();
    auto echo = [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Method", req.method);
      res.set_header("X-Seen-Foo", req.get_header_value("X-Foo"));
      res.set_header("X-Foo-Count", std::to_string(req.get_header_value_count("X-Foo")));
      res.set_header("X-Has-Content-Type", req.has_header("Content-Type") ? "yes" : "no");
      res.set_header("X-Has-Expect", req.has_header("Expect") ? "yes" : "no");
      res.set_content(req.body, "application/octet-stream");
    };
    s.Get("/echo", echo);
    s.Post("/echo", echo);
    s.Put("/echo", echo);
    s.Patch("/echo", echo);
    s.Delete("/echo", echo);
    s.Options("/echo", echo);
    s.Get("/redirect", [](const httplib::Request& req, httplib::Response& res) {
      res.set_redirect(req.get_param_value("to"));
    });
    s.Post("/redirect", [](const httplib::Request& req, httplib::Response& res) {
      res.set_redirect(req.get_param_value("to"), 303);
    });
    s.Get("/loop",
          [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
    s.Get("/delay", [](const httplib::Request& req, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(req.get_param_value("ms"))));
      res.status = req.has_param("status") ? std::stoi(req.get_param_value("status")) : 200;
      res.set_content("done", "text/plain");
    });
    s.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      server_.WaitForRelease();
      res.set_content("too late", "text/plain");
    });
    s.Get("/status", [](const httplib::Request& req, httplib::Response& res) {
      res.status = std::stoi(req.get_param_value("code"));
    });
    s.Get("/bytes", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::string(std::stoul(req.get_param_value("n")), 'x'), "text/plain");
    });
    s.Get("/endless", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
        static const std::string chunk(64 << 10, 'y');
        return offset < (256u << 20) && sink.write(chunk.data(), chunk.size());
      });
    });
    s.Get("/headers", [](const httplib::Request& req, httplib::Response& res) {
      const int n = std::stoi(req.get_param_value("n"));
      for (int i = 0; i < n; ++i) res.set_header("X-H" + std::to_string(i), "v");
      if (req.has_param("to")) {
        res.set_redirect(req.get_param_value("to"));
      } else {
        res.set_content("headers", "text/plain");
      }
    });
    s.Get("/port", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.remote_port), "text/plain");  // the client's port
    });
    s.Get("/odd-headers", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Utf8", "caf\xc3\xa9");
      res.set_header("X-Plain", "  spaced  ");
      res.set_header("Set-Cookie", "a=1");
      res.set_header("Set-Cookie", "b=2");
    });
    server_.Start();
  }

  HttpRequest Get(std::string url) const { return HttpRequest{std::move(url), "GET", {}, {}}; }

  TestServer server_;
};

// A port on 127.0.0.1 that nothing listens on: bound, then closed again.
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A one-shot server on 127.0.0.1 that records the request's head exactly as it arrived, for
// what cpp-httplib would tidy away (it drops headers with empty values), and answers 204.
class RawServer {
 public:
  RawServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 1);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      const int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      char buffer[4096];
      auto read_more = [&] {
        const ssize_t n = read(conn, buffer, sizeof buffer);
        if (n > 0) received_.append(buffer, size_t(n));
        return n > 0;
      };
      while (received_.find("\r\n\r\n") == std::string::npos && read_more()) {
      }
      // Read the body too: closing with unread bytes would reset the connection.
      const size_t end = received_.find("\r\n\r\n") + 4;
      const size_t at = received_.find("Content-Length: ");
      const size_t length = at < end ? std::stoul(received_.substr(at + 16)) : 0;
      while (received_.size() < end + length && read_more()) {
      }
      const std::string_view answer = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
      (void)!write(conn, answer.data(), answer.size());
      close(conn);
    });
  }
  ~RawServer() {
    shutdown(fd_, SHUT_RDWR);  // wakes the accept if no request came
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/raw"; }
  // The request line and headers, once the request is done.
  std::string TakeHead() {
    thread_.join();
    return received_.substr(0, received_.find("\r\n\r\n") + 2);
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string received_;
};

TEST(HttpClientWire, WhatGoesOutIsWhatTheContractAskedFor) {
  struct Case {
    HttpRequest request;
    std::vector<std::string> present, absent;
  };
  const Case cases[] = {
      {HttpRequest{"", "GET", {{"X-Empty", ""}, {"X-Foo", "a"}, {"x-foo", "b"}}, {}},
       {"GET /raw HTTP/1.1\r\n", "\r\nX-Empty:\r\n", "\r\nX-Foo: b\r\n"},
       {"X-Foo: a", "x-foo", "Content-Length", "Expect", "Content-Type", "User-Agent"}},
      {HttpRequest{"", "POST", {}, Bytes(2000, 'p')},
       {"POST /raw HTTP/1.1\r\n", "\r\nContent-Length: 2000\r\n"},
       {"Content-Type", "Expect"}},  // curl's form type and 100-continue are not added
      {HttpRequest{"", "PUT", {{"Content-Type", "text/plain"}}, {}},
       {"PUT /raw HTTP/1.1\r\n", "\r\nContent-Length: 0\r\n", "Content-Type: text/plain"},
       {}},
      {HttpRequest{"", "GET", {}, AsBody("body")},
       {"GET /raw HTTP/1.1\r\n", "\r\nContent-Length: 4\r\n"},
       {}},
      {HttpRequest{"", "M-SEARCH", {}, {}}, {"M-SEARCH /raw HTTP/1.1\r\n"}, {"Content-Length"}},
  };
  HttpClient client(Local());
  for (const Case& c : cases) {
    RawServer server;
    HttpRequest request = c.request;
    request.url = server.Url();
    auto response = client.Fetch(request, In(10s));
    ASSERT_TRUE(response) << request.method << " " << HttpRequestErrorName(response.error());
    EXPECT_EQ(response->status_code, 204);
    EXPECT_EQ(response->reason_phrase, "No Content");
    const std::string head = server.TakeHead();
    for (const std::string& text : c.present)
      EXPECT_NE(head.find(text), std::string::npos) << text << " in\n" << head;
    for (const std::string& text : c.absent)
      EXPECT_EQ(head.find(text), std::string::npos) << text << " in\n" << head;
  }
}

TEST_F(HttpClientTest, SendsTheMethodHeadersAndBodyAndReturnsTheResponse) {
  HttpClient client(Local());
  HttpRequest request{server_.Url("/echo"), "POST", {{"X-Foo", "bar"}}, AsBody("hello")};
  auto response = client.Fetch(request, In(10s));
  ASSERT_TRUE(response) << HttpRequestErrorName(response.error());
  EXPECT_EQ(response->status_code, 200);
  EXPECT_EQ(response->reason_phrase, "OK");
  EXPECT_EQ(Text(response->body), "hello");
  EXPECT_EQ(Header(*response, "x-method"), "POST");
  EXPECT_EQ(Header(*response, "x-seen-foo"), "bar");
  // curl's own form Content-Type and Expect are not added.
  EXPECT_EQ(Header(*response, "x-has-content-type"), "no");
  EXPECT_EQ(Header(*response, "x-has-expect"), "no");
  for (const auto& [name, value] : response->headers)
    EXPECT_EQ(name, [&] {
      std::string lower = name;
      for (char& c : lower) c = char(std::tolower(c));
      return lower;
    }()) << "header names come in lower case";
}

TEST_F(HttpClientTest, AnyMethodGoesOut) {
  HttpClient client(Local());
  for (const char* method : {"GET", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    HttpRequest request{server_.Url("/echo"), method, {}, {}};
    if (std::string_view(method) == "PUT") request.body = AsBody("put body");
    auto response = client.Fetch(request, In(10s));
    ASSERT_TRUE(response) << method;
    EXPECT_EQ(response->status_code, 200) << method;
    EXPECT_EQ(Header(*response, "x-method"), method);
    if (std::string_view(method) == "PUT") EXPECT_EQ(Text(response->body), "put body");
  }
  auto head = client.Fetch(HttpRequest{server_.Url("/echo"), "HEAD", {}, {}}, In(10s));
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status_code, 200);
  EXPECT_TRUE(head->body.empty());
  // An extension method is a valid token and goes out; cpp-httplib does not know it.
  auto custom = client.Fetch(HttpRequest{server_.Url("/echo"), "M-SEARCH", {}, {}}, In(10s));
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->status_code, 400);
  EXPECT_EQ(custom->reason_phrase, "Bad Request");
  // A later header of the same name, in any case, replaces the earlier one.
  auto twice = client.Fetch(
      HttpRequest{server_.Url("/echo"), "GET", {{"X-Foo", "first"}, {"x-foo", "second"}}, {}},
      In(10s));
  ASSERT_TRUE(twice);
  EXPECT_EQ(Header(*twice, "x-seen-foo"), "second");
  EXPECT_EQ(Header(*twice, "x-foo-count"), "1");
  // Tab and bytes above 0x7f are valid in a value.
  auto odd_value = client.Fetch(
      HttpRequest{server_.Url("/echo"), "GET", {{"X-Foo", "a\tb caf\xc3\xa9"}}, {}}, In(10s));
  ASSERT_TRUE(odd_value);
  // Echoed back, the value is not visible ASCII, so the response hands it on as "".
  EXPECT_EQ(Header(*odd_value, "x-seen-foo"), "");
}

TEST_F(HttpClientTest, ResponsesCarryStandardReasonsAndOnlyAsciiHeaderValues) {
  HttpClient client(Local());
  auto teapot = client.Fetch(Get(server_.Url("/status?code=418")), In(10s));
  ASSERT_TRUE(teapot);
  EXPECT_EQ(teapot->status_code, 418);
  EXPECT_EQ(teapot->reason_phrase, "I'm a teapot");
  auto unknown = client.Fetch(Get(server_.Url("/status?code=599")), In(10s));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status_code, 599);
  EXPECT_EQ(unknown->reason_phrase, "");
  auto odd = client.Fetch(Get(server_.Url("/odd-headers")), In(10s));
  ASSERT_TRUE(odd);
  EXPECT_EQ(Header(*odd, "x-utf8"), "");  // not visible ASCII: Phala hands on ""
  EXPECT_EQ(Header(*odd, "x-plain"), "spaced");
  int cookies = 0;
  for (const auto& [name, value] : odd->headers) cookies += name == "set-cookie";
  EXPECT_EQ(cookies, 2) << "repeated response headers are all kept";
}

TEST_F(HttpClientTest, FollowsRedirects) {
  HttpClient client(Local());
  auto response = client.Fetch(Get(server_.Url("/redirect?to=/echo")), In(10s));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code, 200);
  EXPECT_EQ(Header(*response, "x-method"), "GET");
  // A POST answered with 303 goes on as a GET.
  auto post = client.Fetch(
      HttpRequest{server_.Url("/redirect?to=/echo"), "POST", {}, AsBody("data")}, In(10s));
  ASSERT_TRUE(post);
  EXPECT_EQ(Header(*post, "x-method"), "GET");
  // Too many redirects fail, as in Phala; with none allowed the redirect itself is the answer.
  auto loop = client.Fetch(Get(server_.Url("/loop")), In(10s));
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error(), HttpRequestError::NetworkError);
  HttpPolicy no_redirects = Local();
  no_redirects.max_redirects = 0;
  auto as_is = HttpClient(no_redirects).Fetch(Get(server_.Url("/loop")), In(10s));
  ASSERT_TRUE(as_is);
  EXPECT_EQ(as_is->status_code, 302);
  EXPECT_EQ(as_is->reason_phrase, "Found");
  EXPECT_EQ(Header(*as_is, "location"), "/loop");
}

TEST_F(HttpClientTest, OnlyHttpAndHttpsEvenAfterARedirect) {
  HttpClient client(Local());
  for (const char* target : {"ftp://127.0.0.1/x", "file:///etc/passwd"}) {
    auto response = client.Fetch(
        Get(server_.Url("/redirect?to=") + httplib::detail::encode_query_param(target)), In(10s));
    ASSERT_FALSE(response) << target;
    EXPECT_EQ(response.error(), HttpRequestError::NotAllowed) << target;
    auto direct = client.Fetch(Get(target), In(10s));
    ASSERT_FALSE(direct) << target;
    EXPECT_EQ(direct.error(), HttpRequestError::NotAllowed) << target;
  }
}

TEST(HttpClientGuard, TheDefaultPolicyKeepsContractsOffTheWorkersNetwork) {
  TestServer server;
  std::atomic<int> hits = 0;
  server.server().Get("/", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.set_content("inside", "text/plain");
  });
  server.Start();
  HttpClient guarded{HttpPolicy{}};
  for (const std::string& host : {"127.0.0.1", "localhost", "[::1]", "0.0.0.0", "127.1.2.3"}) {
    auto response = guarded.Fetch(HttpRequest{server.Url("/", host), "GET", {}, {}}, In(10s));
    ASSERT_FALSE(response) << host;
    EXPECT_EQ(response.error(), HttpRequestError::NotAllowed) << host;
  }
  EXPECT_EQ(hits, 0) << "refused before connecting";
  HttpPolicy open;
  open.allow_private_addresses = true;
  auto response = HttpClient(open).Fetch(HttpRequest{server.Url("/"), "GET", {}, {}}, In(10s));
  ASSERT_TRUE(response);
  EXPECT_EQ(Text(response->body), "inside");
  EXPECT_EQ(hits, 1);
}

TEST(HttpClientGuard, EveryRedirectHopIsChecked) {
  // The first host is allowed; the redirect's target, also on loopback, is not.
  TestServer first, second("127.0.0.2");
  std::atomic<int> second_hits = 0;
  first.server().Get("/", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_redirect(req.get_param_value("to"));
  });
  second.server().Get("/", [&](const httplib::Request&, httplib::Response& res) {
    ++second_hits;
    res.set_content("second", "text/plain");
  });
  first.Start();
  second.Start();
  const std::string to_second = "/?to=" + httplib::detail::encode_query_param(second.Url("/"));
  // Allowed by address: 127.0.0.1 only.
  auto by_address =
      HttpClient(Local()).Fetch(HttpRequest{first.Url(to_second), "GET", {}, {}}, In(10s));
  ASSERT_FALSE(by_address);
  EXPECT_EQ(by_address.error(), HttpRequestError::NotAllowed);
  // Allowed by host name: "localhost" is reachable, 127.0.0.1 by its address is not.
  HttpPolicy by_name;
  by_name.allow_list = {"LOCALHOST"};
  const std::string to_first_by_ip =
      "/?to=" + httplib::detail::encode_query_param(first.Url("/?to=x", "127.0.0.1"));
  auto by_host = HttpClient(by_name).Fetch(
      HttpRequest{first.Url(to_first_by_ip, "localhost"), "GET", {}, {}}, In(10s));
  ASSERT_FALSE(by_host);
  EXPECT_EQ(by_host.error(), HttpRequestError::NotAllowed);
  EXPECT_EQ(second_hits, 0);
  // A range allows both hops.
  HttpPolicy range;
  range.allow_list = {"127.0.0.0/8"};
  auto both = HttpClient(range).Fetch(HttpRequest{first.Url(to_second), "GET", {}, {}}, In(10s));
  ASSERT_TRUE(both) << HttpRequestErrorName(both.error());
  EXPECT_EQ(Text(both->body), "second");
  EXPECT_EQ(second_hits, 1);
}

TEST(HttpClientGuard, CredentialsStayWithTheirHost) {
  // As Phala's client does, a redirect to another host leaves Authorization and Cookie behind.
  TestServer first, second("127.0.0.2");
  first.server().Get("/", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect(second.Url("/"));
  });
  second.server().Get("/", [&](const httplib::Request& req, httplib::Response& res) {
    for (const char* name : {"Authorization", "Cookie", "X-Other"})
      res.set_header(std::string("X-Got-") + name, req.has_header(name) ? "yes" : "no");
  });
  first.Start();
  second.Start();
  HttpPolicy loopback;
  loopback.allow_list = {"127.0.0.0/8"};
  auto response = HttpClient(loopback).Fetch(
      HttpRequest{first.Url("/"),
                  "GET",
                  {{"Authorization", "Bearer secret"}, {"Cookie", "session=1"}, {"X-Other", "y"}},
                  {}},
      In(10s));
  ASSERT_TRUE(response) << HttpRequestErrorName(response.error());
  EXPECT_EQ(Header(*response, "x-got-authorization"), "no");
  EXPECT_EQ(Header(*response, "x-got-cookie"), "no");
  EXPECT_EQ(Header(*response, "x-got-x-other"), "yes");
}

TEST_F(HttpClientTest, ASlowServerTimesOutAtTheDeadline) {
  HttpClient client(Local());
  const auto started = Clock::now();
  auto response = client.Fetch(Get(server_.Url("/slow")), started + 300ms);
  const auto elapsed = Clock::now() - started;
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpRequestError::Timeout);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 300ms + 700ms) << "returns within the deadline and a little slack";
  // No time left at all is Timeout before anything else is looked at, as in Phala.
  auto late = client.Fetch(HttpRequest{"not a url", "GET", {}, {}}, Clock::now() - 1ms);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error(), HttpRequestError::Timeout);
}

TEST_F(HttpClientTest, ABodyOverTheLimitIsResponseTooLarge) {
  HttpPolicy small = Local();
  small.max_response_body = 1000;
  HttpClient client(small);
  auto exact = client.Fetch(Get(server_.Url("/bytes?n=1000")), In(10s));
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->body.size(), 1000u);
  auto over = client.Fetch(Get(server_.Url("/bytes?n=1001")), In(10s));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), HttpRequestError::ResponseTooLarge);
  // An endless body is cut off once it passes the default 2 MiB, not read on to the deadline.
  const auto started = Clock::now();
  auto endless = HttpClient(Local()).Fetch(Get(server_.Url("/endless")), In(30s));
  ASSERT_FALSE(endless);
  EXPECT_EQ(endless.error(), HttpRequestError::ResponseTooLarge);
  EXPECT_LT(Clock::now() - started, 10s);
}

TEST_F(HttpClientTest, TooManyHeadersInTheFinalResponseOrTheRequest) {
  HttpClient client(Local());
  auto many = client.Fetch(Get(server_.Url("/headers?n=300")), In(10s));
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error(), HttpRequestError::TooManyHeaders);
  auto fine = client.Fetch(Get(server_.Url("/headers?n=240")), In(10s));
  ASSERT_TRUE(fine);
  EXPECT_GE(fine->headers.size(), 240u);
  // Only the final response counts: a redirect may carry more.
  auto redirected = client.Fetch(Get(server_.Url("/headers?n=300&to=/echo")), In(10s));
  ASSERT_TRUE(redirected) << HttpRequestErrorName(redirected.error());
  EXPECT_EQ(Header(*redirected, "x-method"), "GET");
  // A request with more than 256 headers is refused before it is sent (Phala's rule).
  HttpRequest request = Get(server_.Url("/echo"));
  for (int i = 0; i < 257; ++i) request.headers.emplace_back("X-" + std::to_string(i), "v");
  auto refused = client.Fetch(request, In(10s));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), HttpRequestError::TooManyHeaders);
  request.headers.pop_back();
  EXPECT_TRUE(client.Fetch(request, In(10s)));
}

TEST(HttpClientFailures, ARefusedConnectionIsANetworkError) {
  HttpClient client(Local());
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/";
  auto response = client.Fetch(HttpRequest{url, "GET", {}, {}}, In(10s));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpRequestError::NetworkError);
}

TEST_F(HttpClientTest, HttpsToAPlainHttpPortFailsCleanly) {
  HttpClient client(Local());
  auto response = client.Fetch(
      HttpRequest{"https://127.0.0.1:" + std::to_string(server_.port()) + "/echo", "GET", {}, {}},
      In(10s));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), HttpRequestError::NetworkError);
}

TEST(HttpClientChecks, RequestsAreCheckedAsPinkChecksThem) {
  struct Case {
    HttpRequest request;
    HttpRequestError error;
  };
  auto with_header = [](std::string name, std::string value) {
    return HttpRequest{"http://127.0.0.1:1/", "GET", {{std::move(name), std::move(value)}}, {}};
  };
  auto with_method = [](std::string method) {
    return HttpRequest{"http://127.0.0.1:1/", std::move(method), {}, {}};
  };
  auto with_url = [](std::string url) { return HttpRequest{std::move(url), "GET", {}, {}}; };
  const Case cases[] = {
      {with_url(""), HttpRequestError::InvalidUrl},
      {with_url("not a url"), HttpRequestError::InvalidUrl},
      {with_url("/relative/path"), HttpRequestError::InvalidUrl},
      {with_url("http://"), HttpRequestError::InvalidUrl},
      {with_url("http://exa mple.com/"), HttpRequestError::InvalidUrl},
      {with_url(std::string("http://example.com/\0x", 21)), HttpRequestError::InvalidUrl},
      {with_method(""), HttpRequestError::InvalidMethod},
      {with_method("GE T"), HttpRequestError::InvalidMethod},
      {with_method("GET\r\n"), HttpRequestError::InvalidMethod},
      {with_method("(GET)"), HttpRequestError::InvalidMethod},
      {with_header("", "v"), HttpRequestError::InvalidHeaderName},
      {with_header("X Foo", "v"), HttpRequestError::InvalidHeaderName},
      {with_header("X-Foo:", "v"), HttpRequestError::InvalidHeaderName},
      {with_header("X\nFoo", "v"), HttpRequestError::InvalidHeaderName},
      {with_header("caf\xc3\xa9", "v"), HttpRequestError::InvalidHeaderName},
      {with_header(std::string(65536, 'x'), "v"), HttpRequestError::InvalidHeaderName},
      {with_header("X-Foo", "a\r\nInjected: yes"), HttpRequestError::InvalidHeaderValue},
      {with_header("X-Foo", std::string("a\0b", 3)), HttpRequestError::InvalidHeaderValue},
      {with_header("X-Foo", "\x7f"), HttpRequestError::InvalidHeaderValue},
      // The scheme is judged last (Phala's client fails it only when sending).
      {HttpRequest{"ftp://127.0.0.1/", "GE T", {}, {}}, HttpRequestError::InvalidMethod},
      {with_url("gopher://127.0.0.1/"), HttpRequestError::NotAllowed},
  };
  HttpClient client{HttpPolicy{}};
  for (const Case& c : cases) {
    auto response = client.Fetch(c.request, In(10s));
    ASSERT_FALSE(response) << c.request.url << " " << c.request.method;
    EXPECT_EQ(HttpRequestErrorName(response.error()), HttpRequestErrorName(c.error))
        << c.request.url << " " << c.request.method;
  }
}

TEST_F(HttpClientTest, ABatchRunsAtOnceWithAResultEach) {
  HttpClient client(Local());
  const std::vector<HttpRequest> requests = {
      Get(server_.Url("/delay?ms=600")),
      Get(server_.Url("/delay?ms=600&status=404")),
      Get(server_.Url("/slow")),
      Get("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/"),
      Get("not a url"),
  };
  const auto started = Clock::now();
  auto results = client.FetchBatch(requests, started + 1200ms);
  const auto elapsed = Clock::now() - started;
  ASSERT_TRUE(results);
  ASSERT_EQ(results->size(), 5u);
  ASSERT_TRUE((*results)[0]);
  EXPECT_EQ((*results)[0]->status_code, 200);
  EXPECT_EQ(Text((*results)[0]->body), "done");
  ASSERT_TRUE((*results)[1]);
  EXPECT_EQ((*results)[1]->status_code, 404);
  EXPECT_EQ((*results)[1]->reason_phrase, "Not Found");
  ASSERT_FALSE((*results)[2]);
  EXPECT_EQ((*results)[2].error(), HttpRequestError::Timeout);
  ASSERT_FALSE((*results)[3]);
  EXPECT_EQ((*results)[3].error(), HttpRequestError::NetworkError);
  ASSERT_FALSE((*results)[4]);
  EXPECT_EQ((*results)[4].error(), HttpRequestError::InvalidUrl);
  // One after another they would take 600 + 600 + 1200 ms.
  EXPECT_GE(elapsed, 1100ms);
  EXPECT_LT(elapsed, 2000ms);
}

TEST_F(HttpClientTest, ABatchHasABound) {
  HttpClient client(Local());
  std::vector<HttpRequest> six(6, Get(server_.Url("/echo")));
  auto too_many = client.FetchBatch(six, In(10s));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error(), HttpRequestError::TooManyRequests);
  six.pop_back();
  auto five = client.FetchBatch(six, In(10s));
  ASSERT_TRUE(five);
  for (const auto& result : *five) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status_code, 200);
  }
  auto none = client.FetchBatch({}, In(10s));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  // Out of time before it starts: every request is Timeout.
  auto late = client.FetchBatch(std::span(six).first(2), Clock::now() - 1ms);
  ASSERT_TRUE(late);
  for (const auto& result : *late) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpRequestError::Timeout);
  }
}

TEST_F(HttpClientTest, ManyThreadsShareOneClient) {
  HttpClient client(Local());
  std::atomic<int> ok = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string body = std::to_string(t) + "/" + std::to_string(i);
        auto response =
            client.Fetch(HttpRequest{server_.Url("/echo"), "POST", {}, AsBody(body)}, In(20s));
        if (response && Text(response->body) == body) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 30);
}

// The connection a request leaves open is the next one's (the same client port at the server),
// one request after another and one batch after another.
TEST_F(HttpClientTest, AKeptAliveConnectionServesTheNextRequest) {
  HttpClient client(Local());
  auto port_of = [](const HttpResult& result) { return result ? Text(result->body) : "failed"; };
  const std::string first = port_of(client.Fetch(Get(server_.Url("/port")), In(10s)));
  EXPECT_EQ(port_of(client.Fetch(Get(server_.Url("/port")), In(10s))), first);

  const std::vector<HttpRequest> two(2, Get(server_.Url("/port")));
  auto batch_ports = [&] {
    auto results = client.FetchBatch(two, In(10s));
    std::set<std::string> ports;
    if (results)
      for (const auto& result : *results) ports.insert(port_of(result));
    return ports;
  };
  const std::set<std::string> before = batch_ports();
  const std::set<std::string> after = batch_ports();
  EXPECT_FALSE(before.contains("failed"));
  EXPECT_TRUE(std::includes(before.begin(), before.end(), after.begin(), after.end()))
      << "a second batch opened new connections";
}

TEST(HttpBatchDeadline, IsTheEarlierOfTheTimeoutAndTheQuerysEnd) {
  const Deadline now = Clock::now();
  EXPECT_EQ(BatchDeadline(500, now + 10s, now), now + 500ms);
  EXPECT_EQ(BatchDeadline(20'000, now + 10s, now), now + 10s);
  EXPECT_EQ(BatchDeadline(UINT64_MAX, now + 10s, now), now + 10s);
  EXPECT_EQ(BatchDeadline(0, now + 10s, now), now);
  EXPECT_EQ(BatchDeadline(500, now - 1s, now), now - 1s);
}

TEST(HttpSingleRequestResult, IsWhatPinksHttpRequestGivesTheContract) {
  struct Case {
    HttpRequestError error;
    int status;  // 0: the call fails with the error
    const char* reason;
  };
  for (const Case& c : {
           Case{HttpRequestError::InvalidUrl, 0, ""},
           Case{HttpRequestError::InvalidMethod, 0, ""},
           Case{HttpRequestError::InvalidHeaderName, 0, ""},
           Case{HttpRequestError::InvalidHeaderValue, 0, ""},
           Case{HttpRequestError::FailedToCreateClient, 0, ""},
           Case{HttpRequestError::Timeout, 523, "Unreachable"},
           Case{HttpRequestError::NetworkError, 523, "Unreachable"},
           Case{HttpRequestError::NotAllowed, 524, "IO Error"},
           Case{HttpRequestError::TooManyRequests, 524, "IO Error"},
           Case{HttpRequestError::ResponseTooLarge, 524, "IO Error"},
           Case{HttpRequestError::TooManyHeaders, 524, "IO Error"},
       }) {
    auto result = SingleRequestResult(c.error);
    const std::string_view name = HttpRequestErrorName(c.error);
    if (c.status == 0) {
      ASSERT_FALSE(result) << name;
      EXPECT_EQ(result.error(), c.error);
    } else {
      ASSERT_TRUE(result) << name;
      EXPECT_EQ(result->status_code, c.status) << name;
      EXPECT_EQ(result->reason_phrase, c.reason) << name;
      EXPECT_TRUE(result->headers.empty());
      EXPECT_EQ(Text(result->body), name);
    }
  }
}

TEST(HttpRequestError, KeepsPinksOrderAndTexts) {
  EXPECT_EQ(int(HttpRequestError::InvalidUrl), 0);
  EXPECT_EQ(int(HttpRequestError::Timeout), 5);
  EXPECT_EQ(int(HttpRequestError::NotAllowed), 6);
  EXPECT_EQ(int(HttpRequestError::TooManyHeaders), 10);
  EXPECT_EQ(HttpRequestErrorName(HttpRequestError::ResponseTooLarge), "ResponseTooLarge");
  EXPECT_EQ(HttpRequestErrorText(HttpRequestError::InvalidUrl), "Invalid URL");
  EXPECT_EQ(HttpRequestErrorText(HttpRequestError::TooManyHeaders), "Too many headers");
}

}  // namespace
}  // namespace phat::pink
