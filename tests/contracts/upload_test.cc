// Upload validation (ABI.md §1; pallet-contracts wasm/prepare.rs): which modules the runtime
// accepts as contracts, and that it rejects the rest with CodeRejected (or CodeTooLarge) and a
// message naming the problem. The rejected modules are a few lines each, so they are written
// here next to their test rather than as fixture files; modules that run are in fixtures/.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "contracts/contract_test_util.h"
#include "phat/crypto/hash.h"
#include "wasm/test_util.h"

namespace phat::contracts::testing {
namespace {

constexpr std::string_view kMemory = R"((import "env" "memory" (memory 1 16)))";
constexpr std::string_view kEntries = R"((func (export "call")) (func (export "deploy")))";

// A module of the given fields.
std::string Module(std::initializer_list<std::string_view> fields) {
  std::string text = "(module\n";
  for (std::string_view field : fields) (text += "  ") += std::string(field) + "\n";
  return text + ")\n";
}

// A contract (env.memory, call, deploy) with one more field.
std::string ContractWith(std::string_view field) {
  return Module({kMemory, field, kEntries});
}

// Succeeds if the upload failed with `kind` and a message containing every one of `words`.
::testing::AssertionResult Rejected(const Expected<CodeHash, Error>& upload,
                                    std::initializer_list<std::string_view> words,
                                    ContractError kind = ContractError::CodeRejected) {
  if (upload) return ::testing::AssertionFailure() << "the upload was accepted";
  const Error& error = upload.error();
  if (error.kind != kind)
    return ::testing::AssertionFailure()
           << "failed with " << ContractErrorName(error.kind) << " instead of "
           << ContractErrorName(kind) << ": " << error.ToString();
  for (std::string_view word : words)
    if (error.message.find(word) == std::string::npos)
      return ::testing::AssertionFailure()
             << "the message does not say \"" << word << "\": " << error.message;
  return ::testing::AssertionSuccess();
}

class UploadTest : public ContractTest {};

// ---- What is accepted, and how it is stored ----

TEST_F(UploadTest, AcceptsAMinimalContract) {
  auto hash = Upload(Module({kMemory, kEntries}));
  ASSERT_TRUE(hash) << hash.error().ToString();
  std::optional<CodeInfo> info = state_.GetCodeInfo(*hash);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->owner, kAlice);
  EXPECT_EQ(info->determinism, Determinism::Enforced);
  EXPECT_EQ(info->refcount, 0u);
}

TEST_F(UploadTest, TheCodeHashIsBlake2b256OfTheBytes) {
  Bytes wasm = Wasm(Module({kMemory, kEntries}));
  auto hash = runtime_.Upload(state_, kAlice, wasm);
  ASSERT_TRUE(hash) << hash.error().ToString();
  EXPECT_EQ(*hash, crypto::Blake2b256(wasm));
  EXPECT_EQ(state_.GetCode(*hash), wasm);
  EXPECT_EQ(state_.GetCodeInfo(*hash)->code_len, wasm.size());
}

TEST_F(UploadTest, UploadingTheSameCodeTwiceReturnsTheSameHashAndChangesNothing) {
  Bytes wasm = Wasm(Module({kMemory, kEntries}));
  auto first = runtime_.Upload(state_, kAlice, wasm);
  ASSERT_TRUE(first);
  auto again = runtime_.PrepareUpload(state_, kBob, wasm);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->first, *first);
  EXPECT_TRUE(again->second.empty());
  auto second = runtime_.Upload(state_, kBob, wasm);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(state_.GetCodeInfo(*first)->owner, kAlice);  // still the first uploader's
}

TEST_F(UploadTest, ARejectedUploadStoresNothing) {
  Bytes wasm = Wasm(Module({kEntries}));  // no memory import
  ASSERT_FALSE(runtime_.Upload(state_, kAlice, wasm));
  EXPECT_FALSE(state_.GetCodeInfo(crypto::Blake2b256(wasm)));
  EXPECT_FALSE(state_.GetCode(crypto::Blake2b256(wasm)));
}

