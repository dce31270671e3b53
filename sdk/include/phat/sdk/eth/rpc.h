// An Ethereum JSON-RPC 2.0 client for contracts
// (https://ethereum.org/en/developers/docs/apis/json-rpc/), over pink's HTTP: each call is one POST
// of {"jsonrpc":"2.0","id":N,"method":…,"params":[…]} with Content-Type application/json to the
// node's URL, and one answer read back. HTTP runs only in queries (pink.h), so these do too: in a
// transaction every call fails with Unreachable.
//
// The node is not trusted: whatever it answers is checked before it is used — the HTTP status, the
// size, the whole body as JSON (json.h), the envelope ("jsonrpc" "2.0", our id, exactly one of
// result and error), and each field of the result in its exact form (quantities without leading
// zeros, data as whole bytes, an address 20 bytes, a hash 32, a receipt for the transaction asked
// about). Anything else is an RpcError of kind Malformed that says which field was wrong; a node's
// own JSON-RPC error (nonce too low, insufficient funds, a revert) is kind Rpc with its code, its
// message and, for a revert, the revert data. Nothing here traps on a node's answer, with one
// exception pink imposes: a response larger than the capacity given to the host (max_response plus
// kHeaderAllowance) fails the whole call (OutputBufferTooSmall, see pink.h).
//
// Types: addresses are eth::Address, hashes raw bytes (Array<u8, 32>), data is Bytes, and
// quantities are u64 (chain id, nonce, gas, block numbers) or u128 (wei: balances and gas prices;
// 2^128 wei is far beyond all the ether there is). eth_call answers its raw return data: decoding
// it is the ABI's business.
//
// Timeouts. With Options::timeout_ms > 0 (the default) a call goes through pink's
// batch_http_request with that timeout (never more than the query has left); with 0, through
// http_request, which waits as long as the query may.
//
// Not thread-safe (a contract has one thread); a Client keeps only its URL, options and the next
// id.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/eth/address.h"
#include "phat/sdk/hex.h"
#include "phat/sdk/json.h"
#include "phat/sdk/pink.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/types.h"

