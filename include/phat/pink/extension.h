// Phala's pink chain extension (extension 0; ABI.md §6 and §10): the functions that make a Phat
// Contract more than a smart contract — HTTP requests, keys derived in the cluster, signing, a
// local cache, logs, randomness and the worker's clock. Contracts compiled for Phala's pink run
// unmodified: each function takes the SCALE tuple of its arguments and answers with the status
// and output Phala's runtime gives (a Result whose error pink encodes as a status code answers
// status code + empty output; everything else status 0 + the SCALE value).
//
// One table (src/pink/extension.cc) lists every function with what a query gets and what a
// transaction gets instead: a transaction runs on every worker and must end alike everywhere, so
// it gets no network (http_request answers 523), no randomness, no cache reads, no worker key.
//
// The node supplies what lies outside the contract (Services). Functions that wait on the
// network do so only where the query may wait (ExtensionContext::may_wait); elsewhere they stop
// the query with ContractError::Interrupted so that the node runs it again where it can.
//
// Thread safety: Call may run on many threads at once; the services must allow that.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>

#include "phat/contracts/runtime.h"
#include "phat/crypto/hash.h"
#include "phat/pink/cache.h"
#include "phat/pink/http_client.h"
#include "phat/pink/keys.h"

namespace phat::pink {

// pink's log levels (pink::log: 1 Error … 5 Trace). A log line goes to the call's debug output as
// "<level>: <message>\n" (so into the query's answer or the command's receipt, and the node's
// contract logs).
enum class LogLevel : uint8_t { Error = 1, Warn, Info, Debug, Trace };
std::string_view LogLevelName(uint8_t level);  // "error" … "trace", "level ?" for others

// What the pink functions reach beyond the contract. A missing service makes its functions
// answer as on a worker without it (said per member).
struct Services {
  // http_request / batch_http_request: without it a request is unreachable (523).
  const HttpClient* http = nullptr;
  // cache_set / cache_set_expiration / cache_get / cache_remove: without it nothing is kept
  // (a set is refused as over the quota, a get finds nothing).
  Cache* cache = nullptr;
  // derive_sr25519_key: without it the call fails (sign, verify and public keys need no service).
  const ClusterKey* cluster_key = nullptr;
  contracts::AccountId system_contract{};               // system_contract_id
  std::array<uint8_t, 32> worker_pubkey{};              // worker_pubkey (queries)
  std::pair<uint32_t, uint32_t> runtime_version{1, 2};  // 1.2: js_eval and sgx quote exist
};

class PinkExtension final : public contracts::ChainExtension {
 public:
  explicit PinkExtension(Services services);
  ~PinkExtension() override;

  Expected<contracts::ExtensionResult, contracts::Error> Call(
      uint16_t func_id, ByteView input, contracts::ExtensionContext& context) override;

  // The extension's function ids and names, in id order (for docs and tests).
  static std::vector<std::pair<uint16_t, std::string_view>> Functions();

 private:
  Services services_;
};

}  // namespace phat::pink
