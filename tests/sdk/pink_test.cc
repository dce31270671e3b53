// The SDK's pink wrappers (sdk/include/phat/sdk/pink.h) compiled into a contract and run by phat's
// runtime. contracts/pink_calls.cc has a message per wrapper that passes its arguments on and
// answers what the wrapper decoded.
//
// SdkPinkWire registers a chain extension that records what it is sent and answers as told: each
// wrapper must send its function id and exactly the input bytes pink's Rust declaration would
// (written out by hand below, not produced by a codec that could share a mistake), and decode the
// answer pink gives, statuses included. SdkPinkOnPink runs the same contract against
// pink::PinkExtension itself, for what only the real extension shows: the cache kept between
// calls, log lines in the debug output, and what a query gets that a transaction does not.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "phat/base/bytes.h"
#include "phat/codec/scale.h"
#include "phat/contracts/runtime.h"
#include "phat/contracts/state.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/sr25519.h"
#include "phat/pink/cache.h"
#include "phat/pink/extension.h"
#include "phat/pink/keys.h"
#include "sdk_contract_test.h"

namespace phat::contracts {
namespace {

// `n` copies of the byte `hex`, as hex.
std::string Times(std::string_view hex, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += hex;
  return out;
}
// SCALE of a short string or byte string, by hand: compact length (one byte below 64) ‖ bytes.
std::string Str(std::string_view text) {
  EXPECT_LT(text.size(), 64u);
  return ToHex(Bytes{uint8_t(text.size() << 2)}) + ToHex(AsBytes(text));
}
std::string Le32(uint32_t v) {
  return ToHex(codec::Encode(v));
}
std::string Le64(uint64_t v) {
  return ToHex(codec::Encode(v));
}

// Remembers what it was sent and answers with the status and output it is given.
class RecordingExtension : public ChainExtension {
 public:
  Expected<ExtensionResult, Error> Call(uint16_t func_id, ByteView input,
                                        ExtensionContext&) override {
    sent.push_back(std::to_string(func_id) + ": " + ToHex(input));
    auto answer = answers.find(func_id);
    return answer != answers.end() ? answer->second : ExtensionResult{status, output};
  }
  std::vector<std::string> sent;                // "<function id>: <input as hex>"
  std::map<uint16_t, ExtensionResult> answers;  // by function id; the others get the default:
  uint32_t status = 0;
  Bytes output;
};

// The pink_calls contract on a runtime with `extension` as extension 0.
class PinkCallsTest : public SdkContractTest {
 protected:
  void Deploy(std::shared_ptr<ChainExtension> extension, const std::string& name = "pink_calls") {
    SdkContractTest::Deploy(std::move(extension), name);
  }
};

class SdkPinkWire : public PinkCallsTest {
 protected:
  void SetUp() override { Deploy(pink_); }
  // Sets what the extension answers next: a status and output (hex).
  void Answer(uint32_t status, std::string_view output = "") {
    pink_->status = status;
    pink_->output = Unhex(output);
  }
  using PinkCallsTest::Answer;
  // The one call the extension got since the last look.
  std::string Sent() {
    std::vector<std::string> sent = std::exchange(pink_->sent, {});
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? "" : sent[0];
  }