namespace phat::sdk::eth::rpc {

using RawHash = Array<u8, 32>;

PHAT_ENUM(RpcErrorKind,
          Unreachable,  // no response: refused, unknown host, network down, or in a transaction
          Timeout,      // no response within the timeout
          HttpStatus,   // the endpoint answered HTTP, but not 200
          TooLarge,     // the response is larger than Options::max_response
          Malformed,    // the response is not the JSON-RPC answer it should be (message: where)
          Rpc);         // the node answered with a JSON-RPC error (code, message, data)

struct RpcError {
  RpcErrorKind kind = RpcErrorKind::Malformed;
  u16 http_status = 0;  // HttpStatus: the status; Unreachable, Timeout, TooLarge: pink's, if any
  i64 code = 0;         // Rpc: the JSON-RPC error code (-32000 for most of a node's refusals)
  String message;       // Rpc: the node's message, as sent; the others: what was wrong
  Bytes data;           // Rpc: the revert data when the node gave any (eth_call, eth_estimateGas)
  PHAT_FIELDS(RpcError, kind, http_status, code, message, data);
};

template <class T>
using RpcResult = Result<T, RpcError>;

// A block parameter: the named ones JSON-RPC defines.
PHAT_ENUM(BlockTag, Latest, Pending, Earliest, Safe, Finalized);

// eth_call's and eth_estimateGas's transaction object.
struct CallRequest {
  Option<Address> from;
  Address to;
  Option<u128> value;
  Bytes data;
};

// The part of a receipt a contract acts on (eth_getTransactionReceipt).
struct Receipt {
  bool success = false;  // status 0x1; 0x0 means reverted
  u64 block_number = 0;
  u64 gas_used = 0;
  RawHash transaction_hash;
  PHAT_FIELDS(Receipt, success, block_number, gas_used, transaction_hash);
};

struct Options {
  u64 timeout_ms = 10'000;       // 0: http_request, bounded by the query alone
  u32 max_response = 64 * 1024;  // body bytes; more is TooLarge
};

// Room for the status line and headers around the body in pink's answer.
inline constexpr u32 kHeaderAllowance = 16 * 1024;

// A JSON-RPC answer: the body, and its "result" (a view into the body, valid while it lives).
struct Response {
  Bytes body;
  json::Value result;
};

namespace internal {

inline const char* TagName(BlockTag tag) {
  switch (tag) {
    case BlockTag::Pending:
      return "pending";
    case BlockTag::Earliest:
      return "earliest";
    case BlockTag::Safe:
      return "safe";
    case BlockTag::Finalized:
      return "finalized";
    default:
      return "latest";
  }
}

template <class E>
String EnumName(E value) {
  const char* begin = nullptr;
  size_t length = 0;
  PhatEnumInfo(value).Variant(static_cast<u32>(value), &begin, &length);
  return String(begin, static_cast<u32>(length));
}

inline String Concat(const char* a, const char* b, const String& c = {}) {
  String out(a);
  out.Append(b);
  out.Append(c.data(), c.size());
  return out;
}

inline RpcError Fail(RpcErrorKind kind, String message, u16 http_status = 0) {
  return RpcError{
      .kind = kind, .http_status = http_status, .code = 0, .message = Move(message), .data = {}};
}
// "<method>: <what>", for a response that is not what it should be.
inline RpcError Malformed(const char* method, const char* what, const String& detail = {}) {
  String message = Concat(method, ": ", what);
  message.Append(detail.data(), detail.size());
  return Fail(RpcErrorKind::Malformed, Move(message));
}

// Up to 200 bytes of a body that is not ours to trust, printable ASCII only, for messages.
inline String Snippet(const Bytes& body) {
  String out;
  u32 n = body.size() < 200 ? body.size() : 200;
  for (u32 i = 0; i < n; ++i) {
    char c = static_cast<char>(body[i]);
    if (body[i] < 0x20 || body[i] > 0x7e) c = '?';
    out.Append(&c, 1);
  }
  return out;
}
inline bool BodyIs(const Bytes& body, const char* text) {
  return json::Text{reinterpret_cast<const char*>(body.data()), body.size()}.Equals(text);
}

// pink's answer for a request that got no HTTP response of its own: 523 (no connection, or the
// timeout: the body names pink's error) or 524 (another error; ResponseTooLarge among them).
inline Option<RpcError> NoResponse(const pink::HttpResponse& response) {
  String detail = Concat("no response from the endpoint: ", "", Snippet(response.body));
  if (response.status_code == 523) {
    bool timeout = BodyIs(response.body, "Timeout");
    return Fail(timeout ? RpcErrorKind::Timeout : RpcErrorKind::Unreachable, Move(detail), 523);
  }
  if (response.status_code == 524) {
    bool large = BodyIs(response.body, "ResponseTooLarge");
    return Fail(large ? RpcErrorKind::TooLarge : RpcErrorKind::Unreachable, Move(detail), 524);
  }
  return None;
}

inline RpcError FromHttpError(pink::HttpRequestError error) {
  String message = Concat("the request failed: ", "", EnumName(error));
  if (error == pink::HttpRequestError::Timeout) return Fail(RpcErrorKind::Timeout, Move(message));
  if (error == pink::HttpRequestError::ResponseTooLarge) {
    return Fail(RpcErrorKind::TooLarge, Move(message));
  }
  if (error == pink::HttpRequestError::NotAllowed) {
    message.Append(" (HTTP runs in queries only)");
  }
  return Fail(RpcErrorKind::Unreachable, Move(message));
}

// ---- fields of a result ----

template <class T>
RpcResult<T> QuantityOf(const json::Value& value, const char* method, const char* what) {
  if (value.type() != json::Type::kString) return Err(Malformed(method, what, " is not a string"));
  json::Text text = value.RawString();
  auto parsed = hex::ParseQuantity<T>(text.data, text.size);
  if (parsed.is_err()) {
    return Err(
        Malformed(method, what, Concat(" is not a quantity: ", "", EnumName(parsed.error()))));
  }
  return Ok(parsed.value());
}

inline RpcResult<Bytes> DataOf(const json::Value& value, const char* method, const char* what) {
  if (value.type() != json::Type::kString) return Err(Malformed(method, what, " is not a string"));
  json::Text text = value.RawString();
  auto parsed = hex::Decode(text.data, text.size, hex::Prefix::k0x);
  if (parsed.is_err()) {
    return Err(Malformed(method, what, Concat(" is not hex data: ", "", EnumName(parsed.error()))));
  }
  return Ok(Move(parsed.value()));
}

template <size_t kN>
RpcResult<Array<u8, kN>> FixedOf(const json::Value& value, const char* method, const char* what) {
  if (value.type() != json::Type::kString) return Err(Malformed(method, what, " is not a string"));
  json::Text text = value.RawString();
  auto parsed = hex::DecodeFixed<kN>(text.data, text.size, hex::Prefix::k0x);
  if (parsed.is_err()) {
    return Err(Malformed(method, what,
                         Concat(" is not hex of the right size: ", "", EnumName(parsed.error()))));
  }
  return Ok(parsed.value());
}

// A member of an object result that must be there (null counts as there).
inline RpcResult<json::Value> MemberOf(const json::Value& object, const char* name,
                                       const char* method) {
  auto found = object.Find(name);
  if (found.is_err()) {
    return Err(Malformed(method, name, Concat(": ", "", EnumName(found.error()))));
  }
  if (!found.value().has_value()) return Err(Malformed(method, name, " is missing"));
  return Ok(*found.value());
}

// A JSON-RPC error object: {"code": integer, "message": string, "data"?: revert data}.
inline RpcError FromErrorObject(const json::Value& error, const char* method) {
  if (error.type() != json::Type::kObject) return Malformed(method, "error is not an object");
  auto code = MemberOf(error, "code", method);
  if (code.is_err()) return code.error();
  auto number = code.value().ReadI64();
  if (number.is_err()) return Malformed(method, "error.code is not an integer");
  auto message = MemberOf(error, "message", method);
  if (message.is_err()) return message.error();
  auto text = message.value().ReadString();
  if (text.is_err()) return Malformed(method, "error.message is not a string");
  RpcError out{.kind = RpcErrorKind::Rpc,
               .http_status = 200,
               .code = number.value(),
               .message = Move(text.value()),
               .data = {}};
  // Revert data: a hex string (geth, and ganache's eth_call), or {"result": hex} (ganache's
  // eth_estimateGas). Anything else there is the node's own detail, and not needed.
  auto data = error.Find("data");
  if (data.is_ok() && data.value().has_value()) {
    json::Value d = *data.value();
    if (d.type() == json::Type::kObject) {
      auto inner = d.Find("result");
      d = inner.is_ok() && inner.value().has_value() ? *inner.value() : json::Value();
    }
    if (d.type() == json::Type::kString) {
      auto bytes = DataOf(d, method, "error.data");
      if (bytes.is_ok()) out.data = Move(bytes.value());
    }
  }
  return out;
}

}  // namespace internal

class Client {
 public:
  explicit Client(String url, Options options = {}) : url_(Move(url)), options_(options) {}