TEST_F(UploadTest, RejectsBytesThatAreNotWasm) {
  EXPECT_FALSE(runtime_.Upload(state_, kAlice, AsBytes("not a wasm module")));
  EXPECT_EQ(runtime_.Upload(state_, kAlice, AsBytes("\0asm")).error().kind,
            ContractError::CodeRejected);
}

// ---- Imports ----

TEST_F(UploadTest, RejectsAnUnknownHostFunction) {
  EXPECT_TRUE(Rejected(Upload(ContractWith(R"((import "seal0" "does_not_exist" (func)))")),
                       {"seal0.does_not_exist"}));
}

TEST_F(UploadTest, RejectsAKnownHostFunctionWithTheWrongSignature) {
  // seal1.get_storage is (key, key_len, out, out_len_ptr) -> i32; this one lacks key_len.
  EXPECT_TRUE(
      Rejected(Upload(ContractWith(
                   R"((import "seal1" "get_storage" (func (param i32 i32 i32) (result i32))))")),
               {"seal1.get_storage"}));
  // The right parameters with a missing result.
  EXPECT_TRUE(Rejected(Upload(ContractWith(R"((import "seal0" "caller_is_origin" (func)))")),
                       {"seal0.caller_is_origin"}));
}

TEST_F(UploadTest, RejectsAFunctionImportFromAnUnknownModule) {
  EXPECT_TRUE(Rejected(Upload(ContractWith(R"((import "seal9" "input" (func (param i32 i32))))")),
                       {"seal9.input"}));
  EXPECT_TRUE(Rejected(Upload(ContractWith(R"((import "env" "input" (func (param i32 i32))))")),
                       {"env.input"}));
}

TEST_F(UploadTest, RejectsATableImport) {
  EXPECT_TRUE(
      Rejected(Upload(ContractWith(R"((import "env" "table" (table 1 funcref)))")), {"env.table"}));
}

TEST_F(UploadTest, RejectsAGlobalImport) {
  EXPECT_TRUE(Rejected(Upload(ContractWith(R"((import "env" "g" (global i32)))")), {"env.g"}));
  EXPECT_TRUE(
      Rejected(Upload(ContractWith(R"((import "env" "g" (global (mut i32))))")), {"global"}));
}

// ---- The memory ----

TEST_F(UploadTest, RejectsAMemoryDefinedInsteadOfImported) {
  EXPECT_TRUE(Rejected(Upload(Module({"(memory 1 16)", kEntries})), {"memory"}));
}

TEST_F(UploadTest, RejectsAModuleWithoutMemory) {
  EXPECT_TRUE(Rejected(Upload(Module({kEntries})), {"env.memory"}));
}

TEST_F(UploadTest, RejectsMemoryImportedUnderAnotherName) {
  EXPECT_TRUE(
      Rejected(Upload(Module({R"((import "env" "mem" (memory 1 16)))", kEntries})), {"env.mem"}));
  EXPECT_TRUE(Rejected(Upload(Module({R"((import "seal0" "memory" (memory 1 16)))", kEntries})),
                       {"seal0.memory"}));
}

TEST_F(UploadTest, RejectsTwoMemoryImports) {
  Bytes wasm = wasm::testing::Wat2Wasm(
      Module({kMemory, R"((import "env" "memory" (memory 1 16)))", kEntries}),
      "--enable-multi-memory");
  EXPECT_FALSE(runtime_.Upload(state_, kAlice, wasm));
}

TEST_F(UploadTest, AcceptsMemoryMaxEqualToTheSchedulesLimit) {
  ASSERT_EQ(runtime_.schedule().limits.memory_pages, 64u);
  auto hash = Upload(Module({R"((import "env" "memory" (memory 1 64)))", kEntries}));
  EXPECT_TRUE(hash) << hash.error().ToString();
}

TEST_F(UploadTest, RejectsMemoryMaxAboveTheSchedulesLimit) {
  EXPECT_TRUE(
      Rejected(Upload(Module({R"((import "env" "memory" (memory 1 65)))", kEntries})), {"65"}));
}

