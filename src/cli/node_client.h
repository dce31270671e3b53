// The `phat` CLI's view of a running phatd: its HTTP/JSON API (docs/API.md) as a few calls that
// return JSON or an error message meant for the user, which says what to do (start the node,
// fix the argument the node refused). Nothing here knows about contracts or keys.
//
// Thread safety: a NodeClient is used from one thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "phat/base/expected.h"

namespace httplib {
class Client;
}

namespace phat::cli {

// Why a request failed. The node's own refusals (an HTTP status with {"error": …}) keep the
// status, so that callers can tell "no such receipt yet" (404) from the rest.
struct NodeError {
  int status = 0;  // 0: no answer at all (unreachable, timed out, not JSON)
  std::string message;
};

class NodeClient {
 public:
  // `url` is http://HOST:PORT (a trailing slash is fine). Fails on a URL httplib cannot use.
  static Expected<std::unique_ptr<NodeClient>, std::string> Connect(std::string url);
  ~NodeClient();

  const std::string& url() const { return url_; }

  // A 2xx answer's JSON body; any other status or no answer is a NodeError.
  Expected<nlohmann::json, NodeError> Get(const std::string& path);
  Expected<nlohmann::json, NodeError> Post(const std::string& path, const nlohmann::json& body);
  // Reads a newline-delimited JSON stream (GET with follow=true), calling `on_line` for each
  // line, until the node ends it or `on_line` returns false. Blank lines (keep-alives) are
  // skipped. A refusal is a NodeError as for Get.
  Expected<void, NodeError> Follow(const std::string& path,
                                   const std::function<bool(const nlohmann::json&)>& on_line);

 private:
  NodeClient(std::string url, std::unique_ptr<httplib::Client> client);
  std::string url_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace phat::cli
