// The host functions ink! 4 and 5 import (ABI.md §2), each with its happy path and its error
// paths, through fixtures that pass the test's arguments straight to them: getters.wat (the
// out/out_len_ptr values), storage.wat (every storage function) and misc.wat (the rest).
#include <gtest/gtest.h>

#include "contracts/contract_test_util.h"
#include "contracts/script_program.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/sr25519.h"

namespace phat::contracts::testing {
namespace {

// ---- Getters: the values' encodings and the out/out_len_ptr convention (getters.wat) ----

enum Getter : uint8_t {
  kCaller,
  kAddress,
  kValueTransferred,
  kBalance,
  kMinimumBalance,
  kNow,
  kBlockNumber,
  kGasLeft,
  kOwnCodeHash,
  kWeightToFee,
};

class GettersTest : public ContractTest {
 protected:
  GettersTest() {
    code_ = MustUpload(Fixture("getters.wat"));
    contract_ = MustDeploy(code_);
  }
  static Bytes Input(Getter which, uint32_t out_ptr = 0x1000, uint32_t capacity = 64,
                     uint64_t gas = 0) {
    return Cat({Bytes{which}, Le32(out_ptr), Le32(capacity), Le64(gas)});
  }
  // The value the getter wrote, or an empty result on failure (the test then checks why).
  Bytes Get(Getter which, Balance value = 0, const AccountId& origin = kAlice) {
    ExecResult r = Call(contract_, Input(which), value, origin);
    EXPECT_TRUE(r.ok()) << (r.result ? "reverted" : r.result.error().ToString());
    return r.result ? r.result->data : Bytes{};
  }
  CodeHash code_;
  AccountId contract_;
};

TEST_F(GettersTest, CallerIsTheCallingAccountAs32Bytes) {
  EXPECT_EQ(Get(kCaller), Bytes(kAlice.begin(), kAlice.end()));
  EXPECT_EQ(Get(kCaller, 0, kBob), Bytes(kBob.begin(), kBob.end()));
}

TEST_F(GettersTest, AddressIsTheContractsAccountAs32Bytes) {
  EXPECT_EQ(Get(kAddress), Bytes(contract_.begin(), contract_.end()));
}

TEST_F(GettersTest, ValueTransferredIsAU128LittleEndian) {
  EXPECT_EQ(Get(kValueTransferred), Le128(0));
  EXPECT_EQ(Get(kValueTransferred, (Balance(1) << 64) + 5), Le128((Balance(1) << 64) + 5));
}

TEST_F(GettersTest, BalanceIsAU128LittleEndianIncludingTheValueJustTransferred) {
  EXPECT_EQ(Get(kBalance), Le128(0));
  EXPECT_EQ(Get(kBalance, 700), Le128(700));
  EXPECT_EQ(Get(kBalance), Le128(700));
}

TEST_F(GettersTest, MinimumBalanceIsAU128LittleEndian) {
  EXPECT_EQ(Get(kMinimumBalance), Le128(runtime_.schedule().minimum_balance));
}

TEST_F(GettersTest, NowIsTheBlockTimestampInMillisecondsAsU64LittleEndian) {
  block_.timestamp_ms = 0x0102030405060708;
  EXPECT_EQ(Get(kNow), Hex("0807060504030201"));
}

TEST_F(GettersTest, BlockNumberIsAU32LittleEndian) {
  block_.block_number = 0x01020304;
  EXPECT_EQ(Get(kBlockNumber), Hex("04030201"));
}

TEST_F(GettersTest, GasLeftIsTheRefTimeLeftAsU64LittleEndian) {
  Bytes left = Get(kGasLeft);
  ASSERT_EQ(left.size(), 8u);
  uint64_t ref_time = ReadLe64(left);
  EXPECT_GT(ref_time, 0u);
  EXPECT_LT(ref_time, gas_limit_.ref_time);
}

TEST_F(GettersTest, GasLeftShrinksWithTheGasLimit) {
  uint64_t with_more = ReadLe64(Get(kGasLeft));
  gas_limit_.ref_time /= 2;
  uint64_t with_less = ReadLe64(Get(kGasLeft));
  EXPECT_LT(with_less, with_more);
}

TEST_F(GettersTest, OwnCodeHashIsTheContractsCodeHash) {
  EXPECT_EQ(Get(kOwnCodeHash), Bytes(code_.begin(), code_.end()));
}

TEST_F(GettersTest, WeightToFeeIsAU128LittleEndian) {
  ExecResult r = Call(contract_, Input(kWeightToFee, 0x1000, 64, 1'000'000));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.result->data.size(), 16u);
}

TEST_F(GettersTest, ACapacityLargerThanTheValueGetsTheValuesLength) {
  ExecResult r = Call(contract_, Input(kCaller, 0x1000, 1000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.result->data.size(), 32u);  // the fixture returns what out_len_ptr says
}

TEST_F(GettersTest, ACapacityOfExactlyTheValuesLengthSuffices) {
  ExecResult r = Call(contract_, Input(kCaller, 0x1000, 32));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.result->data, Bytes(kAlice.begin(), kAlice.end()));
}

TEST_F(GettersTest, ACapacitySmallerThanTheValueFailsWithOutputBufferTooSmall) {
  EXPECT_TRUE(
      FailsWith(Call(contract_, Input(kCaller, 0x1000, 31)), ContractError::OutputBufferTooSmall));
  EXPECT_TRUE(FailsWith(Call(contract_, Input(kValueTransferred, 0x1000, 15)),
                        ContractError::OutputBufferTooSmall));
  EXPECT_TRUE(FailsWith(Call(contract_, Input(kBlockNumber, 0x1000, 0)),
                        ContractError::OutputBufferTooSmall));
}

TEST_F(GettersTest, AnOutputPointerOutsideMemoryTraps) {
  // One page of memory: 65535 - 31 is the last place 32 bytes fit.
  ExecResult fits = Call(contract_, Input(kCaller, 65536 - 32, 32));
  EXPECT_TRUE(fits.ok()) << fits.result.error().ToString();
  EXPECT_TRUE(
      FailsWith(Call(contract_, Input(kCaller, 65536 - 31, 32)), ContractError::ContractTrapped));
  EXPECT_TRUE(
      FailsWith(Call(contract_, Input(kCaller, 0xFFFFFFF0, 32)), ContractError::ContractTrapped));
}

TEST_F(GettersTest, TheSkipSentinelIsNotHonouredByGetters) {
  // Only call, instantiate and delegate_call outputs may be skipped with out_ptr = u32::MAX.
  EXPECT_TRUE(
      FailsWith(Call(contract_, Input(kCaller, 0xFFFFFFFF, 32)), ContractError::ContractTrapped));
}

TEST_F(GettersTest, InputLargerThanTheBufferFailsWithOutputBufferTooSmall) {
  // The fixture offers seal0.input 64 bytes.
  EXPECT_TRUE(FailsWith(Call(contract_, Bytes(65, 0)), ContractError::OutputBufferTooSmall));
}

TEST_F(GettersTest, AnExportThatReturnsNormallySucceedsWithEmptyOutput) {
  // getters.wat's deploy just returns.
  ExecResult r = Deploy(code_, {}, 0, AsBytes("another"));
  ASSERT_TRUE(r.result.has_value()) << r.result.error().ToString();
  EXPECT_EQ(r.result->flags, 0u);
  EXPECT_TRUE(r.result->data.empty());
}

// ---- Storage (storage.wat) ----

enum StorageFn : uint8_t {
  kGet0,
  kSet0,
  kClear0,
  kContains0,
  kGet1,
  kSet1,
  kSet2,
  kClear1,
  kContains1,
  kTake,
  kSealGet,
  kSealSet,
  kSealClear,
  kSealContains,
};

Bytes Key32(uint8_t fill) {
  return Bytes(32, fill);
}

class StorageTest : public ContractTest {
 protected:
  StorageTest() { SetUpContract(); }
  explicit StorageTest(RuntimeConfig config) : ContractTest(std::move(config)) { SetUpContract(); }
  void SetUpContract() {
    code_ = MustUpload(Fixture("storage.wat"));
    contract_ = MustDeploy(code_);
  }
  static Bytes Input(StorageFn fn, ByteView key, ByteView value = {}, uint32_t capacity = 0x1000,
                     std::optional<uint32_t> value_len = std::nullopt) {
    return Cat({Bytes{fn}, Le32(uint32_t(key.size())),
                Le32(value_len.value_or(uint32_t(value.size()))), Le32(capacity), key, value});
  }
  ExecResult Run(StorageFn fn, ByteView key, ByteView value = {}, uint32_t capacity = 0x1000) {
    return Call(contract_, Input(fn, key, value, capacity));
  }
  // The function's result; the value it read goes to `*read`.
  uint32_t Result(StorageFn fn, ByteView key, ByteView value = {}, Bytes* read = nullptr) {
    ExecResult r = Run(fn, key, value);
    EXPECT_TRUE(r.ok()) << (r.result ? "reverted" : r.result.error().ToString());
    if (!r.ok()) return 0xdead;
    if (read) read->assign(r.result->data.begin() + 4, r.result->data.end());
    return ReadLe32(r.result->data);
  }
  std::optional<Bytes> Stored(ByteView key) { return state_.GetStorage(contract_, key); }

