#include "cli/node_client.h"

#include <fmt/format.h>
#include <httplib.h>

#include <utility>

namespace phat::cli {
namespace {

using nlohmann::json;

// The node waits up to 30 s for a command's block (POST /commands with "wait"), so reading
// must outlast that; connecting should fail fast, since the usual cause is a node not running.
constexpr auto kConnectTimeout = std::chrono::seconds(3);
constexpr auto kReadTimeout = std::chrono::seconds(40);

}  // namespace

NodeClient::NodeClient(std::string url, std::unique_ptr<httplib::Client> client)
    : url_(std::move(url)), client_(std::move(client)) {}

NodeClient::~NodeClient() = default;

Expected<std::unique_ptr<NodeClient>, std::string> NodeClient::Connect(std::string url) {
  while (url.ends_with('/')) url.pop_back();
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return unexpected(
        fmt::format("--node wants a URL such as http://127.0.0.1:8000 (got \"{}\")", url));
  auto client = std::make_unique<httplib::Client>(url);
  if (!client->is_valid())
    return unexpected(
        fmt::format("--node wants a URL such as http://127.0.0.1:8000 (got \"{}\")", url));
  client->set_connection_timeout(kConnectTimeout);
  client->set_read_timeout(kReadTimeout);
  client->set_write_timeout(kReadTimeout);
  return std::unique_ptr<NodeClient>(new NodeClient(std::move(url), std::move(client)));
}

namespace {

Expected<json, NodeError> Answer(const std::string& url, const std::string& what,
                                 const httplib::Result& res) {
  if (!res) {
    const httplib::Error error = res.error();
    if (error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout)
      return unexpected(NodeError{
          0, fmt::format("cannot reach phatd at {}: is it running? start it with `phatd --dev`, "
                         "or point --node at it",
                         url)});
    return unexpected(NodeError{
        0, fmt::format("{} to phatd at {} failed: {} (is the node overloaded or stopping?)", what,
                       url, httplib::to_string(error))});
  }
  json body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (res->status < 200 || res->status >= 300) {
    // The node's errors are {"error": "…"} and already say what to do; pass them on.
    std::string message = body.is_object() && body.contains("error") && body["error"].is_string()
                              ? body["error"].get<std::string>()
                              : res->body;
    return unexpected(NodeError{
        res->status, fmt::format("phatd refused {} (HTTP {}): {}", what, res->status, message)});
  }
  if (body.is_discarded())
    return unexpected(NodeError{
        0, fmt::format("phatd at {} answered {} with something that is not JSON: is --node "
                       "pointing at phatd?",
                       url, what)});
  // A 202 with an "error" (a command queued but not committed in time) is still an answer;
  // the caller looks at it.
  return body;
}

}  // namespace

Expected<json, NodeError> NodeClient::Get(const std::string& path) {
  return Answer(url_, "GET " + path, client_->Get(path));
}

Expected<json, NodeError> NodeClient::Post(const std::string& path, const json& body) {
  return Answer(url_, "POST " + path, client_->Post(path, body.dump(), "application/json"));
}

Expected<void, NodeError> NodeClient::Follow(const std::string& path,
                                             const std::function<bool(const json&)>& on_line) {
  int status = 0;
  std::string pending;  // a partial line, or a refusal's body
  bool stopped = false;
  auto res = client_->Get(
      path, [&](const httplib::Response& r) { return (status = r.status), true; },
      [&](const char* data, size_t size) {
        pending.append(data, size);
        if (status < 200 || status >= 300) return true;  // collect the error body
        for (size_t end; (end = pending.find('\n')) != std::string::npos;
             pending.erase(0, end + 1)) {
          if (end == 0) continue;
          json line = json::parse(pending.substr(0, end), nullptr, /*allow_exceptions=*/false);
          if (!line.is_discarded() && !on_line(line)) {
            stopped = true;
            return false;
          }
        }
        return true;
      });
  if (stopped) return {};
  if (res && res->status >= 200 && res->status < 300) return {};
  if (res && pending.size()) res->body = pending;
  PHAT_TRY(Answer(url_, "GET " + path, res));
  return {};
}

}  // namespace phat::cli