TEST_F(UploadTest, RejectsMemoryMinAboveMax) {
  // wat2wasm refuses to write (memory 17 16): write (memory 16 16) and patch the minimum.
  Bytes wasm = Wasm(Module({R"((import "env" "memory" (memory 16 16)))", kEntries}));
  const Bytes limits = Cat({AsBytes("memory"), Bytes{0x02, 0x01, 16, 16}});
  auto at = std::search(wasm.begin(), wasm.end(), limits.begin(), limits.end());
  ASSERT_NE(at, wasm.end());
  at[8] = 17;
  EXPECT_FALSE(runtime_.Upload(state_, kAlice, wasm));
}

TEST_F(UploadTest, MemoryWithoutMaxIsAcceptedAndCappedAtTheSchedulesLimit) {
  CodeHash code = MustUpload(Fixture("memory_grow.wat"));
  AccountId contract = MustDeploy(code);
  // 1 page + 63 = the 64 the schedule allows: memory.grow returns the old size, 1.
  ExecResult r = Call(contract, Le32(63));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.result->data, Le32(1));
  // 1 + 64 is one page too many: memory.grow fails with -1.
  r = Call(contract, Le32(64));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.result->data, Le32(0xFFFFFFFF));
}

// ---- Exports ----

TEST_F(UploadTest, RejectsAMemoryExport) {
  EXPECT_TRUE(
      Rejected(Upload(Module({kMemory, R"((export "memory" (memory 0)))", kEntries})), {"memory"}));
}

TEST_F(UploadTest, RejectsATableExport) {
  EXPECT_TRUE(Rejected(Upload(ContractWith(R"((table (export "table") 1 funcref))")), {"table"}));
}

TEST_F(UploadTest, RejectsAGlobalExport) {
  EXPECT_TRUE(Rejected(Upload(ContractWith(R"((global (export "g") i32 (i32.const 0)))")), {"g"}));
}

TEST_F(UploadTest, RejectsAFunctionExportOtherThanCallAndDeploy) {
  EXPECT_TRUE(Rejected(Upload(ContractWith(R"((func (export "helper")))")), {"helper"}));
}

TEST_F(UploadTest, RejectsAContractWithoutCall) {
  EXPECT_TRUE(Rejected(Upload(Module({kMemory, R"((func (export "deploy")))"})), {"call"}));
}

TEST_F(UploadTest, RejectsAContractWithoutDeploy) {
  EXPECT_TRUE(Rejected(Upload(Module({kMemory, R"((func (export "call")))"})), {"deploy"}));
}

TEST_F(UploadTest, RejectsCallWithParameters) {
  EXPECT_TRUE(Rejected(Upload(Module({kMemory, R"((func (export "call") (param i32)))",
                                      R"((func (export "deploy")))"})),
                       {"call"}));
}

TEST_F(UploadTest, RejectsDeployReturningAnythingButNothingOrI32) {
  EXPECT_TRUE(Rejected(Upload(Module({kMemory, R"((func (export "call")))",
                                      R"((func (export "deploy") (result i64) (i64.const 0)))"})),
                       {"deploy"}));
}

TEST_F(UploadTest, AcceptsTheLegacyEntryPointsReturningI32) {
  auto hash = Upload(Module({kMemory, R"((func (export "call") (result i32) (i32.const 0)))",
                             R"((func (export "deploy") (result i32) (i32.const 0)))"}));
  EXPECT_TRUE(hash) << hash.error().ToString();
}

// ---- Wasm features (pallet-contracts' wasmi config) ----

TEST_F(UploadTest, RejectsFloatsInEnforcedCodeNamingTheFunctionAndOffset) {
  auto upload = Upload(Fixture("floats.wat"));
  ASSERT_TRUE(Rejected(upload, {"floating point", "function", "offset"}));
}

TEST_F(UploadTest, AcceptsFloatsInRelaxedCode) {
  auto hash = Upload(Fixture("floats.wat"), Determinism::Relaxed);
  ASSERT_TRUE(hash) << hash.error().ToString();
  EXPECT_EQ(state_.GetCodeInfo(*hash)->determinism, Determinism::Relaxed);
}

