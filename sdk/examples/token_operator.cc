// Token operator: a phat contract that holds an Ethereum account and operates an ERC-20 with it,
// the Phat Contract model's headline use. Its secp256k1 key is derived in the cluster
// (eth::SigningKey::Derive("ethereum")): only this contract can sign with it, it is the same on
// every worker of the cluster and after restarts, and it never leaves the worker.
//
// The owner (who instantiated it) points it at a chain with configure(rpc_url, token), a command,
// so the setting is on chain. The rest are queries, since only queries reach the web:
//   eth_address()         the contract's Ethereum address: fund it with ETH for gas, and tokens;
//   token_balance()       the token's balanceOf(eth_address()), by eth_call;
//   eth_balance()         its ETH, in wei;
//   transfer(to, amount)  owner only (queries are signed, so the caller is who signed): an
//                         EIP-1559 transaction calling token.transfer(to, amount), signed inside
//                         the contract and sent; answers the transaction's hash;
//   receipt(hash)         the transaction's receipt once it is mined, None before.
//
// Errors say what went wrong where a user can act on it: the endpoint unreachable or too slow
// (each call waits at most 5 s, so that the query still has the time to say so), the node
// refusing the transaction (its own words: a nonce too low, funds too short), a call the token
// reverts (with its reason), an answer that is not what JSON-RPC promises.
//
// Amounts are u128 in the messages (an ERC-20 amount is a uint256 on chain; one that does not fit
// is the error AmountTooLarge), so that a user can type them.
#include <phat/sdk.h>

using namespace phat::sdk;
using eth::rpc::RpcError;
using eth::rpc::RpcErrorKind;

PHAT_ENUM(ErrorKind,
          NotOwner,         // only the owner may configure or transfer
          NotConfigured,    // configure() has not been called yet
          InTransaction,    // a query's job: a transaction reaches no network
          Unreachable,      // no answer from the RPC endpoint (refused, no such host, …)
          Timeout,          // the endpoint did not answer in time
          HttpStatus,       // the endpoint answered HTTP, but not 200 (code: the status)
          TooLarge,         // the answer is larger than this contract accepts
          Malformed,        // the answer is not the JSON-RPC answer it should be
          Rejected,         // the node refused (message and code are its own)
          Reverted,         // the token reverted the call (message: its reason, data: raw)
          AmountTooLarge);  // a token amount does not fit a u128

struct Error {
  ErrorKind kind = ErrorKind::Malformed;
  String message;  // what happened, in the node's words where it has any
  i64 code = 0;    // Rejected, Reverted: the JSON-RPC error code; HttpStatus: the HTTP status
  Bytes data;      // Reverted: the revert data
  PHAT_FIELDS(Error, kind, message, code, data);
};

template <class T>
using Outcome = Result<T, Error>;

namespace {

Error Fail(ErrorKind kind, const char* message) {
  return Error{kind, String(message), 0, {}};
}

// "Error(string)", the revert reason Solidity's require and revert give.
constexpr u8 kErrorSelector[4] = {0x08, 0xc3, 0x79, 0xa0};

bool StartsWith(const void* data, u32 size, const void* prefix, u32 n) {
  if (size < n) return false;
  for (u32 i = 0; i < n; ++i) {
    if (static_cast<const u8*>(data)[i] != static_cast<const u8*>(prefix)[i]) return false;
  }
  return true;
}

bool IsRevert(const RpcError& e) {
  const char* words = "execution reverted";
  return e.data.size() > 0 ||
         StartsWith(e.message.data(), e.message.size(), words, static_cast<u32>(StrLen(words)));
}

// The reason inside revert data that carries one, else the node's message.
String RevertReason(const RpcError& e) {
  if (StartsWith(e.data.data(), e.data.size(), kErrorSelector, 4)) {
    Result<String, eth::AbiError> reason =
        eth::abi::Decode<String>(Bytes(e.data.data() + 4, e.data.size() - 4));
    if (reason.is_ok()) return reason.value();
  }
  return e.message;
}

Error FromRpc(const RpcError& e) {
  switch (e.kind) {
    case RpcErrorKind::Unreachable:
      return Error{ErrorKind::Unreachable, e.message, e.http_status, {}};
    case RpcErrorKind::Timeout:
      return Error{ErrorKind::Timeout, e.message, e.http_status, {}};
    case RpcErrorKind::HttpStatus:
      return Error{ErrorKind::HttpStatus, e.message, e.http_status, {}};
    case RpcErrorKind::TooLarge:
      return Error{ErrorKind::TooLarge, e.message, e.http_status, {}};
    case RpcErrorKind::Malformed:
      return Error{ErrorKind::Malformed, e.message, 0, {}};
    case RpcErrorKind::Rpc:
      if (IsRevert(e)) return Error{ErrorKind::Reverted, RevertReason(e), e.code, e.data};
      return Error{ErrorKind::Rejected, e.message, e.code, {}};
  }
  return Error{ErrorKind::Malformed, e.message, 0, {}};
}

// A call's result, or the contract's error for the RPC error it failed with.
template <class T>
Outcome<T> Checked(eth::rpc::RpcResult<T> result) {
  if (result.is_err()) return Err(FromRpc(result.error()));
  return Ok(Move(result.value()));
}

}  // namespace