  CodeHash code_;
  AccountId contract_;
};

TEST_F(StorageTest, FixedKeyFunctionsOfSeal0RoundTrip) {
  Bytes key = Key32(7), read;
  EXPECT_EQ(Result(kSet0, key, Str("value")), 0u);
  EXPECT_EQ(Result(kGet0, key, {}, &read), kSuccess);
  EXPECT_EQ(read, Str("value"));
  EXPECT_EQ(Result(kContains0, key), 5u);
  EXPECT_EQ(Result(kClear0, key), 0u);
  EXPECT_EQ(Result(kGet0, key), kKeyNotFound);
  EXPECT_EQ(Result(kContains0, key), kSentinel);
}

TEST_F(StorageTest, TheSealPrefixedAliasesInk3ImportRoundTrip) {
  Bytes key = Key32(0), read;  // incrementer_ink3 stores at 32 zero bytes
  EXPECT_EQ(Result(kSealSet, key, Str("ink3")), 0u);
  EXPECT_EQ(Result(kSealGet, key, {}, &read), kSuccess);
  EXPECT_EQ(read, Str("ink3"));
  EXPECT_EQ(Result(kSealContains, key), 4u);
  EXPECT_EQ(Result(kSealClear, key), 0u);
  EXPECT_EQ(Result(kSealGet, key), kKeyNotFound);
}

TEST_F(StorageTest, Seal1SetStorageWithAFixedKeyReturnsTheOldSizeOrSentinel) {
  Bytes key = Key32(1);
  EXPECT_EQ(Result(kSet1, key, Str("abc")), kSentinel);
  EXPECT_EQ(Result(kSet1, key, Str("abcdef")), 3u);
  EXPECT_EQ(Result(kSet1, key, Str("")), 6u);
}

TEST_F(StorageTest, Seal2SetStorageReturnsTheOldSizeOrSentinel) {
  EXPECT_EQ(Result(kSet2, Str("k"), Str("abc")), kSentinel);
  EXPECT_EQ(Result(kSet2, Str("k"), Str("abcdef")), 3u);
  EXPECT_EQ(Stored(Str("k")), Str("abcdef"));
}

TEST_F(StorageTest, Seal1GetStorageReadsAVariableKey) {
  Bytes read;
  EXPECT_EQ(Result(kGet1, Str("k")), kKeyNotFound);
  Result(kSet2, Str("k"), Str("v"));
  EXPECT_EQ(Result(kGet1, Str("k"), {}, &read), kSuccess);
  EXPECT_EQ(read, Str("v"));
}

TEST_F(StorageTest, Seal1ClearStorageReturnsTheOldSizeOrSentinel) {
  EXPECT_EQ(Result(kClear1, Str("k")), kSentinel);
  Result(kSet2, Str("k"), Str("four"));
  EXPECT_EQ(Result(kClear1, Str("k")), 4u);
  EXPECT_FALSE(Stored(Str("k")));
  EXPECT_EQ(Result(kClear1, Str("k")), kSentinel);
}

TEST_F(StorageTest, Seal1ContainsStorageReturnsTheSizeOrSentinel) {
  EXPECT_EQ(Result(kContains1, Str("k")), kSentinel);
  Result(kSet2, Str("k"), Str("four"));
  EXPECT_EQ(Result(kContains1, Str("k")), 4u);
}

TEST_F(StorageTest, AnEmptyValueIsStoredAndIsNotAbsence) {
  Bytes read = Str("junk");
  EXPECT_EQ(Result(kSet2, Str("k"), {}), kSentinel);
  EXPECT_EQ(Result(kContains1, Str("k")), 0u);
  EXPECT_EQ(Result(kGet1, Str("k"), {}, &read), kSuccess);
  EXPECT_TRUE(read.empty());
  EXPECT_EQ(Result(kSet2, Str("k"), Str("x")), 0u);
}

TEST_F(StorageTest, TakeStorageReturnsTheValueAndRemovesIt) {
  Bytes read;
  Result(kSet2, Str("k"), Str("taken"));
  EXPECT_EQ(Result(kTake, Str("k"), {}, &read), kSuccess);
  EXPECT_EQ(read, Str("taken"));
  EXPECT_FALSE(Stored(Str("k")));
  EXPECT_EQ(Result(kTake, Str("k")), kKeyNotFound);
}

TEST_F(StorageTest, TakeStorageIntoATooSmallBufferFailsAndKeepsTheValue) {
  Result(kSet2, Str("k"), Str("taken"));
  EXPECT_TRUE(FailsWith(Run(kTake, Str("k"), {}, 4), ContractError::OutputBufferTooSmall));
  EXPECT_EQ(Stored(Str("k")), Str("taken"));
}

TEST_F(StorageTest, GetStorageIntoATooSmallBufferFailsWithOutputBufferTooSmall) {
  Result(kSet2, Str("k"), Str("abc"));
  EXPECT_TRUE(FailsWith(Run(kGet1, Str("k"), {}, 2), ContractError::OutputBufferTooSmall));
  EXPECT_TRUE(FailsWith(Run(kGet1, Str("k"), {}, 0), ContractError::OutputBufferTooSmall));
  ExecResult exact = Run(kGet1, Str("k"), {}, 3);
  EXPECT_TRUE(exact.ok());
}

TEST_F(StorageTest, AKeyOf128BytesIsAcceptedAndOf129IsDecodingFailed) {
  Bytes key128(128, 0x5a), key129(129, 0x5a);
  EXPECT_EQ(Result(kSet2, key128, Str("v")), kSentinel);
  EXPECT_EQ(Result(kGet1, key128), kSuccess);
  for (StorageFn fn : {kGet1, kSet2, kClear1, kContains1, kTake}) {
    SCOPED_TRACE(int(fn));
    EXPECT_TRUE(FailsWith(Run(fn, key129, Str("v")), ContractError::DecodingFailed));
  }
}

TEST_F(StorageTest, AnEmptyKeyIsAValidVariableKey) {
  EXPECT_EQ(Result(kSet2, {}, Str("v")), kSentinel);
  EXPECT_EQ(Result(kContains1, {}), 1u);
}

// pallet-contracts checks value_len against the limit before it reads the value from memory
// (runtime.rs set_storage), so an oversized length is ValueTooLarge even where it would run past
// the contract's memory.
TEST_F(StorageTest, AValueLengthOverPayloadLenIsValueTooLargeBeforeMemoryIsRead) {
  uint32_t too_long = runtime_.schedule().limits.payload_len + 1;  // past storage.wat's 2 pages
  EXPECT_TRUE(FailsWith(Call(contract_, Input(kSet2, Str("k"), Str("v"), 0x1000, too_long)),
                        ContractError::ValueTooLarge));
}

class SmallPayloadTest : public StorageTest {
 protected:
  static RuntimeConfig Config() {
    RuntimeConfig config;
    config.schedule.limits.payload_len = 1024;
    return config;
  }
  SmallPayloadTest() : StorageTest(Config()) {}
};

TEST_F(SmallPayloadTest, AValueOfPayloadLenIsStoredAndOneByteMoreIsValueTooLarge) {
  EXPECT_EQ(Result(kSet2, Str("k"), Bytes(1024, 1)), kSentinel);
  EXPECT_TRUE(FailsWith(Run(kSet2, Str("k"), Bytes(1025, 1)), ContractError::ValueTooLarge));
  EXPECT_TRUE(FailsWith(Run(kSet0, Key32(1), Bytes(1025, 1)), ContractError::ValueTooLarge));
  EXPECT_TRUE(FailsWith(Run(kSet1, Key32(1), Bytes(1025, 1)), ContractError::ValueTooLarge));
  EXPECT_EQ(Stored(Str("k")), Bytes(1024, 1));
}

// ---- Everything else (misc.wat) ----

enum MiscFn : uint8_t {
  kHash,
  kEvent,
  kDebug,
  kEcdsaRecover,
  kEthAddress,
  kTransfer,
  kIsContract,
  kCodeHash,
  kCallerIsOrigin,
  kCallerIsRoot,
  kCallRuntime,
  kXcmExecute,
  kXcmSend,
  kSealReturn,
  kInputAgain,
  kSr25519Verify,
};

class MiscTest : public ContractTest {
 protected:
  MiscTest() { SetUpContract(); }
  explicit MiscTest(RuntimeConfig config) : ContractTest(std::move(config)) { SetUpContract(); }
  void SetUpContract() {
    code_ = MustUpload(Fixture("misc.wat"));
    contract_ = MustDeploy(code_);
  }
  ExecResult Run(MiscFn fn, ByteView arg = {}, Balance value = 0) {
    return Call(contract_, Cat({Bytes{fn}, arg}), value);
  }
  Bytes Data(MiscFn fn, ByteView arg = {}) {
    ExecResult r = Run(fn, arg);
    EXPECT_TRUE(r.ok()) << (r.result ? "reverted" : r.result.error().ToString());
    return r.ok() ? r.result->data : Bytes{};
  }
  uint32_t Code(MiscFn fn, ByteView arg = {}) {
    Bytes data = Data(fn, arg);
    return data.size() >= 4 ? ReadLe32(data) : 0xdead;
  }
  Bytes Hash(uint8_t which, std::string_view data) {
    return Data(kHash, Cat({Bytes{which}, AsBytes(data)}));
  }
  static Bytes EventArg(ByteView topics, ByteView data) {
    return Cat({Le32(uint32_t(topics.size())), Le32(uint32_t(data.size())), topics, data});
  }
  static Bytes Topics(int n) {
    Bytes out{uint8_t(n << 2)};  // compact(n), n < 64
    for (int i = 0; i < n; ++i) out.insert(out.end(), 32, uint8_t(i + 1));
    return out;
  }
  CodeHash code_;
  AccountId contract_;
};

TEST_F(MiscTest, HashBlake2_256MatchesThePublishedVectors) {
  EXPECT_EQ(Hash(0, "abc"),
            Hex("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"));
  EXPECT_EQ(Hash(0, ""), Hex("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"));
}

TEST_F(MiscTest, HashBlake2_128MatchesThePublishedVector) {
  EXPECT_EQ(Hash(1, "abc"), Hex("cf4ab791c62b8d2b2109c90275287816"));
}

TEST_F(MiscTest, HashSha2_256MatchesThePublishedVector) {
  EXPECT_EQ(Hash(2, "abc"),
            Hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

TEST_F(MiscTest, HashKeccak256MatchesThePublishedVectors) {
  EXPECT_EQ(Hash(3, "abc"),
            Hex("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"));
  EXPECT_EQ(Hash(3, ""), Hex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"));
}

TEST_F(MiscTest, DepositEventRecordsTheContractTopicsAndData) {
  ExecResult r = Run(kEvent, EventArg(Topics(2), Str("data")));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].contract, contract_);
  ASSERT_EQ(r.events[0].topics.size(), 2u);
  Topic first;
  first.fill(1);
  EXPECT_EQ(r.events[0].topics[0], first);
  EXPECT_EQ(r.events[0].data, Str("data"));
}

TEST_F(MiscTest, FourTopicsAreAllowedAndFiveAreTooManyTopics) {
  ExecResult r = Run(kEvent, EventArg(Topics(4), Str("d")));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.events.at(0).topics.size(), 4u);
  EXPECT_TRUE(FailsWith(Run(kEvent, EventArg(Topics(5), Str("d"))), ContractError::TooManyTopics));
}

TEST_F(MiscTest, AnEmptyTopicsVectorIsAnEventWithoutTopics) {
  ExecResult r = Run(kEvent, EventArg(Topics(0), Str("d")));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_TRUE(r.events[0].topics.empty());
}

// pallet-contracts deposit_event: `match topics_len { 0 => Vec::new(), _ => decode }`: a
// zero-length topics buffer (no compact prefix at all) means no topics.
TEST_F(MiscTest, AZeroLengthTopicsBufferIsAnEventWithoutTopics) {
  ExecResult r = Run(kEvent, EventArg({}, Str("d")));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_TRUE(r.events[0].topics.empty());
  EXPECT_EQ(r.events[0].data, Str("d"));
}

TEST_F(MiscTest, TopicsThatDoNotDecodeExactlyAreDecodingFailed) {
  Bytes trailing = Cat({Topics(1), Bytes{0}});
  EXPECT_TRUE(FailsWith(Run(kEvent, EventArg(trailing, Str("d"))), ContractError::DecodingFailed));
  Bytes short_by_one = Topics(1);
  short_by_one.pop_back();
  EXPECT_TRUE(
      FailsWith(Run(kEvent, EventArg(short_by_one, Str("d"))), ContractError::DecodingFailed));
}

TEST_F(MiscTest, AnEventIsDroppedWhenTheCallReverts) {
  // Events are part of the state the revert undoes; the call is not ok, so none are reported.
  ExecResult r = Run(kSealReturn, Cat({Le32(kRevert), Str("no")}));
  ASSERT_TRUE(r.result.has_value());
  EXPECT_TRUE(r.events.empty());
}

TEST_F(MiscTest, DebugMessageReturnsSuccessAndTheTextAppearsInTheResult) {
  ExecResult r = Run(kDebug, Str("hello"));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.result->data, Le32(kSuccess));
  EXPECT_EQ(r.debug_message, "hello");
}