TEST_F(UploadTest, AcceptsSignExtension) {
  auto hash = Upload(ContractWith(R"((func (drop (i32.extend8_s (i32.const 0x80)))))"));
  EXPECT_TRUE(hash) << hash.error().ToString();
}

TEST_F(UploadTest, RejectsBulkMemory) {
  EXPECT_TRUE(Rejected(
      Upload(ContractWith(R"((func (memory.fill (i32.const 0) (i32.const 0) (i32.const 1))))")),
      {"bulk memory"}));
  EXPECT_TRUE(Rejected(
      Upload(ContractWith(R"((func (memory.copy (i32.const 0) (i32.const 1) (i32.const 1))))")),
      {"bulk memory"}));
}

TEST_F(UploadTest, RejectsReferenceTypes) {
  EXPECT_TRUE(
      Rejected(Upload(ContractWith(R"((func (drop (ref.null func))))")), {"reference types"}));
}

TEST_F(UploadTest, RejectsMultiValue) {
  EXPECT_TRUE(
      Rejected(Upload(ContractWith(R"((func (result i32 i32) (i32.const 1) (i32.const 2)))")),
               {"multi-value"}));
}

TEST_F(UploadTest, RejectsSaturatingFloatToIntEvenInRelaxedCode) {
  std::string wat = ContractWith(R"((func (drop (i32.trunc_sat_f64_s (f64.const 1.5)))))");
  EXPECT_TRUE(Rejected(Upload(wat), {"function"}));
  EXPECT_TRUE(Rejected(Upload(wat, Determinism::Relaxed), {"non-trapping float-to-int"}));
}

// ---- Limits ----

TEST_F(UploadTest, AcceptsFunctionsWith128ParametersAndRejects129) {
  auto params = [](int n) {
    std::string text = "(func (param";
    for (int i = 0; i < n; ++i) text += " i32";
    return text + "))";
  };
  auto hash = Upload(ContractWith(params(128)));
  EXPECT_TRUE(hash) << hash.error().ToString();
  EXPECT_TRUE(Rejected(Upload(ContractWith(params(129))), {"128"}));
}

TEST_F(UploadTest, Accepts256GlobalsAndRejects257) {
  auto globals = [](int n) {
    std::string text;
    for (int i = 0; i < n; ++i) text += "(global i32 (i32.const 0)) ";
    return text;
  };
  auto hash = Upload(ContractWith(globals(256)));
  EXPECT_TRUE(hash) << hash.error().ToString();
  EXPECT_TRUE(Rejected(Upload(ContractWith(globals(257))), {"globals"}));
}

TEST_F(UploadTest, AcceptsAFunctionWith1024LocalsAndRejects1025) {
  auto locals = [](int n) {
    std::string text = "(func";
    for (int i = 0; i < n; ++i) text += " (local i32)";
    return text + ")";
  };
  auto hash = Upload(ContractWith(locals(1024)));
  EXPECT_TRUE(hash) << hash.error().ToString();
  EXPECT_TRUE(Rejected(Upload(ContractWith(locals(1025))), {"function"}));
}

TEST(CodeLenTest, AModuleOfExactlyMaxCodeLenIsAccepted) {
  Bytes wasm = Wasm(Module({kMemory, kEntries}));
  RuntimeConfig config;
  config.schedule.limits.max_code_len = uint32_t(wasm.size());
  Runtime runtime(config);
  MemoryState state;
  auto hash = runtime.Upload(state, kAlice, wasm);
  EXPECT_TRUE(hash) << hash.error().ToString();
}

TEST(CodeLenTest, AModuleOverMaxCodeLenIsCodeTooLarge) {
  Bytes wasm = Wasm(Module({kMemory, kEntries}));
  RuntimeConfig config;
  config.schedule.limits.max_code_len = uint32_t(wasm.size() - 1);
  Runtime runtime(config);
  MemoryState state;
  EXPECT_TRUE(Rejected(runtime.Upload(state, kAlice, wasm), {std::to_string(wasm.size())},
                       ContractError::CodeTooLarge));
}