  std::shared_ptr<RecordingExtension> pink_ = std::make_shared<RecordingExtension>();
};

// An HttpRequest{url "http://a.test/p", method, headers, body} as pink encodes it.
const std::string kUrl = Str("http://a.test/p");
const std::string kPost = kUrl + Str("POST") + "04" + Str("k") + Str("v") + Str("hi");
const std::string kGet = kUrl + Str("GET") + "00" + "00";
// HttpResponse{200, "OK", [("x", "y")], "4200"}.
const std::string kOk = "c800" + Str("OK") + "04" + Str("x") + Str("y") + Str("4200");

TEST_F(SdkPinkWire, HttpRequestSendsTheRequestAndDecodesTheResponse) {
  Answer(0, kOk);
  EXPECT_EQ(Query("http_request", kPost + Le32(4096)), "00" + kOk);
  EXPECT_EQ(Sent(), "1: " + kPost);
}

TEST_F(SdkPinkWire, HttpGetIsAGetWithNoHeadersAndNoBody) {
  Answer(0, kOk);
  EXPECT_EQ(Query("http_get", kUrl), "00" + kOk);
  EXPECT_EQ(Sent(), "1: " + kGet);
}

Bytes ResponseWithBody(size_t size) {
  codec::ScaleWriter w;
  codec::Encode(w, uint16_t{200}, std::string("OK"),
                std::vector<std::pair<std::string, std::string>>{}, Bytes(size, 'x'));
  return w.Take();
}

TEST_F(SdkPinkWire, ALargeResponseArrivesInABufferOfItsOwn) {
  // 200 000 bytes of body: far more than the 16 KiB static buffer, within the default capacity.
  pink_->output = ResponseWithBody(200'000);
  EXPECT_EQ(Query("http_body_size", kGet + Le32(256 * 1024)), "00" + Le32(200'000));
  // pink.h says a capacity of about 450 KiB still fits the contract's 1 MiB, with the body's copy.
  pink_->output = ResponseWithBody(440 * 1024);
  EXPECT_EQ(Query("http_body_size", kGet + Le32(450 * 1024)), "00" + Le32(440 * 1024));
}

TEST_F(SdkPinkWire, AResponseLargerThanTheCapacityFailsTheCallSayingSo) {
  pink_->output = Bytes(30'000, 0);
  EXPECT_EQ(Query("http_body_size", kGet + Le32(20'000)),
            "error: OutputBufferTooSmall: the contract's output buffer is too small: 30000 bytes "
            "of output for a buffer of 20000");
  // A capacity below the static buffer's size is the static buffer, with that capacity.
  pink_->output = Bytes(1'001, 0);
  EXPECT_EQ(Query("http_body_size", kGet + Le32(1'000)),
            "error: OutputBufferTooSmall: the contract's output buffer is too small: 1001 bytes of "
            "output for a buffer of 1000");
}

TEST_F(SdkPinkWire, ACapacityTheMemoryCannotHoldIsATrapThatSaysSo) {
  std::string answer = Query("http_body_size", kGet + Le32(2 << 20));
  EXPECT_TRUE(answer.starts_with("error: ContractTrapped")) << answer;
  EXPECT_NE(last_.debug_message.find("cannot hold an output buffer"), std::string::npos)
      << last_.debug_message;
  EXPECT_TRUE(pink_->sent.empty());
}

TEST_F(SdkPinkWire, BatchHttpRequestSendsTheListAndTheTimeout) {
  // Ok(vec![Ok(response), Err(Timeout)]): status 0 and the list alone.
  const std::string results = "08" + ("00" + kOk) + "0105";
  Answer(0, results);
  EXPECT_EQ(Query("batch_http_request", "08" + kGet + kPost + Le64(1500)), "0000" + results);
  EXPECT_EQ(Sent(), "22: 08" + kGet + kPost + Le64(1500));
}

TEST_F(SdkPinkWire, BatchHttpRequestsErrorIsItsStatusLessOne) {
  Answer(8);  // TooManyRequests, variant 7
  EXPECT_EQ(Query("batch_http_request", "04" + kGet + Le64(1500)), "!000107");
  Answer(11);  // TooManyHeaders, the last variant
  EXPECT_EQ(Query("batch_http_request", "04" + kGet + Le64(1500)), "!00010a");
  Answer(12);  // no such error: pink never answers it, ink! would panic
  EXPECT_TRUE(
      Query("batch_http_request", "04" + kGet + Le64(1500)).starts_with("error: ContractTrapped"));
}

TEST_F(SdkPinkWire, Sign) {
  const std::string key = "80" + Times("11", 32), message = Str("hello");
  const std::string signature = "0101" + Times("22", 64);  // Vec of 64 bytes
  Answer(0, signature);
  EXPECT_EQ(Query("sign", "01" + key + message), "00" + signature);  // Sr25519
  EXPECT_EQ(Sent(), "2: 01" + key + message);
}

TEST_F(SdkPinkWire, Verify) {
  const std::string args =
      "00" + ("80" + Times("33", 32)) + Str("hello") + ("0101" + Times("22", 64));
  Answer(0, "01");
  EXPECT_EQ(Query("verify", args), "0001");
  EXPECT_EQ(Sent(), "3: " + args);
  Answer(0, "00");
  EXPECT_EQ(Query("verify", args), "0000");
}

TEST_F(SdkPinkWire, DeriveSr25519Key) {
  Answer(0, "0101" + Times("44", 64));
  EXPECT_EQ(Query("derive_sr25519_key", Str("oracle")), "000101" + Times("44", 64));
  EXPECT_EQ(Sent(), "4: 186f7261636c65");
}

TEST_F(SdkPinkWire, GetPublicKey) {
  Answer(0, "84" + Times("02", 33));  // Vec of 33 bytes: a compressed ECDSA key
  EXPECT_EQ(Query("get_public_key", "02" + ("80" + Times("55", 32))), "0084" + Times("02", 33));
  EXPECT_EQ(Sent(), "5: 0280" + Times("55", 32));
}

TEST_F(SdkPinkWire, CacheSetAnswersOkOrStorageQuotaExceededByStatus) {
  const std::string args = Str("key") + Str("value");
  EXPECT_EQ(args, "0c6b65791476616c7565");  // ABI.md §6's example
  Answer(0);
  EXPECT_EQ(Query("cache_set", args), "000100");  // Some(Ok(()))
  EXPECT_EQ(Sent(), "6: " + args);
  Answer(1);
  EXPECT_EQ(Query("cache_set", args), "000101");  // Some(Err(StorageQuotaExceeded))
  Answer(2);
  EXPECT_TRUE(Query("cache_set", args).starts_with("error: ContractTrapped"));
}

TEST_F(SdkPinkWire, CacheSetExpiration) {
  EXPECT_EQ(Query("cache_set_expiration", Str("key") + Le64(3600)), "00");
  EXPECT_EQ(Sent(), "7: " + Str("key") + Le64(3600));
}

TEST_F(SdkPinkWire, CacheGetAndRemoveAnswerAnOption) {
  Answer(0, "01" + Str("value"));
  EXPECT_EQ(Query("cache_get", Str("key") + Le32(16384)), "0001" + Str("value"));
  EXPECT_EQ(Sent(), "8: " + Str("key"));
  EXPECT_EQ(Query("cache_remove", Str("key")), "0001" + Str("value"));
  EXPECT_EQ(Sent(), "9: " + Str("key"));
  Answer(0, "00");
  EXPECT_EQ(Query("cache_get", Str("key") + Le32(16384)), "0000");
  // A value larger than the capacity asked for fails the call.
  Answer(0, "01" + Str("value"));
  EXPECT_TRUE(Query("cache_get", Str("key") + Le32(6)).starts_with("error: OutputBufferTooSmall"));
}

TEST_F(SdkPinkWire, LogSendsTheLevelAndTheMessage) {
  EXPECT_EQ(Query("log", "03" + Str("hi")), "00");
  EXPECT_EQ(Sent(), "10: 03" + Str("hi"));
  EXPECT_EQ(Query("log_at_each_level", Str("x")), "00");
  EXPECT_EQ(pink_->sent,
            (std::vector<std::string>{"10: 01" + Str("x"), "10: 02" + Str("x"), "10: 03" + Str("x"),
                                      "10: 04" + Str("x"), "10: 05" + Str("x")}));
}

TEST_F(SdkPinkWire, GetRandom) {
  Answer(0, "10" + Times("99", 4));
  EXPECT_EQ(Query("getrandom", "04"), "0010" + Times("99", 4));
  EXPECT_EQ(Sent(), "11: 04");
}

TEST_F(SdkPinkWire, IsInTransactionAndAnAnswerThatDoesNotDecode) {
  Answer(0, "01");
  EXPECT_EQ(Query("is_in_transaction"), "0001");
  EXPECT_EQ(Sent(), "12: ");
  Answer(0, "02");  // not a bool: ink! panics, the SDK traps
  EXPECT_TRUE(Query("is_in_transaction").starts_with("error: ContractTrapped"));
  Answer(0, "0100");  // a byte too many
  EXPECT_TRUE(Query("is_in_transaction").starts_with("error: ContractTrapped"));
}

TEST_F(SdkPinkWire, EcdsaSignPrehashed) {
  const std::string args = "80" + Times("33", 32) + Times("44", 32);
  Answer(0, Times("55", 65));  // [u8; 65]: no length
  EXPECT_EQ(Query("ecdsa_sign_prehashed", args), "00" + Times("55", 65));
  EXPECT_EQ(Sent(), "13: " + args);
  Answer(0, Times("55", 64));
  EXPECT_TRUE(Query("ecdsa_sign_prehashed", args).starts_with("error: ContractTrapped"));
}

TEST_F(SdkPinkWire, EcdsaVerifyPrehashed) {
  const std::string args = Times("66", 65) + Times("44", 32) + Times("77", 33);
  Answer(0, "01");
  EXPECT_EQ(Query("ecdsa_verify_prehashed", args), "0001");
  EXPECT_EQ(Sent(), "14: " + args);
}

TEST_F(SdkPinkWire, SystemContractIdAndWorkerPubkey) {
  Answer(0, Times("ab", 32));
  EXPECT_EQ(Query("system_contract_id"), "00" + Times("ab", 32));
  EXPECT_EQ(Sent(), "15: ");
  EXPECT_EQ(Query("worker_pubkey"), "00" + Times("ab", 32));
  EXPECT_EQ(Sent(), "17: ");
}

TEST_F(SdkPinkWire, BalanceOf) {
  const std::string balances =
      ToHex(codec::Encode(codec::uint128(1000))) + ToHex(codec::Encode(codec::uint128(900)));
  Answer(0, balances);
  EXPECT_EQ(Query("balance_of", Times("cc", 32)), "00" + balances);
  EXPECT_EQ(Sent(), "16: " + Times("cc", 32));
}

TEST_F(SdkPinkWire, UntrustedMillisSinceUnixEpoch) {
  Answer(0, Le64(1'700'000'000'123));
  EXPECT_EQ(Query("untrusted_millis_since_unix_epoch"), "00" + Le64(1'700'000'000'123));
  EXPECT_EQ(Sent(), "18: ");
}

TEST_F(SdkPinkWire, CodeExists) {
  Answer(0, "01");
  EXPECT_EQ(Query("code_exists", Times("dd", 32) + "01"), "0001");
  EXPECT_EQ(Sent(), "19: " + Times("dd", 32) + "01");
}

TEST_F(SdkPinkWire, ImportLatestSystemCode) {
  Answer(0, "01" + Times("ee", 32));
  EXPECT_EQ(Query("import_latest_system_code", Times("cc", 32)), "0001" + Times("ee", 32));
  EXPECT_EQ(Sent(), "20: " + Times("cc", 32));
}

TEST_F(SdkPinkWire, RuntimeVersionAndEventChainHead) {
  Answer(0, Le32(1) + Le32(2));
  EXPECT_EQ(Query("runtime_version"), "00" + Le32(1) + Le32(2));
  EXPECT_EQ(Sent(), "21: ");
  Answer(0, Le64(42) + Times("0f", 32));
  EXPECT_EQ(Query("current_event_chain_head"), "00" + Le64(42) + Times("0f", 32));
  EXPECT_EQ(Sent(), "23: ");
}

// ---- against pink itself ----

class SdkPinkOnPink : public PinkCallsTest {
 protected:
  void SetUp() override {
    pink::Services services;
    services.cache = &cache_;
    services.cluster_key = &cluster_key_;
    services.system_contract = Account(0x5c);
    services.worker_pubkey.fill(0x77);
    Deploy(std::make_shared<pink::PinkExtension>(std::move(services)));
  }
  pink::Cache cache_;
  pink::ClusterKey cluster_key_ = pink::ClusterKey::FromSeed(crypto::Sr25519MiniSecret{7});
};

TEST_F(SdkPinkOnPink, TheCacheKeepsAValueBetweenCalls) {
  const std::string key = Str("key");
  EXPECT_EQ(Query("cache_set", key + Str("value")), "000100");
  EXPECT_EQ(Query("cache_get", key + Le32(16384)), "0001" + Str("value"));
  EXPECT_EQ(Query("cache_set_expiration", key + Le64(60)), "00");
  EXPECT_EQ(Query("cache_remove", key), "0001" + Str("value"));
  EXPECT_EQ(Query("cache_get", key + Le32(16384)), "0000");
  // A transaction writes, but reads nothing back.
  EXPECT_EQ(Transact("cache_set", key + Str("other")), "000100");
  EXPECT_EQ(Transact("cache_get", key + Le32(16384)), "0000");
  EXPECT_EQ(Query("cache_get", key + Le32(16384)), "0001" + Str("other"));
}

TEST_F(SdkPinkOnPink, LogLinesGoToTheDebugOutput) {
  EXPECT_EQ(Query("log", "03" + Str("hello")), "00");
  EXPECT_EQ(last_.debug_message, "info: hello\n");
  EXPECT_EQ(Query("log_at_each_level", Str("x")), "00");
  EXPECT_EQ(last_.debug_message, "error: x\nwarn: x\ninfo: x\ndebug: x\ntrace: x\n");
}

TEST_F(SdkPinkOnPink, AQueryGetsWhatATransactionDoesNot) {
  EXPECT_EQ(Query("is_in_transaction"), "0000");
  EXPECT_EQ(Transact("is_in_transaction"), "0001");

  std::string random = Query("getrandom", "10");
  EXPECT_EQ(random.size(), 2 + 2 + 32u) << random;  // 00 ‖ compact 16 ‖ 16 bytes
  EXPECT_NE(Query("getrandom", "10"), random);
  EXPECT_EQ(Transact("getrandom", "10"), "0000");

  EXPECT_EQ(Query("worker_pubkey"), "00" + Times("77", 32));
  EXPECT_EQ(Transact("worker_pubkey"), "00" + Times("00", 32));

  EXPECT_NE(Query("untrusted_millis_since_unix_epoch"), "00" + Le64(0));
  EXPECT_EQ(Transact("untrusted_millis_since_unix_epoch"), "00" + Le64(0));

  // A transaction reaches no network: http_request is 523, batch_http_request NotAllowed.
  EXPECT_EQ(Transact("http_get", kUrl), "00" + ("0b02" + Str("API Unavailable") + "0000"));
  EXPECT_EQ(Transact("batch_http_request", "04" + kGet + Le64(1500)), "!000106");
}

TEST_F(SdkPinkOnPink, AContractDerivesItsKeyAndSignsWithIt) {
  const std::string derived = Query("derive_sr25519_key", Str("oracle"));
  const crypto::Sr25519SecretKey expected =
      cluster_key_.DeriveContractKey(contract_, AsBytes("oracle"));
  EXPECT_EQ(derived, "000101" + ToHex(expected));
  EXPECT_EQ(Transact("derive_sr25519_key", Str("oracle")), derived);  // the same in a transaction
  const std::string key = "0101" + ToHex(expected);  // as an argument: Vec of 64 bytes

  auto pair = crypto::Sr25519KeypairFromSecretKey(expected);
  ASSERT_TRUE(pair.has_value()) << pair.error();
  EXPECT_EQ(Query("get_public_key", "01" + key), "0080" + ToHex(pair->public_key));

  // sign(Sr25519, key, "hello"): a signature the host's sr25519 accepts, and verify agrees.
  const std::string signed_ = Query("sign", "01" + key + Str("hello"));
  ASSERT_EQ(signed_.size(), 2 * (1 + 2 + 64u)) << signed_;
  auto signature = FixedFromHex<64>(signed_.substr(6));
  ASSERT_TRUE(signature.has_value());
  EXPECT_TRUE(crypto::Sr25519Verify(*signature, AsBytes("hello"), pair->public_key));
  const std::string args = "80" + ToHex(pair->public_key) + Str("hello") + signed_.substr(2);
  EXPECT_EQ(Query("verify", "01" + args), "0001");
  EXPECT_EQ(
      Query("verify", "01" + ("80" + ToHex(pair->public_key)) + Str("hullo") + signed_.substr(2)),
      "0000");
  // A transaction gets no sr25519 signature: it would differ from worker to worker.
  EXPECT_EQ(Transact("sign", "01" + key + Str("hello")), "0000");
}

TEST_F(SdkPinkOnPink, EcdsaPrehashedSignaturesVerify) {
  const std::string secret = "80" + Times("01", 32), hash = Times("ab", 32);
  const std::string signed_ = Query("ecdsa_sign_prehashed", secret + hash);
  ASSERT_EQ(signed_.size(), 2 * (1 + 65u)) << signed_;
  const std::string public_key = Query("get_public_key", "02" + secret);
  ASSERT_EQ(public_key.size(), 2 * (1 + 1 + 33u)) << public_key;
  EXPECT_EQ(Query("ecdsa_verify_prehashed", signed_.substr(2) + hash + public_key.substr(4)),
            "0001");
  EXPECT_EQ(
      Query("ecdsa_verify_prehashed", signed_.substr(2) + Times("ac", 32) + public_key.substr(4)),
      "0000");
}

TEST_F(SdkPinkOnPink, ClusterFactsBalancesAndCode) {
  EXPECT_EQ(Query("system_contract_id"), "00" + Times("5c", 32));
  state_.SetBalance(Account(0xcc), 1234);
  const std::string balance = ToHex(codec::Encode(codec::uint128(1234)));
  EXPECT_EQ(Query("balance_of", Times("cc", 32)), "00" + balance + balance);
  EXPECT_EQ(Query("runtime_version"), "00" + Le32(1) + Le32(2));
  EXPECT_EQ(Query("current_event_chain_head"), "00" + Le64(42) + Times("00", 32));
  EXPECT_EQ(Query("code_exists", ToHex(code_hash_) + "00"), "0001");
  EXPECT_EQ(Query("code_exists", ToHex(code_hash_) + "01"), "0000");  // no SideVM code
  EXPECT_EQ(Query("code_exists", Times("dd", 32) + "00"), "0000");
  // Only the system contract may import system code.
  EXPECT_TRUE(Query("import_latest_system_code", Times("aa", 32)).starts_with("error: HostError"));
}

// ---- the oracle example (sdk/examples/oracle.cc), with pink's answers chosen ----

// Its Error's variants, in order.
enum OracleError {
  kNotOwner,
  kNoSource,
  kNotInQuery,
  kUnreachable,
  kBadStatus,
  kInvalidJson,
  kNoPrice,
  kNotAnInteger,
  kOutOfRange
};

class SdkOracle : public PinkCallsTest {
 protected:
  void SetUp() override {
    Deploy(pink_, "oracle");
    EXPECT_EQ(Transact("set_source", Str(kSource)), "0000");
    pink_->answers[12] = {0, Unhex("00")};                     // is_in_transaction: no
    pink_->answers[4] = {0, Unhex(kKey)};                      // derive_sr25519_key
    pink_->answers[2] = {0, Unhex("0101" + Times("5a", 64))};  // sign
    pink_->sent.clear();
  }
  // What fetch() answers when the source answers `status` with `body`.
  std::string FetchGiven(std::string_view body, uint16_t status = 200) {
    codec::ScaleWriter w;
    codec::Encode(w, status, std::string(status == 200 ? "OK" : "Other"),
                  std::vector<std::pair<std::string, std::string>>{},
                  Bytes(body.begin(), body.end()));
    pink_->answers[1] = {0, w.Take()};
    return Query("fetch");
  }
  static std::string Fetched(int64_t value) {
    return "0000" + ToHex(codec::Encode(uint64_t(value))) + "0101" + Times("5a", 64);
  }
  static std::string Failed(OracleError error) { return "!0001" + ToHex(Bytes{uint8_t(error)}); }

  static constexpr std::string_view kSource = "http://a.test/price";
  const std::string kKey = "0101" + Times("4b", 64);  // a 64-byte secret key, as pink derives
  std::shared_ptr<RecordingExtension> pink_ = std::make_shared<RecordingExtension>();
};

TEST_F(SdkOracle, FetchGetsTheSourceAndSignsTheValueWithItsDerivedKey) {
  EXPECT_EQ(FetchGiven(R"({"price": 4200})"), Fetched(4200));
  const std::string get = Str(kSource) + Str("GET") + "0000";
  EXPECT_EQ(pink_->sent, (std::vector<std::string>{
                             "12: ",                              // is_in_transaction
                             "1: " + get,                         // http_request
                             "4: " + Str("oracle"),               // derive_sr25519_key
                             "2: 01" + kKey + "20" + Le64(4200),  // sign(Sr25519, key, SCALE(4200))
                         }));
}

TEST_F(SdkOracle, PublicKeyIsTheDerivedKeysSr25519PublicKey) {
  pink_->answers[5] = {0, Unhex("80" + Times("c3", 32))};
  EXPECT_EQ(Query("public_key"), "0080" + Times("c3", 32));
  EXPECT_EQ(pink_->sent, (std::vector<std::string>{"4: " + Str("oracle"), "5: 01" + kKey}));
}

TEST_F(SdkOracle, TheBodyIsOneJsonObjectWithAnIntegerPrice) {
  EXPECT_EQ(FetchGiven(R"({"price": "4200"})"), Fetched(4200));
  EXPECT_EQ(FetchGiven(" {\n\t\"price\" :-17 }\r\n"), Fetched(-17));
  EXPECT_EQ(FetchGiven(R"({"a": [1, {"b": null}, "x\"y", -0.5e3, true], "price": 0, "c": {}})"),
            Fetched(0));
  EXPECT_EQ(FetchGiven(R"({"price": 9223372036854775807})"), Fetched(INT64_MAX));
  EXPECT_EQ(FetchGiven(R"({"price": "-9223372036854775808"})"), Fetched(INT64_MIN));
}

TEST_F(SdkOracle, EachWayABodyCanFailHasItsOwnError) {
  struct Case {
    std::string_view body;
    OracleError error;
  };
  const Case cases[] = {
      {R"({"price": 9223372036854775808})", kOutOfRange},
      {R"({"price": "-9223372036854775809"})", kOutOfRange},
      {R"({"price": 42.5})", kNotAnInteger},
      {R"({"price": 4e3})", kNotAnInteger},
      {R"({"price": "42.5"})", kNotAnInteger},
      {R"({"price": " 42"})", kNotAnInteger},
      {R"({"price": "4\u0032"})", kNotAnInteger},
      {R"({"price": null})", kNotAnInteger},
      {R"({"price": [4200]})", kNotAnInteger},
      {R"({"other": {"price": 5}})", kNoPrice},  // only the top level counts
      {R"({"pr\u0069ce": 5})", kNoPrice},        // keys are compared as written
      {R"({})", kNoPrice},
      {R"({"price": 4200)", kInvalidJson},
      {R"({"price": 4200} and more)", kInvalidJson},
      {R"({"price": 0123})", kInvalidJson},
      {R"({"price": 1, "price": 2})", kInvalidJson},  // which one?
      {R"({"price": 1,})", kInvalidJson},
      {R"({"price": tru})", kInvalidJson},
      {R"({"a": "\x"})", kInvalidJson},
      {"{\"a\": \"tab\there\"}", kInvalidJson},  // a raw control character in a string
      {R"([{"price": 1}])", kInvalidJson},
      {R"(4200)", kInvalidJson},
      {"", kInvalidJson},
      {"price: 4200", kInvalidJson},
  };
  for (const Case& c : cases) EXPECT_EQ(FetchGiven(c.body), Failed(c.error)) << c.body;
}

TEST_F(SdkOracle, NestingIsBounded) {
  auto nested = [](int depth) {  // {"a": {"a": … {} …}, "price": 1}
    std::string body;
    for (int i = 0; i < depth; ++i) body += R"({"a": )";
    body += "{}";
    for (int i = 0; i < depth; ++i) body += "}";
    return R"({"price": 1, "a": )" + body + "}";
  };
  EXPECT_EQ(FetchGiven(nested(30)), Fetched(1));  // 32 levels in all
  EXPECT_EQ(FetchGiven(nested(31)), Failed(kInvalidJson));
}

TEST_F(SdkOracle, AnUnreachableSourceOrAnotherStatusIsAnError) {
  EXPECT_EQ(FetchGiven("Unreachable", 523), Failed(kUnreachable));
  EXPECT_EQ(pink_->sent.back(), "10: 02" + Str("oracle: the source is unreachable"));
  EXPECT_EQ(FetchGiven(R"({"price": 4200})", 404), Failed(kBadStatus));
  EXPECT_EQ(pink_->sent.back(), "10: 02" + Str("oracle: the source answered HTTP 404"));
}

TEST_F(SdkOracle, FetchNeedsAQueryAndASource) {
  pink_->answers[12] = {0, Unhex("01")};  // in a transaction
  EXPECT_EQ(FetchGiven(R"({"price": 4200})"), Failed(kNotInQuery));
  pink_->answers[12] = {0, Unhex("00")};
  EXPECT_EQ(Transact("set_source", Str("")), "0000");
  EXPECT_EQ(FetchGiven(R"({"price": 4200})"), Failed(kNoSource));
}

TEST_F(SdkOracle, OnlyTheOwnerSetsTheSourceAndStores) {
  EXPECT_EQ(Transact("set_source", Str("http://b.test/"), &bob_), Failed(kNotOwner));
  EXPECT_EQ(Query("source"), "00" + Str(kSource));
  EXPECT_EQ(Query("last"), "0000");  // None
  EXPECT_EQ(Transact("store", Le64(4200), &bob_), Failed(kNotOwner));
  EXPECT_EQ(Transact("store", Le64(4200)), "0000");
  EXPECT_EQ(Query("last"), "0001" + Le64(4200));
}

}  // namespace
}  // namespace phat::contracts