// The value of an RPC call, or a return from the message with the contract's error for it (a
// statement expression, clang's and gcc's: Rust's `?`).
#define TRY_RPC(expr)                                        \
  ({                                                         \
    auto result_ = Checked(expr);                            \
    if (result_.is_err()) return Err(Move(result_.error())); \
    Move(result_.value());                                   \
  })

struct TokenOperator {
  AccountId owner;
  String rpc_url;  // empty until configure()
  eth::Address token;
  PHAT_FIELDS(TokenOperator, owner, rpc_url, token);

  // Gas for a token transfer: the node's estimate and a fifth more, as wallets add a margin.
  static constexpr u64 kGasMarginDivisor = 5;
  // An estimate above this is a node's error, not a token transfer (Ethereum's blocks hold ~36 M
  // gas; no chain near it holds 2^40), and the margin on it could wrap.
  static constexpr u64 kMaxGasLimit = u64{1} << 40;

  void New() { owner = env::Caller(); }

  Outcome<void> Configure(String url, eth::Address token_address) {
    if (!(env::Caller() == owner)) return Err(Fail(ErrorKind::NotOwner, "only the owner"));
    rpc_url = Move(url);
    token = token_address;
    return Ok();
  }
  Tuple<String, eth::Address> Config() const { return {rpc_url, token}; }

  eth::Address EthAddress() const { return Key().GetAddress(); }

  Outcome<u128> TokenBalance() const {
    if (Option<Error> error = NotReady()) return Err(*error);
    Bytes call =
        eth::abi::EncodeCall(eth::abi::FunctionSelector("balanceOf(address)"), EthAddress());
    Bytes answer = TRY_RPC(Client().Call({None, token, None, call}));
    Result<eth::U256, eth::AbiError> balance = eth::abi::Decode<eth::U256>(answer);
    if (balance.is_err()) return Err(Fail(ErrorKind::Malformed, "balanceOf answered no uint256"));
    Option<u128> fits = balance.value().ToU128();
    if (!fits) return Err(Fail(ErrorKind::AmountTooLarge, "the balance does not fit a u128"));
    return Ok(*fits);
  }

  Outcome<u128> EthBalance() const {
    if (Option<Error> error = NotReady()) return Err(*error);
    return Ok(TRY_RPC(Client().GetBalance(EthAddress())));
  }