TEST(CodeLenTest, TheDefaultMaxCodeLenIsPinks2MiB) {
  EXPECT_EQ(Schedule{}.limits.max_code_len, 2u * 1024 * 1024);
  // 2 MiB of data: over the limit with the module's own bytes.
  std::string wat = "(module " + std::string(kMemory) + " " + std::string(kEntries) +
                    " (data (i32.const 0) \"" + std::string(2 * 1024 * 1024, 'x') + "\"))";
  Runtime runtime;
  MemoryState state;
  EXPECT_TRUE(Rejected(runtime.Upload(state, kAlice, Wasm(wat)), {}, ContractError::CodeTooLarge));
}

// ---- Chain extensions ----

TEST_F(UploadTest, RejectsCallChainExtensionWhenNoExtensionIsRegistered) {
  std::string wat = ContractWith(
      R"((import "seal0" "call_chain_extension" (func (param i32 i32 i32 i32 i32) (result i32))))");
  EXPECT_TRUE(Rejected(Upload(wat), {"call_chain_extension"}));
}

TEST_F(UploadTest, RejectsTheSealPrefixedCallChainExtensionWhenNoExtensionIsRegistered) {
  // pallet-contracts' scan_imports refuses both names while chain extensions are disabled.
  std::string wat = ContractWith(
      R"((import "seal0" "seal_call_chain_extension" (func (param i32 i32 i32 i32 i32) (result i32))))");
  EXPECT_TRUE(Rejected(Upload(wat), {"call_chain_extension"}));
}

class NoopExtension : public ChainExtension {
 public:
  Expected<ExtensionResult, Error> Call(uint16_t, ByteView, ExtensionContext&) override {
    return ExtensionResult{};
  }
};

TEST_F(UploadTest, AcceptsCallChainExtensionWhenAnExtensionIsRegistered) {
  runtime_.RegisterChainExtension(0, std::make_shared<NoopExtension>());
  auto hash = Upload(Fixture("chain_extension.wat"));
  EXPECT_TRUE(hash) << hash.error().ToString();
}

// ---- Every import ink! 4 and 5 make, with its exact signature, and the names refused ----

struct HostImport {
  const char* module;
  const char* name;
  const char* params;  // 'i' i32, 'I' i64
  const char* results;
};

void PrintTo(const HostImport& import, std::ostream* os) {
  *os << import.module << "." << import.name << " (" << import.params << ") -> (" << import.results
      << ")";
}

std::string ImportWat(const HostImport& import) {
  auto types = [](std::string_view codes) {
    std::string text;
    for (char c : codes) text += c == 'I' ? " i64" : " i32";
    return text;
  };
  std::string func = "(func";
  if (*import.params) func += " (param" + types(import.params) + ")";
  if (*import.results) func += " (result" + types(import.results) + ")";
  func += ")";
  return "(import \"" + std::string(import.module) + "\" \"" + import.name + "\" " + func + ")";
}

std::string ImportName(const ::testing::TestParamInfo<HostImport>& info) {
  return std::string(info.param.module) + "_" + info.param.name;
}

class AcceptedImportTest : public ContractTest, public ::testing::WithParamInterface<HostImport> {};

TEST_P(AcceptedImportTest, IsAccepted) {
  auto hash = Upload(ContractWith(ImportWat(GetParam())));
  EXPECT_TRUE(hash) << ImportWat(GetParam()) << ": " << hash.error().ToString();
}