  // ---- the calls ----

  RpcResult<u64> ChainId() { return QuantityResult<u64>("eth_chainId", "[]"); }

  // The number of transactions `address` has sent: the nonce of its next one (`tag` Pending
  // counts those still in the node's pool).
  RpcResult<u64> GetTransactionCount(const Address& address, BlockTag tag = BlockTag::Pending) {
    return QuantityResult<u64>("eth_getTransactionCount", AddressAndTag(address, tag));
  }
  RpcResult<u128> GetBalance(const Address& address, BlockTag tag = BlockTag::Latest) {
    return QuantityResult<u128>("eth_getBalance", AddressAndTag(address, tag));
  }
  // Wei per gas: a legacy transaction's price.
  RpcResult<u128> GasPrice() { return QuantityResult<u128>("eth_gasPrice", "[]"); }
  // Wei per gas: a tip the node suggests for an EIP-1559 transaction.
  RpcResult<u128> MaxPriorityFeePerGas() {
    return QuantityResult<u128>("eth_maxPriorityFeePerGas", "[]");
  }
  // The next block's base fee, from eth_feeHistory(1, "latest", []): its baseFeePerGas has the
  // latest block's and, last, the next one's.
  RpcResult<u128> NextBaseFeePerGas() {
    const char* method = "eth_feeHistory";
    auto response = Request(method, "[\"0x1\",\"latest\",[]]");
    if (response.is_err()) return Err(response.error());
    if (response.value().result.type() != json::Type::kObject) {
      return Err(internal::Malformed(method, "result is not an object"));
    }
    auto fees = internal::MemberOf(response.value().result, "baseFeePerGas", method);
    if (fees.is_err()) return Err(fees.error());
    u32 n = fees.value().Size();
    if (fees.value().type() != json::Type::kArray || n == 0 || n > 2) {
      return Err(internal::Malformed(method, "baseFeePerGas is not an array of 1 or 2"));
    }
    return internal::QuantityOf<u128>(*fees.value().At(n - 1), method, "baseFeePerGas");
  }