  Outcome<Array<u8, 32>> Transfer(eth::Address to, u128 amount) const {
    if (!(env::Caller() == owner)) return Err(Fail(ErrorKind::NotOwner, "only the owner"));
    if (Option<Error> error = NotReady()) return Err(*error);
    eth::rpc::Client client = Client();
    const eth::SigningKey key = Key();
    const eth::Address from = key.GetAddress();
    Bytes call = eth::abi::EncodeCall(eth::abi::FunctionSelector("transfer(address,uint256)"), to,
                                      eth::U256::FromU128(amount));

    eth::Eip1559Transaction tx;
    tx.chain_id = TRY_RPC(client.ChainId());
    tx.nonce = TRY_RPC(client.GetTransactionCount(from, eth::rpc::BlockTag::Pending));
    const u128 tip = TRY_RPC(client.MaxPriorityFeePerGas());
    const u128 base_fee = TRY_RPC(client.NextBaseFeePerGas());
    tx.max_priority_fee_per_gas = eth::U256::FromU128(tip);
    // Room for the base fee to double before the transaction is mined, as wallets allow. In 256
    // bits: the node's numbers may be anything up to 2^128, and must not wrap.
    tx.max_fee_per_gas =
        *eth::U256::FromU128(base_fee).CheckedMul(2)->CheckedAdd(eth::U256::FromU128(tip));
    // A revert shows here, before anything is signed: the estimate runs the call.
    const u64 gas = TRY_RPC(client.EstimateGas({from, token, None, call}));
    if (gas > kMaxGasLimit) {
      return Err(Fail(ErrorKind::Malformed, "the node's gas estimate is beyond any block"));
    }
    tx.gas_limit = gas + gas / kGasMarginDivisor;
    tx.to = token;
    tx.data = Move(call);
    eth::SignedTransaction signed_tx = eth::Sign(tx, key);

    Array<u8, 32> hash = TRY_RPC(client.SendRawTransaction(signed_tx.raw));
    if (!(hash == signed_tx.hash.bytes)) {
      return Err(Fail(ErrorKind::Malformed, "the node named another transaction hash"));
    }
    String line("token_operator: sent ");
    String hash_hex = hex::Encode(hash);
    line.Append(hash_hex.data(), hash_hex.size());
    pink::LogInfo(line);
    return Ok(hash);
  }

  Outcome<Option<eth::rpc::Receipt>> Receipt(Array<u8, 32> hash) const {
    if (Option<Error> error = NotReady()) return Err(*error);
    return Ok(TRY_RPC(Client().GetTransactionReceipt(hash)));
  }

 private:
  // Derived anew by each call: never stored, never returned.
  static eth::SigningKey Key() { return eth::SigningKey::Derive("ethereum"); }

  // Why the chain cannot be reached now, if it cannot.
  Option<Error> NotReady() const {
    if (pink::IsInTransaction()) {
      return Fail(ErrorKind::InTransaction, "the chain is reached from queries only");
    }
    if (rpc_url.size() == 0) return Fail(ErrorKind::NotConfigured, "call configure() first");
    return None;
  }
  // Each JSON-RPC call gets 5 s, half the time a node gives a query by default (phatd
  // --query-timeout-ms 10000; Phala's is 10 s too). With the client's default of 10 s, an endpoint
  // that never answers used up the whole query: the contract saw Timeout at the query's deadline
  // and answered only if it did not need another slice of fuel, else the node stopped the query
  // (504) and the user learnt nothing about the endpoint.
  static constexpr u64 kRpcTimeoutMs = 5'000;
  eth::rpc::Client Client() const {
    eth::rpc::Options options;
    options.timeout_ms = kRpcTimeoutMs;
    return eth::rpc::Client(rpc_url, options);
  }
};

// clang-format off: one item per line
PHAT_CONTRACT(TokenOperator,
              Constructor<&TokenOperator::New>("new")
                  .Docs("Creates an operator owned by the caller, not yet configured."),
              Message<&TokenOperator::Configure>("configure").Args("rpc_url", "token")
                  .Docs("Sets the Ethereum JSON-RPC endpoint and the ERC-20 (owner only)."),
              Message<&TokenOperator::Config>("config")
                  .Docs("The endpoint and the token configure() set."),
              Message<&TokenOperator::EthAddress>("eth_address")
                  .Docs("This contract's Ethereum address (its key is derived in the cluster)."),
              Message<&TokenOperator::TokenBalance>("token_balance")
                  .Docs("Query: the token's balanceOf(eth_address())."),
              Message<&TokenOperator::EthBalance>("eth_balance")
                  .Docs("Query: eth_address()'s ETH, in wei."),
              Message<&TokenOperator::Transfer>("transfer").Args("to", "amount")
                  .Docs("Query, owner only: signs and sends token.transfer(to, amount) as an "
                        "EIP-1559 transaction; answers its hash."),
              Message<&TokenOperator::Receipt>("receipt").Args("hash")
                  .Docs("Query: the transaction's receipt once mined; None before."));
// clang-format on