// The stable interface of pallet-contracts (wasm/runtime.rs, neither #[unstable] nor
// #[deprecated]) that ink! 4 and 5 (pallet-contracts-uapi) import.
INSTANTIATE_TEST_SUITE_P(
    Ink4And5, AcceptedImportTest,
    ::testing::Values(
        HostImport{"seal0", "input", "ii", ""}, HostImport{"seal0", "seal_return", "iii", ""},
        HostImport{"seal0", "get_storage", "iii", "i"},
        HostImport{"seal1", "get_storage", "iiii", "i"},
        HostImport{"seal0", "set_storage", "iii", ""},
        HostImport{"seal1", "set_storage", "iii", "i"},
        HostImport{"seal2", "set_storage", "iiii", "i"},
        HostImport{"seal0", "clear_storage", "i", ""},
        HostImport{"seal1", "clear_storage", "ii", "i"},
        HostImport{"seal0", "contains_storage", "i", "i"},
        HostImport{"seal1", "contains_storage", "ii", "i"},
        HostImport{"seal0", "take_storage", "iiii", "i"}, HostImport{"seal0", "caller", "ii", ""},
        HostImport{"seal0", "address", "ii", ""},
        HostImport{"seal0", "value_transferred", "ii", ""},
        HostImport{"seal0", "balance", "ii", ""}, HostImport{"seal0", "minimum_balance", "ii", ""},
        HostImport{"seal0", "now", "ii", ""}, HostImport{"seal0", "block_number", "ii", ""},
        HostImport{"seal0", "gas_left", "ii", ""}, HostImport{"seal0", "weight_to_fee", "Iii", ""},
        HostImport{"seal0", "own_code_hash", "ii", ""},
        HostImport{"seal0", "caller_is_origin", "", "i"},
        HostImport{"seal0", "caller_is_root", "", "i"},
        HostImport{"seal0", "is_contract", "i", "i"}, HostImport{"seal0", "code_hash", "iii", "i"},
        HostImport{"seal0", "deposit_event", "iiii", ""},
        HostImport{"seal0", "debug_message", "ii", "i"},
        HostImport{"seal0", "hash_blake2_256", "iii", ""},
        HostImport{"seal0", "hash_blake2_128", "iii", ""},
        HostImport{"seal0", "hash_sha2_256", "iii", ""},
        HostImport{"seal0", "hash_keccak_256", "iii", ""},
        HostImport{"seal0", "ecdsa_recover", "iii", "i"},
        HostImport{"seal0", "ecdsa_to_eth_address", "ii", "i"},
        HostImport{"seal0", "transfer", "iiii", "i"}, HostImport{"seal0", "call", "iiIiiiiii", "i"},
        HostImport{"seal1", "call", "iiIiiiii", "i"},
        HostImport{"seal2", "call", "iiIIiiiiii", "i"},
        HostImport{"seal0", "delegate_call", "iiiiii", "i"},
        HostImport{"seal0", "instantiate", "iiIiiiiiiiiii", "i"},
        HostImport{"seal1", "instantiate", "iIiiiiiiiii", "i"},
        HostImport{"seal2", "instantiate", "iIIiiiiiiiiii", "i"},
        HostImport{"seal0", "terminate", "ii", ""}, HostImport{"seal1", "terminate", "i", ""},
        HostImport{"seal0", "set_code_hash", "i", "i"},
        HostImport{"seal0", "call_runtime", "ii", "i"},
        HostImport{"seal0", "xcm_execute", "ii", "i"}, HostImport{"seal0", "xcm_send", "iiii", "i"},
        HostImport{"seal0", "lock_delegate_dependency", "i", ""},
        HostImport{"seal0", "unlock_delegate_dependency", "i", ""}),
    ImportName);