TEST_F(MiscTest, DebugMessageAppearsInAQueryToo) {
  ExecResult r = Query(contract_, Cat({Bytes{kDebug}, Str("dry run")}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.debug_message, "dry run");
}

// pallet-contracts debug_message: "Specifying invalid UTF-8 just drops the message with no trap."
TEST_F(MiscTest, DebugMessageDropsInvalidUtf8WithoutTrapping) {
  ExecResult r = Run(kDebug, Hex("68ff69"));  // 'h', an invalid byte, 'i'
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.result->data, Le32(kSuccess));
  EXPECT_EQ(r.debug_message, "");
}

class SmallDebugBufferTest : public MiscTest {
 protected:
  static RuntimeConfig Config() {
    RuntimeConfig config;
    config.schedule.limits.debug_buffer_len = 8;
    return config;
  }
  SmallDebugBufferTest() : MiscTest(Config()) {}
  // Two debug messages in one execution: script.wat calls misc.wat twice.
  ExecResult TwoMessages(std::string_view first, std::string_view second) {
    CodeHash script = MustUpload(Fixture("script.wat"));
    AccountId caller = MustDeploy(script);
    return Call(caller, Program()
                            .Call(contract_, Cat({Bytes{kDebug}, AsBytes(first)}))
                            .Call(contract_, Cat({Bytes{kDebug}, AsBytes(second)})));
  }
};