  // eth_call: what the call returns (the raw ABI bytes), or kind Rpc with the revert data.
  RpcResult<Bytes> Call(const CallRequest& call, BlockTag tag = BlockTag::Latest) {
    json::Writer params;
    params.BeginArray();
    WriteCall(params, call);
    params.Str(internal::TagName(tag)).End();
    auto response = Request("eth_call", params.text());
    if (response.is_err()) return Err(response.error());
    return internal::DataOf(response.value().result, "eth_call", "result");
  }
  RpcResult<u64> EstimateGas(const CallRequest& call) {
    json::Writer params;
    params.BeginArray();
    WriteCall(params, call);
    params.End();
    return QuantityResult<u64>("eth_estimateGas", params.text());
  }

  // Sends a signed transaction (its RLP bytes, typed or legacy): its hash as the node gives it.
  RpcResult<RawHash> SendRawTransaction(const Bytes& raw) {
    json::Writer params;
    params.BeginArray().Str(hex::Encode(raw)).End();
    auto response = Request("eth_sendRawTransaction", params.text());
    if (response.is_err()) return Err(response.error());
    return internal::FixedOf<32>(response.value().result, "eth_sendRawTransaction", "result");
  }

  // The receipt of a mined transaction; None while it is not mined (or the node does not know it).
  RpcResult<Option<Receipt>> GetTransactionReceipt(const RawHash& hash) {
    const char* method = "eth_getTransactionReceipt";
    json::Writer params;
    params.BeginArray().Str(hex::Encode(hash)).End();
    auto response = Request(method, params.text());
    if (response.is_err()) return Err(response.error());
    const json::Value& result = response.value().result;
    if (result.IsNull()) return Ok(Option<Receipt>());
    if (result.type() != json::Type::kObject) {
      return Err(internal::Malformed(method, "result is neither null nor an object"));
    }
    return ReadReceipt(result, hash);
  }

  // Any method: `params` is the JSON array of its parameters. The answer's "result", checked
  // for the envelope only.
  RpcResult<Response> Request(const char* method, const String& params) {
    u64 id = next_id_++;
    auto body = Post(RequestBody(method, params, id), method);
    if (body.is_err()) return Err(body.error());
    Response response{Move(body.value()), {}};
    auto result = ReadEnvelope(response.body, id, method);
    if (result.is_err()) return Err(result.error());
    response.result = result.value();
    return Ok(Move(response));
  }
  RpcResult<Response> Request(const char* method, const char* params) {
    return Request(method, String(params));
  }

  const String& url() const { return url_; }
  const Options& options() const { return options_; }

 private:
  template <class T>
  RpcResult<T> QuantityResult(const char* method, const String& params) {
    auto response = Request(method, params);
    if (response.is_err()) return Err(response.error());
    return internal::QuantityOf<T>(response.value().result, method, "result");
  }
  template <class T>
  RpcResult<T> QuantityResult(const char* method, const char* params) {
    return QuantityResult<T>(method, String(params));
  }

  static String AddressAndTag(const Address& address, BlockTag tag) {
    json::Writer params;
    params.BeginArray().Str(hex::Encode(address.bytes)).Str(internal::TagName(tag)).End();
    return params.text();
  }
  static void WriteCall(json::Writer& w, const CallRequest& call) {
    w.BeginObject();
    if (call.from.has_value()) w.Key("from").Str(hex::Encode(call.from->bytes));
    w.Key("to").Str(hex::Encode(call.to.bytes));
    if (call.value.has_value()) w.Key("value").Str(hex::FormatQuantity(*call.value));
    w.Key("data").Str(hex::Encode(call.data));
    w.End();
  }
  static Bytes RequestBody(const char* method, const String& params, u64 id) {
    json::Writer w;
    w.BeginObject().Key("jsonrpc").Str("2.0").Key("id").U64(id).Key("method").Str(method);
    w.Key("params").Raw(params).End();
    return w.TakeBytes();
  }

