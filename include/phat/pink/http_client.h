// The HTTP client behind pink's http_request (func id 1) and batch_http_request (id 22), which
// let a contract's query reach the Internet (ABI.md §6, §10): any method, headers and body to an
// http or https URL, and the status, headers and body back. libcurl underneath: TLS verified
// against the system's CA store, redirects followed (to http and https only), no proxy taken
// from the environment (a contract's traffic must not be rerouted by a variable the operator
// set for something else), the response body and headers bounded, one deadline for everything.
//
// The worker's own network is guarded: unless the policy allows private addresses, a request
// may not connect to a loopback, private, link-local, shared (CGNAT), multicast or reserved
// address (ip_address.h). The check is on each address actually connected to, after DNS and on
// every redirect hop, so neither a host name nor a redirect leads a contract inside; the
// policy's allow list names hosts and ranges that are reachable all the same.
//
// Requests are checked as Phala's pink runtime checks them (crates/pink/chain-extension in
// phala-blockchain, which builds a reqwest request), in its order: time left, URL, method,
// headers, and the scheme last. A method is an RFC 9110 token, a header name a token of at most
// 65535 bytes, a header value any bytes but control characters (tab allowed); more than 256
// request headers is TooManyHeaders, and a later header of the same name (case-insensitive)
// replaces an earlier one. Responses carry header names in lower case, a value that is not
// visible ASCII as "" and the code's standard reason phrase, not the server's, as Phala's do.
// A redirect to another host leaves the Authorization and Cookie headers behind, as Phala's
// client does; a POST answered with 301, 302 or 303 goes on as a GET, and any other method is
// kept.
//
// Thread safety: an HttpClient may be used from any number of threads at once. Each request has
// its own curl handles; the DNS cache and TLS sessions are shared under locks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"

namespace phat::pink {

// pink's HttpRequest and HttpResponse (pink's chain_extension/http_request.rs). Their SCALE
// coding belongs to the chain extension, not here.
struct HttpRequest {
  std::string url;
  std::string method;
  std::vector<std::pair<std::string, std::string>> headers;
  Bytes body;
};

struct HttpResponse {
  uint16_t status_code = 0;
  std::string reason_phrase;  // "OK", "Not Found"; "" for a code without a standard phrase
  std::vector<std::pair<std::string, std::string>> headers;  // in the order received
  Bytes body;
  friend bool operator==(const HttpResponse&, const HttpResponse&) = default;
};

// pink's HttpRequestError, in pink's order: SCALE encodes the position, and a chain extension
// status code is the position + 1. The text is pink's display() text.
#define PHAT_HTTP_REQUEST_ERRORS(X)                  \
  X(InvalidUrl, "Invalid URL")                       \
  X(InvalidMethod, "Invalid method")                 \
  X(InvalidHeaderName, "Invalid header name")        \
  X(InvalidHeaderValue, "Invalid header value")      \
  X(FailedToCreateClient, "Failed to create client") \
  X(Timeout, "Timeout")                              \
  X(NotAllowed, "Not allowed")                       \
  X(TooManyRequests, "Too many requests")            \
  X(NetworkError, "Network error")                   \
  X(ResponseTooLarge, "Response too large")          \
  X(TooManyHeaders, "Too many headers")

enum class HttpRequestError : uint8_t {
#define PHAT_X(name, text) name,
  PHAT_HTTP_REQUEST_ERRORS(PHAT_X)
#undef PHAT_X
};
std::string_view HttpRequestErrorName(HttpRequestError error);  // "ResponseTooLarge"
std::string_view HttpRequestErrorText(HttpRequestError error);  // "Response too large"

using HttpResult = Expected<HttpResponse, HttpRequestError>;
using Deadline = std::chrono::steady_clock::time_point;

struct HttpPolicy {
  // Whether contracts may reach non-public addresses at all (a development cluster's local
  // services); off in production.
  bool allow_private_addresses = false;
  // Reachable even if not public: a host name as written in URLs ("api.internal"), an address
  // ("10.0.0.5", "::1") or a CIDR range ("10.1.0.0/16"). A host name lifts the guard for the
  // addresses that name resolves to, on the hops that go to it.
  std::vector<std::string> allow_list;
  size_t max_response_body = 2 << 20;  // bytes; more is ResponseTooLarge (Phala: 2 MiB)
  size_t max_response_headers = 256;   // of the final response; more is TooManyHeaders
  size_t max_request_headers = 256;    // Phala's limit; more is TooManyHeaders
  size_t max_batch = 5;                // requests in one batch; more is TooManyRequests (Phala: 5)
  // Redirects followed per request; a further one is NetworkError (as Phala's client fails it).
  // 0 returns a redirect response as it is.
  int max_redirects = 5;
};

class HttpClient {
 public:
  // How long after its deadline a batch as a whole gives up (Phala's batch cap is the requests'
  // timeout + 200 ms): each request ends at the deadline by itself, so this is a safety net.
  static constexpr std::chrono::milliseconds kBatchGrace{200};

  explicit HttpClient(HttpPolicy policy = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const HttpPolicy& policy() const;

  // One request with everything (DNS, connecting, TLS, redirects, the body) done by `deadline`.
  // Timeout if the deadline has passed before it starts or while it runs; NetworkError when the
  // host is not found, refuses or breaks the connection, or TLS fails; NotAllowed for a guarded
  // address or a scheme other than http and https.
  HttpResult Fetch(const HttpRequest& request, Deadline deadline) const;

  // Up to policy().max_batch requests at once, each given until `deadline` and each with its own
  // result. More requests than that is TooManyRequests, and a batch not done kBatchGrace after
  // the deadline is Timeout, both for the whole batch.
  Expected<std::vector<HttpResult>, HttpRequestError> FetchBatch(
      std::span<const HttpRequest> requests, Deadline deadline) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The deadline for the requests of batch_http_request(requests, timeout_ms) in a query that must
// end by `query_deadline`: the timeout from `now`, but no later than the query (Phala:
// min(timeout_ms, time left in the query)).
Deadline BatchDeadline(uint64_t timeout_ms, Deadline query_deadline,
                       Deadline now = std::chrono::steady_clock::now());

// What pink's http_request (id 1) gives a contract for a request that failed with `error`. Phala
// returns an error, so the call fails, only for the errors its first runtime knew of: InvalidUrl,
// InvalidMethod, InvalidHeaderName, InvalidHeaderValue, FailedToCreateClient (and Timeout, but
// only for a zero budget; see below). A request that never got a response (no connection,
// timed out, too many redirects: Timeout and NetworkError here) is a response 523 "Unreachable";
// any other error is a response 524 "IO Error" whose body is the error's name. Phala's 523 body
// is its HTTP library's error text, which phat cannot reproduce: here it is the error's name too.
// Differences: Phala fails the call with Timeout when the query has no time left at all, where
// this gives 523; a connection broken in the middle of the body is 524 there, 523 here; and a
// scheme other than http(s) is 523 there, NotAllowed so 524 here. In Phala's batch_http_request
// too, a request that got no response is an Ok item 523 "Unreachable", not an error item.
HttpResult SingleRequestResult(HttpRequestError error);

}  // namespace phat::pink