TEST_F(SmallDebugBufferTest, TheDebugBufferNeverExceedsItsLimit) {
  ExecResult r = Run(kDebug, Str("longer than eight"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.result->data, Le32(kSuccess));
  EXPECT_LE(r.debug_message.size(), 8u);
  r = TwoMessages("hello ", "world!");
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_LE(r.debug_message.size(), 8u);
}

// pallet-contracts appends with BoundedVec::try_extend, which appends all or nothing: a message
// that does not fit in what is left of the buffer is dropped whole, never cut.
TEST_F(SmallDebugBufferTest, AMessageThatDoesNotFitIsDroppedWhole) {
  ExecResult r = TwoMessages("hello ", "world!");
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.debug_message, "hello ");
}

// The vector of pallet-contracts' ecdsa_recover test: the key of secret 1 (the generator).
const Bytes kSignature = Hex(
    "a1eacb4a936033d405aee7098e3089c9a276c043ef1047d87d56a78b460756f121579afb511da004b0ef58d3f4e8e8"
    "34d3ea6473e62f502c98a63e32080d56af1c");
const Bytes kMessageHash = Hex("a21cf4b3604cf4b2bc53e6f88f6a4d75ef5ff4ab415f3e99aea6b61c8249c4d0");
const Bytes kRecoveredKey =
    Hex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");

