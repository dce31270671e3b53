// A test fixture: one message per call of <phat/sdk/eth/rpc.h>, each given the node's URL and
// answering what the client decoded — Ok(value), or Err(RpcError) (which reverts, as any Err does,
// with the error as the output) — so that tests/eth/eth_rpc_test.cc can run it against ganache and
// against servers that misbehave. Queries only: HTTP runs in queries.
#include <phat/sdk.h>

using namespace phat::sdk;
namespace rpc = phat::sdk::eth::rpc;

struct EthRpcCalls {
  PHAT_FIELDS(EthRpcCalls);

  void New() {}

  rpc::RpcResult<u64> ChainId(String url) const { return rpc::Client(url).ChainId(); }
  // ChainId with the client's options given: the timeout (0: http_request) and the size limit.
  rpc::RpcResult<u64> ChainIdWith(String url, u64 timeout_ms, u32 max_response) const {
    return rpc::Client(url, {.timeout_ms = timeout_ms, .max_response = max_response}).ChainId();
  }
  rpc::RpcResult<u64> Nonce(String url, eth::Address address, bool pending) const {
    return rpc::Client(url).GetTransactionCount(
        address, pending ? rpc::BlockTag::Pending : rpc::BlockTag::Latest);
  }
  rpc::RpcResult<u128> Balance(String url, eth::Address address) const {
    return rpc::Client(url).GetBalance(address);
  }
  rpc::RpcResult<u128> GasPrice(String url) const { return rpc::Client(url).GasPrice(); }
  rpc::RpcResult<u128> PriorityFee(String url) const {
    return rpc::Client(url).MaxPriorityFeePerGas();
  }
  rpc::RpcResult<u128> BaseFee(String url) const { return rpc::Client(url).NextBaseFeePerGas(); }
  rpc::RpcResult<Bytes> Call(String url, eth::Address to, Bytes data) const {
    return rpc::Client(url).Call({.from = None, .to = to, .value = None, .data = data});
  }
  rpc::RpcResult<u64> EstimateGas(String url, eth::Address from, eth::Address to,
                                  Bytes data) const {
    return rpc::Client(url).EstimateGas({.from = from, .to = to, .value = None, .data = data});
  }
  rpc::RpcResult<rpc::RawHash> SendRaw(String url, Bytes raw) const {
    return rpc::Client(url).SendRawTransaction(raw);
  }
  rpc::RpcResult<Option<rpc::Receipt>> Receipt(String url, rpc::RawHash hash) const {
    return rpc::Client(url).GetTransactionReceipt(hash);
  }
  // Two calls on one client: the second must carry the next id (checked against its answer).
  rpc::RpcResult<Tuple<u64, u128>> ChainIdAndGasPrice(String url) const {
    rpc::Client client(url);
    auto chain = client.ChainId();
    if (chain.is_err()) return Err(chain.error());
    auto price = client.GasPrice();
    if (price.is_err()) return Err(price.error());
    return Ok(Tuple<u64, u128>(chain.value(), price.value()));
  }
};

// clang-format off: one item per line
PHAT_CONTRACT(EthRpcCalls,
              Constructor<&EthRpcCalls::New>("new"),
              Message<&EthRpcCalls::ChainId>("chain_id").Args("url"),
              Message<&EthRpcCalls::ChainIdWith>("chain_id_with")
                  .Args("url", "timeout_ms", "max_response"),
              Message<&EthRpcCalls::Nonce>("nonce").Args("url", "address", "pending"),
              Message<&EthRpcCalls::Balance>("balance").Args("url", "address"),
              Message<&EthRpcCalls::GasPrice>("gas_price").Args("url"),
              Message<&EthRpcCalls::PriorityFee>("priority_fee").Args("url"),
              Message<&EthRpcCalls::BaseFee>("base_fee").Args("url"),
              Message<&EthRpcCalls::Call>("call").Args("url", "to", "data"),
              Message<&EthRpcCalls::EstimateGas>("estimate_gas").Args("url", "from", "to", "data"),
              Message<&EthRpcCalls::SendRaw>("send_raw").Args("url", "raw"),
              Message<&EthRpcCalls::Receipt>("receipt").Args("url", "hash"),
              Message<&EthRpcCalls::ChainIdAndGasPrice>("chain_id_and_gas_price").Args("url"));
// clang-format on