  // The POST, through pink; the body of a 200 response within the size limit.
  RpcResult<Bytes> Post(Bytes body, const char* method) {
    pink::HttpHeaders headers;
    headers.push_back(Tuple<String, String>("Content-Type", "application/json"));
    pink::HttpRequest request{
        .url = url_, .method = "POST", .headers = headers, .body = Move(body)};
    u32 capacity = options_.max_response + kHeaderAllowance;
    pink::HttpResponse response;
    if (options_.timeout_ms == 0) {
      response = pink::SendHttpRequest(request, capacity);
    } else {
      Vec<pink::HttpRequest> one;
      one.push_back(request);
      auto batch = pink::BatchHttpRequest(one, options_.timeout_ms, capacity);
      if (batch.is_err()) return Err(internal::FromHttpError(batch.error()));
      if (batch.value().size() != 1) {
        return Err(internal::Malformed(method, "pink answered a batch of one with another count"));
      }
      const auto& item = batch.value()[0];
      if (item.is_err()) return Err(internal::FromHttpError(item.error()));
      response = item.value();
    }
    if (auto no_response = internal::NoResponse(response); no_response.has_value()) {
      return Err(*no_response);
    }
    if (response.status_code != 200) {
      return Err(internal::Fail(RpcErrorKind::HttpStatus,
                                internal::Concat("the endpoint answered HTTP other than 200: ", "",
                                                 internal::Snippet(response.body)),
                                response.status_code));
    }
    if (response.body.size() > options_.max_response) {
      return Err(
          internal::Fail(RpcErrorKind::TooLarge, internal::Concat(method,
                                                                  ": the response is larger than "
                                                                  "Options::max_response")));
    }
    return Ok(Move(response.body));
  }

  // {"jsonrpc": "2.0", "id": id, "result": …} or {…, "error": {…}}: the result, or the error.
  static RpcResult<json::Value> ReadEnvelope(const Bytes& body, u64 id, const char* method) {
    auto doc = json::Parse(body);
    if (doc.is_err()) {
      return Err(internal::Malformed(
          method, "the response is not JSON: ", internal::EnumName(doc.error().error)));
    }
    const json::Value& top = doc.value();
    if (top.type() != json::Type::kObject) {
      return Err(internal::Malformed(method, "the response is not a JSON object"));
    }
    auto version = internal::MemberOf(top, "jsonrpc", method);
    if (version.is_err()) return Err(version.error());
    if (!version.value().RawString().Equals("2.0")) {
      return Err(internal::Malformed(method, "jsonrpc is not \"2.0\""));
    }
    auto their_id = internal::MemberOf(top, "id", method);
    if (their_id.is_err()) return Err(their_id.error());
    auto number = their_id.value().ReadU64();
    if (number.is_err() || number.value() != id) {
      return Err(internal::Malformed(method, "id is not the request's"));
    }
    auto error = top.Find("error");
    auto result = top.Find("result");
    if (error.is_err() || result.is_err()) {
      return Err(internal::Malformed(method, "result or error is given twice"));
    }
    bool has_error = error.value().has_value(), has_result = result.value().has_value();
    if (has_error == has_result) {
      return Err(internal::Malformed(method,
                                     "the response has not exactly one of result and "
                                     "error"));
    }
    if (has_error) return Err(internal::FromErrorObject(*error.value(), method));
    return Ok(*result.value());
  }

  static RpcResult<Option<Receipt>> ReadReceipt(const json::Value& r, const RawHash& hash) {
    const char* method = "eth_getTransactionReceipt";
    auto block = internal::MemberOf(r, "blockNumber", method);
    if (block.is_err()) return Err(block.error());
    if (block.value().IsNull()) return Ok(Option<Receipt>());  // some nodes: known, not mined
    Receipt receipt;
    auto number = internal::QuantityOf<u64>(block.value(), method, "blockNumber");
    if (number.is_err()) return Err(number.error());
    receipt.block_number = number.value();

    auto tx = internal::MemberOf(r, "transactionHash", method);
    if (tx.is_err()) return Err(tx.error());
    auto tx_hash = internal::FixedOf<32>(tx.value(), method, "transactionHash");
    if (tx_hash.is_err()) return Err(tx_hash.error());
    if (!(tx_hash.value() == hash)) {
      return Err(internal::Malformed(method, "transactionHash is not the one asked for"));
    }
    receipt.transaction_hash = tx_hash.value();

    auto gas = internal::MemberOf(r, "gasUsed", method);
    if (gas.is_err()) return Err(gas.error());
    auto gas_used = internal::QuantityOf<u64>(gas.value(), method, "gasUsed");
    if (gas_used.is_err()) return Err(gas_used.error());
    receipt.gas_used = gas_used.value();

    // Byzantium's status: 1 success, 0 reverted (older receipts had a state root instead).
    auto status = internal::MemberOf(r, "status", method);
    if (status.is_err()) return Err(status.error());
    auto flag = internal::QuantityOf<u8>(status.value(), method, "status");
    if (flag.is_err()) return Err(flag.error());
    if (flag.value() > 1) return Err(internal::Malformed(method, "status is neither 0x0 nor 0x1"));
    receipt.success = flag.value() == 1;
    return Ok(Option<Receipt>(receipt));
  }

  String url_;
  Options options_;
  u64 next_id_ = 1;
};

}  // namespace phat::sdk::eth::rpc