TEST_F(MiscTest, EcdsaRecoverReturnsTheCompressedKeyOfAKnownSignature) {
  Bytes data = Data(kEcdsaRecover, Cat({kSignature, kMessageHash}));
  ASSERT_EQ(data.size(), 37u);
  EXPECT_EQ(ReadLe32(data), kSuccess);
  EXPECT_EQ(Bytes(data.begin() + 4, data.end()), kRecoveredKey);
}

TEST_F(MiscTest, EcdsaRecoverTakesRecoveryIdsZeroToThreeAsWellAs27To30) {
  Bytes signature = kSignature;
  signature[64] = 28 - 27;  // sp_io: v > 26 ? v - 27 : v
  Bytes data = Data(kEcdsaRecover, Cat({signature, kMessageHash}));
  EXPECT_EQ(ReadLe32(data), kSuccess);
  EXPECT_EQ(Bytes(data.begin() + 4, data.end()), kRecoveredKey);
}

TEST_F(MiscTest, EcdsaRecoverOfABadSignatureIsEcdsaRecoveryFailed) {
  Bytes zero(65, 0);
  EXPECT_EQ(Code(kEcdsaRecover, Cat({zero, kMessageHash})), 11u);
  Bytes bad_v = kSignature;
  bad_v[64] = 4;
  EXPECT_EQ(Code(kEcdsaRecover, Cat({bad_v, kMessageHash})), 11u);
}

