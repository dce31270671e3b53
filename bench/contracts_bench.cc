// Contract runtime benchmarks, in process with the state in memory (issue targets: flipper `get`
// as a query <= 3 us per call; erc20 `transfer` committed >= 100,000 per second on one core).
// The contracts are the SDK's examples, built into ${CMAKE_BINARY_DIR}/contracts.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "phat/contracts/runtime.h"

namespace {

using namespace phat;
using namespace phat::contracts;

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (build the sdk_examples target)\n", path.c_str());
    std::exit(2);
  }
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

Bytes Concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes U128(Balance v) {
  Bytes out(16);
  for (int i = 0; i < 16; ++i) out[i] = uint8_t(v >> (8 * i));
  return out;
}

constexpr uint8_t kNew[] = {0x9b, 0xae, 0x9d, 0x5e};
constexpr uint8_t kGet[] = {0x2f, 0x86, 0x5b, 0xd9};
constexpr uint8_t kTransfer[] = {0x84, 0xa1, 0x5d, 0xa1};
constexpr uint8_t kBalanceOf[] = {0x0f, 0x75, 0x5a, 0x56};
const Weight kGas{100'000'000'000, 1'000'000};

// One deployed example contract in a fresh in-memory state.
struct Deployed {
  MemoryState state;
  Runtime runtime;
  AccountId alice{}, bob{};
  AccountId address{};
  BlockContext block{1, 1'700'000'000'000};

  Deployed(const char* name, const Bytes& ctor_input) {
    alice.fill(0xaa);
    bob.fill(0xbb);
    state.SetBalance(alice, Balance(1) << 80);
    auto code = runtime.Upload(state, alice,
                               ReadFile(std::string(PHAT_CONTRACTS_DIR) + "/" + name + ".wasm"));
    if (!code) Fail(code.error().ToString());
    ExecResult r = runtime.Instantiate(state, block, {alice, *code, 0, ctor_input, {}, kGas});
    if (!r.ok() || !r.account) Fail("the constructor failed");
    address = *r.account;
  }
  static void Fail(const std::string& why) {
    std::fprintf(stderr, "setup failed: %s\n", why.c_str());
    std::exit(2);
  }
};

void FlipperGetQuery(benchmark::State& s) {
  Deployed d("flipper", Concat({kNew, Bytes{0}}));
  CallRequest get{d.alice, d.address, 0, Bytes(std::begin(kGet), std::end(kGet)), kGas};
  for (auto _ : s) {
    ExecResult r = d.runtime.Query(d.state, d.block, get);
    if (!r.ok()) s.SkipWithError("get failed");
    benchmark::DoNotOptimize(r);
  }
  s.SetItemsProcessed(s.iterations());
}
BENCHMARK(FlipperGetQuery);

void Erc20TransferCommitted(benchmark::State& s) {
  Deployed d("erc20", Concat({kNew, U128(Balance(1) << 100)}));
  CallRequest transfer{d.alice, d.address, 0,
                       Concat({kTransfer, ByteView(d.bob), U128(1)}), kGas};
  for (auto _ : s) {
    ExecResult r = d.runtime.Call(d.state, d.block, transfer);
    if (!r.ok()) s.SkipWithError("transfer failed");
    benchmark::DoNotOptimize(r);
  }
  s.SetItemsProcessed(s.iterations());
}
BENCHMARK(Erc20TransferCommitted);

void Erc20BalanceOfQuery(benchmark::State& s) {
  Deployed d("erc20", Concat({kNew, U128(1000)}));
  CallRequest balance_of{d.alice, d.address, 0, Concat({kBalanceOf, ByteView(d.alice)}), kGas};
  for (auto _ : s) {
    ExecResult r = d.runtime.Query(d.state, d.block, balance_of);
    if (!r.ok()) s.SkipWithError("balance_of failed");
    benchmark::DoNotOptimize(r);
  }
  s.SetItemsProcessed(s.iterations());
}
BENCHMARK(Erc20BalanceOfQuery);

}  // namespace

BENCHMARK_MAIN();