// Every #[prefixed_alias] function, as ink! 3 binaries import it ("seal_" + name).
INSTANTIATE_TEST_SUITE_P(
    Ink3Aliases, AcceptedImportTest,
    ::testing::Values(HostImport{"seal0", "seal_input", "ii", ""},
                      HostImport{"seal0", "seal_get_storage", "iii", "i"},
                      HostImport{"seal1", "seal_get_storage", "iiii", "i"},
                      HostImport{"seal0", "seal_set_storage", "iii", ""},
                      HostImport{"seal1", "seal_set_storage", "iii", "i"},
                      HostImport{"seal2", "seal_set_storage", "iiii", "i"},
                      HostImport{"seal0", "seal_clear_storage", "i", ""},
                      HostImport{"seal1", "seal_clear_storage", "ii", "i"},
                      HostImport{"seal0", "seal_contains_storage", "i", "i"},
                      HostImport{"seal1", "seal_contains_storage", "ii", "i"},
                      HostImport{"seal0", "seal_take_storage", "iiii", "i"},
                      HostImport{"seal0", "seal_caller", "ii", ""},
                      HostImport{"seal0", "seal_address", "ii", ""},
                      HostImport{"seal0", "seal_value_transferred", "ii", ""},
                      HostImport{"seal0", "seal_balance", "ii", ""},
                      HostImport{"seal0", "seal_minimum_balance", "ii", ""},
                      HostImport{"seal0", "seal_now", "ii", ""},
                      HostImport{"seal0", "seal_block_number", "ii", ""},
                      HostImport{"seal0", "seal_gas_left", "ii", ""},
                      HostImport{"seal0", "seal_weight_to_fee", "Iii", ""},
                      HostImport{"seal0", "seal_own_code_hash", "ii", ""},
                      HostImport{"seal0", "seal_caller_is_origin", "", "i"},
                      HostImport{"seal0", "seal_is_contract", "i", "i"},
                      HostImport{"seal0", "seal_code_hash", "iii", "i"},
                      HostImport{"seal0", "seal_deposit_event", "iiii", ""},
                      HostImport{"seal0", "seal_debug_message", "ii", "i"},
                      HostImport{"seal0", "seal_hash_blake2_256", "iii", ""},
                      HostImport{"seal0", "seal_hash_blake2_128", "iii", ""},
                      HostImport{"seal0", "seal_hash_sha2_256", "iii", ""},
                      HostImport{"seal0", "seal_hash_keccak_256", "iii", ""},
                      HostImport{"seal0", "seal_ecdsa_recover", "iii", "i"},
                      HostImport{"seal0", "seal_ecdsa_to_eth_address", "ii", "i"},
                      HostImport{"seal0", "seal_transfer", "iiii", "i"},
                      HostImport{"seal0", "seal_call", "iiIiiiiii", "i"},
                      HostImport{"seal1", "seal_call", "iiIiiiii", "i"},
                      HostImport{"seal0", "seal_delegate_call", "iiiiii", "i"},
                      HostImport{"seal0", "seal_instantiate", "iiIiiiiiiiiii", "i"},
                      HostImport{"seal1", "seal_instantiate", "iIiiiiiiiii", "i"},
                      HostImport{"seal0", "seal_terminate", "ii", ""},
                      HostImport{"seal1", "seal_terminate", "i", ""},
                      HostImport{"seal0", "seal_set_code_hash", "i", "i"}),
    ImportName);

class RefusedImportTest : public ContractTest, public ::testing::WithParamInterface<HostImport> {};

TEST_P(RefusedImportTest, IsRejected) {
  EXPECT_TRUE(Rejected(Upload(ContractWith(ImportWat(GetParam()))),
                       {std::string(GetParam().module) + "." + GetParam().name}));
}

// No alias: pallet-contracts gives these no #[prefixed_alias]. Deprecated and unstable: refused
// for new code (prepare.rs instantiates with AllowDeprecatedInterface::No, and production
// runtimes do not allow the unstable interface).
INSTANTIATE_TEST_SUITE_P(
    NotInThePallet, RefusedImportTest,
    ::testing::Values(HostImport{"seal0", "seal_seal_return", "iii", ""},
                      HostImport{"seal0", "return", "iii", ""},
                      HostImport{"seal0", "seal_caller_is_root", "", "i"},
                      HostImport{"seal2", "seal_call", "iiIIiiiiii", "i"},
                      HostImport{"seal2", "seal_instantiate", "iIIiiiiiiiiii", "i"},
                      HostImport{"seal0", "seal_call_runtime", "ii", "i"},
                      HostImport{"seal0", "random", "iiii", ""},
                      HostImport{"seal0", "seal_random", "iiii", ""},
                      HostImport{"seal0", "seal_tombstone_deposit", "ii", ""},
                      HostImport{"seal1", "gas_left", "ii", ""},
                      HostImport{"seal0", "reentrance_count", "", "i"},
                      HostImport{"seal0", "set_transient_storage", "iiii", "i"}),
    ImportName);

}  // namespace
}  // namespace phat::contracts::testing