TEST_F(MiscTest, EcdsaToEthAddressOfAKnownKey) {
  // ink_env's documented example.
  Bytes data =
      Data(kEthAddress, Hex("036ec023d118bd37dafa6459284cded0ca7f1f0d3a33f2b30d3f1316fca4e2f862"));
  ASSERT_EQ(data.size(), 24u);
  EXPECT_EQ(ReadLe32(data), kSuccess);
  EXPECT_EQ(Bytes(data.begin() + 4, data.end()), Hex("fdf0b5c28f42a36d12d34e31b15e9f4fcf2515bf"));
}

// Under Substrate's signing context ("substrate"), as sp_io's sr25519_verify; 12 on failure.
TEST_F(MiscTest, Sr25519VerifyAcceptsAGoodSignatureAndRefusesOthersWith12) {
  const crypto::Sr25519Keypair pair = crypto::Sr25519KeypairFromSeed(crypto::Sr25519MiniSecret{7});
  const Bytes message = Str("phat");
  const crypto::Sr25519Signature signature = crypto::Sr25519Sign(pair, message);
  EXPECT_EQ(Code(kSr25519Verify, Cat({signature, pair.public_key, message})), 0u);
  EXPECT_EQ(Code(kSr25519Verify, Cat({signature, pair.public_key, Str("phas")})), 12u);
  crypto::Sr25519Signature bad = signature;
  bad[0] ^= 1;
  EXPECT_EQ(Code(kSr25519Verify, Cat({bad, pair.public_key, message})), 12u);
}

