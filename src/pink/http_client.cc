#include "phat/pink/http_client.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

#include "phat/pink/ip_address.h"

namespace phat::pink {
namespace {

using Clock = std::chrono::steady_clock;

// curl_global_init is not thread-safe and must run once before any other curl call.
void EnsureCurl() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      std::fputs("phat: libcurl failed to initialise\n", stderr);
      std::abort();
    }
  });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](char x, char y) { return lower(x) == lower(y); });
}

// ---- Request checks, as Phala's client (the http crate) makes them ----

// RFC 9110 tchar: what a method and a header name are made of.
bool IsTokenChar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != 0 && std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsTokenChar(c); });
}

constexpr size_t kMaxHeaderNameBytes = 65535;  // the http crate's bound

// Any byte but a control character; tab is allowed. Bytes above 0x7f pass, as in the http crate.
bool IsValidHeaderValue(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const unsigned char c = ch;
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

// A response header value as Phala hands it on: visible ASCII (and tab) or nothing.
bool IsVisibleAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const unsigned char c = ch;
    return c == '\t' || (c >= 0x20 && c < 0x7f);
  });
}

// The http crate's standard reason phrases, which Phala reports instead of the server's.
std::string_view StandardReason(long code) {
  static constexpr std::pair<long, std::string_view> kReasons[] = {
      {100, "Continue"},
      {101, "Switching Protocols"},
      {102, "Processing"},
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {203, "Non Authoritative Information"},  // sic, the http crate's spelling
      {204, "No Content"},
      {205, "Reset Content"},
      {206, "Partial Content"},
      {207, "Multi-Status"},
      {208, "Already Reported"},
      {226, "IM Used"},
      {300, "Multiple Choices"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {303, "See Other"},
      {304, "Not Modified"},
      {305, "Use Proxy"},
      {307, "Temporary Redirect"},
      {308, "Permanent Redirect"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {402, "Payment Required"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {407, "Proxy Authentication Required"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {410, "Gone"},
      {411, "Length Required"},
      {412, "Precondition Failed"},
      {413, "Payload Too Large"},
      {414, "URI Too Long"},
      {415, "Unsupported Media Type"},
      {416, "Range Not Satisfiable"},
      {417, "Expectation Failed"},
      {418, "I'm a teapot"},
      {421, "Misdirected Request"},
      {422, "Unprocessable Entity"},
      {423, "Locked"},
      {424, "Failed Dependency"},
      {426, "Upgrade Required"},
      {428, "Precondition Required"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {451, "Unavailable For Legal Reasons"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
      {505, "HTTP Version Not Supported"},
      {506, "Variant Also Negotiates"},
      {507, "Insufficient Storage"},
      {508, "Loop Detected"},
      {510, "Not Extended"},
      {511, "Network Authentication Required"},
  };
  for (const auto& [known, phrase] : kReasons)
    if (known == code) return phrase;
  return "";
}

// ---- URLs ----

struct UrlParts {
  std::string url;     // as curl will use it
  std::string scheme;  // lower case
  std::string host;    // lower case, no trailing dot; an IPv6 literal keeps its brackets
};

std::optional<UrlParts> ParseUrl(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> url(curl_url(), curl_url_cleanup);
  if (!url) return std::nullopt;
  // Any well-formed scheme parses; which are allowed is decided later, as NotAllowed.
  if (curl_url_set(url.get(), CURLUPART_URL, std::string(text).c_str(), CURLU_NON_SUPPORT_SCHEME) !=
      CURLUE_OK) {
    return std::nullopt;
  }
  auto part = [&](CURLUPart which) -> std::optional<std::string> {
    char* value = nullptr;
    if (curl_url_get(url.get(), which, &value, 0) != CURLUE_OK) return std::nullopt;
    std::string out(value);
    curl_free(value);
    return out;
  };
  auto full = part(CURLUPART_URL), scheme = part(CURLUPART_SCHEME);
  if (!full || !scheme) return std::nullopt;
  // curl refuses an http(s) URL without a host when parsing it; others (file:) may have none.
  std::string h = Lower(part(CURLUPART_HOST).value_or(""));
  if (h.size() > 1 && h.back() == '.') h.pop_back();
  return UrlParts{*full, Lower(*scheme), std::move(h)};
}

std::optional<IpAddress> AddressOf(const sockaddr* address) {
  IpAddress ip;
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(&ip.bytes[12], &in->sin_addr, 4);
    return ip;
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    std::memcpy(ip.bytes.data(), &in6->sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

// A DNS cache and TLS sessions shared by all of a client's requests, under one lock per kind of
// data as curl asks. Connections are not shared this way (curl does not support sharing them
// between threads that run at once): each idle handle keeps its own (IdleHandles).
class CurlShare {
 public:
  CurlShare() : share_(curl_share_init()) {
    if (!share_) return;  // then each request resolves on its own, which still works
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlShare::Lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlShare::Unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~CurlShare() {
    if (share_) curl_share_cleanup(share_);
  }
  CurlShare(const CurlShare&) = delete;
  CurlShare& operator=(const CurlShare&) = delete;

  CURLSH* get() const { return share_; }

 private:
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<CurlShare*>(self)->mutexes_[size_t(data) % CURL_LOCK_DATA_LAST].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<CurlShare*>(self)->mutexes_[size_t(data) % CURL_LOCK_DATA_LAST].unlock();
  }

  CURLSH* share_;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
};

// Idle curl handles kept for the client's next requests. A handle keeps its open connections
// (HTTP keep-alive), so a request to a host asked recently skips the TCP and TLS handshakes: on
// loopback that is ~40% of a small request, over the Internet two or three round trips. At most
// kMaxIdle handles of each kind wait here (the blocking pool's threads use a few at a time); the
// rest are closed. A connection is reused only for the host and port it was opened to, and every
// connection was opened through Transfer::OnOpenSocket under the same policy, so reuse cannot
// reach an address the guard refuses.
template <class Handle, Handle (*New)(), void (*Reset)(Handle), void (*Close)(Handle)>
class IdleHandles {
 public:
  static constexpr size_t kMaxIdle = 8;

  IdleHandles() = default;
  ~IdleHandles() {
    for (Handle handle : idle_) Close(handle);
  }
  IdleHandles(const IdleHandles&) = delete;
  IdleHandles& operator=(const IdleHandles&) = delete;

  // An idle handle, or a new one (null if curl cannot make one).
  Handle Take() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        Handle handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    return New();
  }
  // Back for another request, its options cleared (they point into the finished Transfer).
  void Give(Handle handle) {
    if (!handle) return;
    Reset(handle);
    {
      std::lock_guard lock(mutex_);
      if (idle_.size() < kMaxIdle) {
        idle_.push_back(handle);
        return;
      }
    }
    Close(handle);
  }

 private:
  std::mutex mutex_;
  std::vector<Handle> idle_;
};

// A multi handle has its own connections: its easy handles use them instead of their own, so a
// batch reuses connections only through a kept multi handle.
CURLM* NewMulti() {
  return curl_multi_init();
}
void ResetMulti(CURLM*) {}  // its easy handles are removed by Multi; nothing else to clear
void CloseMulti(CURLM* multi) {
  curl_multi_cleanup(multi);
}
using IdleEasyHandles = IdleHandles<CURL*, &curl_easy_init, &curl_easy_reset, &curl_easy_cleanup>;
using IdleMultiHandles = IdleHandles<CURLM*, &NewMulti, &ResetMulti, &CloseMulti>;

// What every request of one client shares: the policy, its allow list made ready for matching,
// the caches and the idle handles.
struct Client {
  explicit Client(HttpPolicy p) : policy(std::move(p)) {
    for (const std::string& entry : policy.allow_list) {
      std::string_view e = entry;
      if (e.size() > 2 && e.front() == '[' && e.back() == ']') e = e.substr(1, e.size() - 2);
      if (auto range = ParseIpRange(e)) {
        allowed_ranges.push_back(*range);
      } else {
        std::string host = Lower(entry);
        if (host.size() > 1 && host.back() == '.') host.pop_back();
        allowed_hosts.push_back(std::move(host));
      }
    }
  }

  // Whether a request on its way to `host` (lazily computed: it costs a URL parse) may connect
  // to `address`.
  template <typename HostFn>
  bool MayConnect(const IpAddress& address, HostFn host) const {
    if (policy.allow_private_addresses || ClassifyAddress(address) == AddressKind::Public) {
      return true;
    }
    for (const IpRange& range : allowed_ranges)
      if (range.Contains(address)) return true;
    if (allowed_hosts.empty()) return false;
    const std::string h = host();
    return std::find(allowed_hosts.begin(), allowed_hosts.end(), h) != allowed_hosts.end();
  }

  HttpPolicy policy;
  std::vector<IpRange> allowed_ranges;
  std::vector<std::string> allowed_hosts;  // lower case, no trailing dot
  CurlShare share;
  // Taken and given back by requests running at once: they lock for themselves.
  mutable IdleEasyHandles easy_handles;
  mutable IdleMultiHandles multi_handles;
};

struct OptionSetter;

// One request in flight: its curl handle and what curl's callbacks collect. Neither copied nor
// moved, as curl holds pointers to it.
class Transfer {
 public:
  explicit Transfer(const Client& client) : client_(client) {}
  ~Transfer() {
    client_.easy_handles.Give(easy_);
    if (header_list_) curl_slist_free_all(header_list_);
  }
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Checks the request as pink does, then sets up the handle to run it by `deadline`. The single
  // and the batch path both start here.
  Expected<void, HttpRequestError> Prepare(const HttpRequest& request, Deadline deadline);
  CURL* easy() const { return easy_; }
  // The outcome once curl is done with `code`.
  HttpResult Finish(CURLcode code);

 private:
  Expected<void, HttpRequestError> CheckHeaders(const HttpRequest& request) const;
  Expected<void, HttpRequestError> SetUp(const HttpRequest& request, const UrlParts& url,
                                         Deadline deadline);
  void SetConnectionOptions(OptionSetter& set, const UrlParts& url, Deadline deadline);
  void SetMethodAndBody(OptionSetter& set, const HttpRequest& request, bool sends_body);
  bool BuildHeaderList(const HttpRequest& request, bool sends_body);
  void StartResponse(std::string_view status_line);
  bool AddResponseHeader(std::string_view line);
  std::string CurrentHost() const;

  static size_t OnHeader(char* data, size_t size, size_t count, void* self);
  static size_t OnBody(char* data, size_t size, size_t count, void* self);
  static curl_socket_t OnOpenSocket(void* self, curlsocktype purpose, curl_sockaddr* address);

  const Client& client_;
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  HttpResponse response_;
  // The response being received: a redirect or an interim 1xx may be followed by another.
  bool may_be_interim_ = false;
  size_t response_header_count_ = 0;
  bool response_has_too_many_headers_ = false;
  bool body_started_ = false;
  // Why curl was stopped, or refused a connection, so that its error maps to ours.
  bool refused_address_ = false;
  bool aborted_too_large_ = false;
  bool aborted_too_many_headers_ = false;
};

Expected<void, HttpRequestError> Transfer::Prepare(const HttpRequest& request, Deadline deadline) {
  // Phala's order: the time budget, the URL, the method, the headers; the scheme only when
  // sending.
  if (Clock::now() >= deadline) return unexpected(HttpRequestError::Timeout);
  auto url = ParseUrl(request.url);
  if (!url) return unexpected(HttpRequestError::InvalidUrl);
  if (!IsToken(request.method)) return unexpected(HttpRequestError::InvalidMethod);
  PHAT_TRY_VOID(CheckHeaders(request));
  if (url->scheme != "http" && url->scheme != "https") {
    return unexpected(HttpRequestError::NotAllowed);
  }
  return SetUp(request, *url, deadline);
}

Expected<void, HttpRequestError> Transfer::CheckHeaders(const HttpRequest& request) const {
  if (request.headers.size() > client_.policy.max_request_headers) {
    return unexpected(HttpRequestError::TooManyHeaders);
  }
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || name.size() > kMaxHeaderNameBytes) {
      return unexpected(HttpRequestError::InvalidHeaderName);
    }
    if (!IsValidHeaderValue(value)) return unexpected(HttpRequestError::InvalidHeaderValue);
  }
  return {};
}

// Which requests carry a body: any that has one but HEAD, and POST, PUT and PATCH always, an
// empty one as "Content-Length: 0" (servers wait for the body of these otherwise).
bool SendsBody(const HttpRequest& request) {
  const std::string& method = request.method;
  return method == "POST" || method == "PUT" || method == "PATCH" ||
         (!request.body.empty() && method != "HEAD");
}

// Sets curl options one after another and keeps the first failure.
struct OptionSetter {
  template <typename T>
  void operator()(CURLoption option, T value) {
    if (result == CURLE_OK) result = curl_easy_setopt(easy, option, value);
  }
  CURL* easy;
  CURLcode result = CURLE_OK;
};

Expected<void, HttpRequestError> Transfer::SetUp(const HttpRequest& request, const UrlParts& url,
                                                 Deadline deadline) {
  easy_ = client_.easy_handles.Take();
  if (!easy_) return unexpected(HttpRequestError::FailedToCreateClient);
  const bool sends_body = SendsBody(request);
  if (!BuildHeaderList(request, sends_body)) {
    return unexpected(HttpRequestError::FailedToCreateClient);
  }
  OptionSetter set{easy_};
  SetConnectionOptions(set, url, deadline);
  SetMethodAndBody(set, request, sends_body);
  if (set.result != CURLE_OK) return unexpected(HttpRequestError::FailedToCreateClient);
  return {};
}

// Where the request may go, how long it may take, and the callbacks that watch it.
void Transfer::SetConnectionOptions(OptionSetter& set, const UrlParts& url, Deadline deadline) {
  const long max_redirects = client_.policy.max_redirects;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  set(CURLOPT_URL, url.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, long(max_redirects > 0));
  set(CURLOPT_MAXREDIRS, std::max(max_redirects, 0L));
  set(CURLOPT_PROXY, "");  // "" also ignores the *_proxy environment variables
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: many threads run requests
  set(CURLOPT_TIMEOUT_MS, long(std::max<int64_t>(left.count(), 1)));
  if (client_.share.get()) set(CURLOPT_SHARE, client_.share.get());
  set(CURLOPT_OPENSOCKETFUNCTION, &Transfer::OnOpenSocket);
  set(CURLOPT_OPENSOCKETDATA, this);
  set(CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  set(CURLOPT_HEADERDATA, this);
  set(CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  set(CURLOPT_WRITEDATA, this);
  set(CURLOPT_HTTPHEADER, header_list_);
}

// curl's POST for POST, a custom method with the body for the rest: curl turns a POST into a GET
// on a 301/302/303 as browsers do, and keeps a custom method.
void Transfer::SetMethodAndBody(OptionSetter& set, const HttpRequest& request, bool sends_body) {
  const std::string& method = request.method;
  if (method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
    return;
  }
  if (method == "GET" && !sends_body) {
    set(CURLOPT_HTTPGET, 1L);
    return;
  }
  if (method != "POST") set(CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!sends_body) return;
  // A non-null pointer even for an empty body: with none, curl would read the body from stdin.
  static const char kNoBody[] = "";
  set(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
  set(CURLOPT_POSTFIELDS,
      request.body.empty() ? kNoBody : reinterpret_cast<const char*>(request.body.data()));
}

// The request's headers, the last of each name winning (Phala's client inserts them into a map),
// and none of curl's own that the request did not ask for.
bool Transfer::BuildHeaderList(const HttpRequest& request, bool sends_body) {
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  for (const auto& [name, value] : request.headers) {
    auto same = std::find_if(headers.begin(), headers.end(),
                             [&](const auto& h) { return EqualsIgnoringCase(h.first, name); });
    if (same != headers.end()) {
      same->second = value;
    } else {
      headers.emplace_back(name, value);
    }
  }
  auto has = [&](std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return EqualsIgnoringCase(h.first, name); });
  };
  std::vector<std::string> lines;
  for (const auto& [name, value] : headers) {
    // "Name:" would tell curl to drop the header; "Name;" sends it empty.
    lines.push_back(value.empty() ? std::string(name) + ";"
                                  : std::string(name) + ": " + std::string(value));
  }
  // Unasked, curl labels a POST body as a form and may wait for "100 Continue" before sending it.
  if (sends_body && !has("Content-Type")) lines.push_back("Content-Type:");
  if (!has("Expect")) lines.push_back("Expect:");
  for (const std::string& line : lines) {
    curl_slist* next = curl_slist_append(header_list_, line.c_str());
    if (!next) return false;
    header_list_ = next;
  }
  return true;
}

// A status line begins a response; what came before belonged to a redirect or an interim one.
void Transfer::StartResponse(std::string_view status_line) {
  int code = 0;
  const size_t space = status_line.find(' ');
  if (space != std::string_view::npos) {
    std::string_view rest = status_line.substr(space + 1);
    for (size_t i = 0; i < rest.size() && i < 3 && rest[i] >= '0' && rest[i] <= '9'; ++i)
      code = code * 10 + (rest[i] - '0');
  }
  const bool follows = client_.policy.max_redirects > 0 && code >= 300 && code < 400;
  may_be_interim_ = code < 200 || follows;
  response_.headers.clear();
  response_.body.clear();
  response_header_count_ = 0;
  response_has_too_many_headers_ = false;
  body_started_ = false;
}

// Returns false to stop the transfer: the response is final and has too many headers.
bool Transfer::AddResponseHeader(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') {  // an obsolete folded continuation
    if (!response_.headers.empty() && !response_has_too_many_headers_) {
      auto& value = response_.headers.back().second;
      const size_t start = line.find_first_not_of(" \t");
      std::string_view more = start == std::string_view::npos ? "" : line.substr(start);
      if (!value.empty() && !more.empty() && IsVisibleAscii(more)) value += " " + std::string(more);
    }
    return true;
  }
  if (++response_header_count_ > client_.policy.max_response_headers) {
    if (!may_be_interim_) return false;
    response_has_too_many_headers_ = true;  // decided if this response turns out final
    return true;
  }
  const size_t colon = line.find(':');
  std::string_view name = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  const size_t first = value.find_first_not_of(" \t");
  value = first == std::string_view::npos ? "" : value.substr(first);
  value = value.substr(0, value.find_last_not_of(" \t") + 1);
  response_.headers.emplace_back(Lower(name), IsVisibleAscii(value) ? std::string(value) : "");
  return true;
}

size_t Transfer::OnHeader(char* data, size_t size, size_t count, void* self_ptr) {
  auto& self = *static_cast<Transfer*>(self_ptr);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    self.StartResponse(line);
  } else if (!line.empty() && !self.body_started_) {  // after the body come trailers: skipped
    if (!self.AddResponseHeader(line)) {
      self.aborted_too_many_headers_ = true;
      return 0;  // any other count than `bytes` stops the transfer
    }
  }
  return bytes;
}

size_t Transfer::OnBody(char* data, size_t size, size_t count, void* self_ptr) {
  auto& self = *static_cast<Transfer*>(self_ptr);
  const size_t bytes = size * count;
  self.body_started_ = true;
  Bytes& body = self.response_.body;
  if (bytes > self.client_.policy.max_response_body - body.size()) {
    self.aborted_too_large_ = true;
    return 0;  // stops the transfer now, not after the rest has arrived
  }
  body.insert(body.end(), data, data + bytes);
  return bytes;
}

// The host of the hop under way: curl moves its effective URL to a redirect's target before
// connecting there.
std::string Transfer::CurrentHost() const {
  char* effective = nullptr;
  if (curl_easy_getinfo(easy_, CURLINFO_EFFECTIVE_URL, &effective) != CURLE_OK || !effective) {
    return "";
  }
  auto url = ParseUrl(effective);
  return url ? url->host : "";
}

// Every connection curl makes comes through here with the address it is about to connect to,
// after DNS and on every redirect hop: the place to keep contracts off the worker's network.
curl_socket_t Transfer::OnOpenSocket(void* self_ptr, curlsocktype purpose, curl_sockaddr* address) {
  auto& self = *static_cast<Transfer*>(self_ptr);
  auto ip = AddressOf(&address->addr);
  if (purpose != CURLSOCKTYPE_IPCXN || !ip ||
      !self.client_.MayConnect(*ip, [&] { return self.CurrentHost(); })) {
    self.refused_address_ = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

HttpResult Transfer::Finish(CURLcode code) {
  if (code == CURLE_OK) {
    if (response_has_too_many_headers_) return unexpected(HttpRequestError::TooManyHeaders);
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    response_.status_code = uint16_t(status);
    response_.reason_phrase = std::string(StandardReason(status));
    return std::move(response_);
  }
  // Our own reasons first: curl reports them only as a failed write or connect.
  if (aborted_too_large_) return unexpected(HttpRequestError::ResponseTooLarge);
  if (aborted_too_many_headers_) return unexpected(HttpRequestError::TooManyHeaders);
  if (refused_address_) return unexpected(HttpRequestError::NotAllowed);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return unexpected(HttpRequestError::Timeout);
    case CURLE_UNSUPPORTED_PROTOCOL:
      return unexpected(HttpRequestError::NotAllowed);  // a redirect
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
      return unexpected(HttpRequestError::FailedToCreateClient);
    default:
      return unexpected(HttpRequestError::NetworkError);
  }
}

// A multi handle taken from the client's idle ones for one batch: it takes its easy handles out
// again before they go back, and then goes back itself.
class Multi {
 public:
  explicit Multi(const Client& client) : client_(client), multi_(client.multi_handles.Take()) {}
  ~Multi() {
    for (CURL* easy : added_) curl_multi_remove_handle(multi_, easy);
    client_.multi_handles.Give(multi_);
  }
  Multi(const Multi&) = delete;
  Multi& operator=(const Multi&) = delete;

  CURLM* get() const { return multi_; }
  bool Add(CURL* easy) {
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) return false;
    added_.push_back(easy);
    return true;
  }

 private:
  const Client& client_;
  CURLM* multi_;
  std::vector<CURL*> added_;
};

}  // namespace

struct HttpClient::Impl {
  explicit Impl(HttpPolicy policy) : client(std::move(policy)) {}
  Client client;
};

std::string_view HttpRequestErrorName(HttpRequestError error) {
  switch (error) {
#define PHAT_X(name, text)     \
  case HttpRequestError::name: \
    return #name;
    PHAT_HTTP_REQUEST_ERRORS(PHAT_X)
#undef PHAT_X
  }
  return "Unknown";
}

std::string_view HttpRequestErrorText(HttpRequestError error) {
  switch (error) {
#define PHAT_X(name, text)     \
  case HttpRequestError::name: \
    return text;
    PHAT_HTTP_REQUEST_ERRORS(PHAT_X)
#undef PHAT_X
  }
  return "Unknown";
}

HttpClient::HttpClient(HttpPolicy policy) {
  EnsureCurl();
  impl_ = std::make_unique<Impl>(std::move(policy));
}

HttpClient::~HttpClient() = default;

const HttpPolicy& HttpClient::policy() const {
  return impl_->client.policy;
}

HttpResult HttpClient::Fetch(const HttpRequest& request, Deadline deadline) const {
  Transfer transfer(impl_->client);
  PHAT_TRY_VOID(transfer.Prepare(request, deadline));
  return transfer.Finish(curl_easy_perform(transfer.easy()));
}

Expected<std::vector<HttpResult>, HttpRequestError> HttpClient::FetchBatch(
    std::span<const HttpRequest> requests, Deadline deadline) const {
  if (requests.size() > impl_->client.policy.max_batch) {
    return unexpected(HttpRequestError::TooManyRequests);
  }
  std::vector<HttpResult> results(requests.size(), unexpected(HttpRequestError::NetworkError));
  std::vector<std::unique_ptr<Transfer>> transfers;
  Multi multi(impl_->client);
  if (!multi.get()) return unexpected(HttpRequestError::FailedToCreateClient);
  size_t running = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    transfers.push_back(std::make_unique<Transfer>(impl_->client));
    auto prepared = transfers[i]->Prepare(requests[i], deadline);
    if (!prepared) {
      results[i] = unexpected(prepared.error());
    } else if (!multi.Add(transfers[i]->easy())) {
      results[i] = unexpected(HttpRequestError::FailedToCreateClient);
    } else {
      ++running;
    }
  }
  const Deadline give_up = deadline + kBatchGrace;
  while (running > 0) {
    int still_running = 0;
    if (curl_multi_perform(multi.get(), &still_running) != CURLM_OK) {
      return unexpected(HttpRequestError::FailedToCreateClient);
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      for (size_t i = 0; i < transfers.size(); ++i) {
        if (transfers[i]->easy() == msg->easy_handle) {
          results[i] = transfers[i]->Finish(msg->data.result);
          --running;
        }
      }
    }
    if (running == 0) break;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(give_up - Clock::now());
    if (left.count() <= 0) return unexpected(HttpRequestError::Timeout);
    curl_multi_poll(multi.get(), nullptr, 0, int(std::min<int64_t>(left.count(), 1000)), nullptr);
  }
  return results;
}

Deadline BatchDeadline(uint64_t timeout_ms, Deadline query_deadline, Deadline now) {
  // Compared as counts: a huge timeout_ms must not overflow the clock's range.
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(query_deadline - now);
  if (left.count() <= 0 || timeout_ms >= uint64_t(left.count())) return query_deadline;
  return now + std::chrono::milliseconds(timeout_ms);
}

HttpResult SingleRequestResult(HttpRequestError error) {
  switch (error) {
    case HttpRequestError::InvalidUrl:
    case HttpRequestError::InvalidMethod:
    case HttpRequestError::InvalidHeaderName:
    case HttpRequestError::InvalidHeaderValue:
    case HttpRequestError::FailedToCreateClient:
      return unexpected(error);
    case HttpRequestError::Timeout:
    case HttpRequestError::NetworkError: {
      const std::string_view name = HttpRequestErrorName(error);
      return HttpResponse{523, "Unreachable", {}, Bytes(name.begin(), name.end())};
    }
    default: {
      const std::string_view name = HttpRequestErrorName(error);
      return HttpResponse{524, "IO Error", {}, Bytes(name.begin(), name.end())};
    }
  }
}

}  // namespace phat::pink