TEST_F(MiscTest, EcdsaToEthAddressOfAnInvalidKeyIsEcdsaRecoveryFailed) {
  EXPECT_EQ(Code(kEthAddress, Bytes(33, 0)), 11u);
  Bytes bad_prefix = kRecoveredKey;
  bad_prefix[0] = 0x05;
  EXPECT_EQ(Code(kEthAddress, bad_prefix), 11u);
}

TEST_F(MiscTest, TransferMovesTheContractsBalance) {
  ASSERT_TRUE(Run(kHash, Bytes{0}, 1000).ok());  // fund the contract
  AccountId heir = Account(0x42);
  EXPECT_EQ(Code(kTransfer, Cat({heir, Le128(400)})), kSuccess);
  EXPECT_EQ(state_.GetBalance(heir), 400u);
  EXPECT_EQ(state_.GetBalance(contract_), 600u);
}

TEST_F(MiscTest, TransferOfZeroSucceeds) {
  EXPECT_EQ(Code(kTransfer, Cat({Account(0x42), Le128(0)})), kSuccess);
}

TEST_F(MiscTest, TransferOfMoreThanTheBalanceIsTransferFailed) {
  ASSERT_TRUE(Run(kHash, Bytes{0}, 1000).ok());
  EXPECT_EQ(Code(kTransfer, Cat({Account(0x42), Le128(1001)})), kTransferFailed);
  EXPECT_EQ(state_.GetBalance(contract_), 1000u);
  EXPECT_EQ(state_.GetBalance(Account(0x42)), 0u);
}

TEST_F(MiscTest, IsContractIsOneForAContractAndZeroForAPlainAccount) {
  EXPECT_EQ(Code(kIsContract, contract_), 1u);
  EXPECT_EQ(Code(kIsContract, kBob), 0u);
}

TEST_F(MiscTest, CodeHashOfAContractIsItsCode) {
  Bytes data = Data(kCodeHash, contract_);
  ASSERT_EQ(data.size(), 36u);
  EXPECT_EQ(ReadLe32(data), kSuccess);
  EXPECT_EQ(Bytes(data.begin() + 4, data.end()), Bytes(code_.begin(), code_.end()));
}

TEST_F(MiscTest, CodeHashOfAPlainAccountIsKeyNotFound) {
  EXPECT_EQ(Data(kCodeHash, kBob), Le32(kKeyNotFound));
}

TEST_F(MiscTest, CallerIsOriginAtTheTopAndNotInANestedCall) {
  EXPECT_EQ(Code(kCallerIsOrigin), 1u);
  CodeHash script = MustUpload(Fixture("script.wat"));
  AccountId caller = MustDeploy(script);
  ExecResult r = Call(caller, Program().Call(contract_, Bytes{kCallerIsOrigin}));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  CallOutcome nested = Output(r).Call();
  EXPECT_EQ(nested.code, kSuccess);
  EXPECT_EQ(nested.output, Le32(0));
}

TEST_F(MiscTest, CallerIsRootIsZeroForASignedOrigin) {
  EXPECT_EQ(Code(kCallerIsRoot), 0u);
}

TEST_F(MiscTest, CallRuntimeIsCallRuntimeFailed) {
  EXPECT_EQ(Code(kCallRuntime, Hex("0000")), 10u);
}

TEST_F(MiscTest, XcmExecuteIsXcmExecutionFailed) {
  EXPECT_EQ(Code(kXcmExecute, Hex("0300")), 13u);
}

TEST_F(MiscTest, XcmSendIsXcmSendFailed) {
  EXPECT_EQ(Code(kXcmSend, Cat({Le32(2), Hex("0300"), Hex("0300")})), 14u);
}

TEST_F(MiscTest, SealReturnWithoutFlagsReturnsTheData) {
  ExecResult r = Run(kSealReturn, Cat({Le32(0), Str("out")}));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.result->flags, 0u);
  EXPECT_EQ(r.result->data, Str("out"));
}

TEST_F(MiscTest, SealReturnWithRevertRevertsWithTheData) {
  ExecResult r = Run(kSealReturn, Cat({Le32(kRevert), Str("no")}));
  ASSERT_TRUE(r.result.has_value()) << r.result.error().ToString();
  EXPECT_TRUE(r.result->reverted());
  EXPECT_EQ(r.result->data, Str("no"));
  EXPECT_TRUE(r.changes.empty());
}

TEST_F(MiscTest, SealReturnWithAnyOtherFlagIsInvalidCallFlags) {
  EXPECT_TRUE(
      FailsWith(Run(kSealReturn, Cat({Le32(2), Str("x")})), ContractError::InvalidCallFlags));
  EXPECT_TRUE(FailsWith(Run(kSealReturn, Cat({Le32(0x80000001), Str("x")})),
                        ContractError::InvalidCallFlags));
}

TEST_F(MiscTest, InputCanBeReadTwice) {
  EXPECT_EQ(Data(kInputAgain, Str("arg")), Cat({Bytes{kInputAgain}, Str("arg")}));
}

}  // namespace
}  // namespace phat::contracts::testing
