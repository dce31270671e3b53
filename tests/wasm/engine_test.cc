// The embedding API end to end: compile, instantiate, call; host functions; results, traps,
// fuel exhaustion and host errors as distinct values; feature policy; limits; pooled memory.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "phat/wasm/linker.h"
#include "test_util.h"

namespace phat::wasm {
namespace {

using testing::MustCompile;
using testing::Wat2Wasm;

Instance* MustInstantiate(Store& store, std::shared_ptr<const Module> m,
                          std::vector<Extern> imports = {}) {
  auto inst = store.Instantiate(std::move(m), imports);
  EXPECT_TRUE(inst) << inst.error().ToString();
  return inst ? *inst : nullptr;
}

TEST(Engine, CallsAnExportWithTypedValues) {
  auto m = MustCompile(R"((module
    (func (export "add") (param i32 i64) (result i64)
      (i64.add (i64.extend_i32_u (local.get 0)) (local.get 1)))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  auto r = store.Call(inst->GetFunc("add"), {{Value::I32(40), Value::I64(2)}});
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], Value::I64(42));
}

TEST(Engine, MultipleResultsComeBackInOrder) {
  auto m = MustCompile(R"((module
    (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  auto r = store.Call(inst->GetFunc("swap"), {{Value::I32(1), Value::I32(2)}});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, (std::vector<Value>{Value::I32(2), Value::I32(1)}));
}

TEST(Engine, WrongArgumentsAreABadCallNotACrash) {
  auto m = MustCompile(R"((module (func (export "f") (param i32))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  auto too_few = store.Call(inst->GetFunc("f"), {});
  ASSERT_FALSE(too_few);
  EXPECT_EQ(too_few.error().kind, ExecError::Kind::BadCall);
  auto wrong_type = store.Call(inst->GetFunc("f"), {{Value::I64(1)}});
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(wrong_type.error().kind, ExecError::Kind::BadCall);
  EXPECT_NE(wrong_type.error().message.find("i64"), std::string::npos);
}

TEST(Engine, TrapsSayWhichTrap) {
  auto m = MustCompile(R"((module
    (memory 1)
    (table 2 funcref)
    (type $v (func))
    (func $i (result i32) (i32.const 0))
    (elem (i32.const 0) $i)
    (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
    (func (export "overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
    (func (export "oob") (result i32) (i32.load (i32.const 65534)))
    (func (export "unreachable") unreachable)
    (func (export "mismatch") (call_indirect (type $v) (i32.const 0)))
    (func (export "null") (call_indirect (type $v) (i32.const 1)))
    (func (export "undefined") (call_indirect (type $v) (i32.const 2)))
    (func (export "convert") (result i32) (i32.trunc_f32_s (f32.const nan)))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  auto expect_trap = [&](const char* name, std::vector<Value> args, TrapKind kind) {
    auto r = store.Call(inst->GetFunc(name), args);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().kind, ExecError::Kind::Trap) << name;
    EXPECT_EQ(r.error().trap, kind) << name << ": " << r.error().message;
  };
  expect_trap("div", {Value::I32(0)}, TrapKind::IntegerDivideByZero);
  expect_trap("overflow", {}, TrapKind::IntegerOverflow);
  expect_trap("oob", {}, TrapKind::MemoryOutOfBounds);
  expect_trap("unreachable", {}, TrapKind::Unreachable);
  expect_trap("mismatch", {}, TrapKind::IndirectCallTypeMismatch);
  expect_trap("null", {}, TrapKind::UninitializedElement);
  expect_trap("undefined", {}, TrapKind::UndefinedElement);
  expect_trap("convert", {}, TrapKind::InvalidConversionToInteger);
  // The store is still usable after traps.
  auto ok = store.Call(inst->GetFunc("div"), {{Value::I32(1)}});
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)[0], Value::I32(1));
}

// ---- Host functions ----

const char* kHostUser = R"((module
  (import "env" "sum_bytes" (func $sum (param i32 i32) (result i32)))
  (import "env" "fail" (func $fail (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\01\02\03\04")
  (func (export "run") (result i32) (call $sum (i32.const 16) (i32.const 4)))
  (func (export "fail") (param i32) (call $fail (local.get 0)))))";

struct HostFixture {
  Store store{EngineConfig{}};
  Func* sum;
  Func* fail;
  Instance* inst;
  HostFixture() {
    sum = store.NewHostFunc({{ValType::I32, ValType::I32}, {ValType::I32}}, [](HostCall& call) -> HostResult {
      auto bytes = call.memory()->Span(call.ArgI32(0), call.ArgI32(1));
      if (!bytes) return unexpected(HostFailure::Trap("out of bounds"));
      uint32_t total = 0;
      for (uint8_t b : *bytes) total += b;
      call.SetI32(0, total);
      return {};
    });
    fail = store.NewHostFunc({{ValType::I32}, {}}, [](HostCall& call) -> HostResult {
      switch (call.ArgI32(0)) {
        case 0: return unexpected(HostFailure::Trap("guest did something wrong"));
        case 1: return unexpected(HostFailure::Error("host is broken", 77));
        default: return unexpected(HostFailure::OutOfFuel());
      }
    });
    inst = MustInstantiate(store, MustCompile(kHostUser), {Extern::Of(sum), Extern::Of(fail)});
  }
};

TEST(Host, ReadsTheCallersMemoryAndReturnsResults) {
  HostFixture f;
  auto r = f.store.Call(f.inst->GetFunc("run"), {});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ((*r)[0], Value::I32(10));
}

TEST(Host, TrapErrorAndFuelAreDistinctOutcomes) {
  HostFixture f;
  auto trap = f.store.Call(f.inst->GetFunc("fail"), {{Value::I32(0)}});
  ASSERT_FALSE(trap);
  EXPECT_EQ(trap.error().kind, ExecError::Kind::Trap);
  EXPECT_EQ(trap.error().trap, TrapKind::HostTrap);
  EXPECT_EQ(trap.error().message, "guest did something wrong");

  auto error = f.store.Call(f.inst->GetFunc("fail"), {{Value::I32(1)}});
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().kind, ExecError::Kind::HostError);
  EXPECT_EQ(error.error().host_code, 77);

  auto fuel = f.store.Call(f.inst->GetFunc("fail"), {{Value::I32(2)}});
  ASSERT_FALSE(fuel);
  EXPECT_EQ(fuel.error().kind, ExecError::Kind::FuelExhausted);
}

TEST(Host, ImportWithTheWrongSignatureIsUnlinkable) {
  Store store;
  Func* wrong = store.NewHostFunc({{ValType::I64}, {}}, [](HostCall&) -> HostResult { return {}; });
  auto inst = store.Instantiate(MustCompile(kHostUser), {{Extern::Of(wrong), Extern::Of(wrong)}});
  ASSERT_FALSE(inst);
  EXPECT_EQ(inst.error().kind, LinkError::Kind::Unlinkable);
  EXPECT_NE(inst.error().message.find("sum_bytes"), std::string::npos) << inst.error().message;
}

TEST(Host, CanCallBackIntoTheGuest) {
  // The guest calls the host, which calls the guest's `square` and returns its result + 1.
  auto m = MustCompile(R"((module
    (import "env" "callback" (func $cb (param i32) (result i32)))
    (func (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
    (func (export "run") (param i32) (result i32)
      (local $keep i32)
      (local.set $keep (i32.const 1000))
      (i32.add (call $cb (local.get 0)) (local.get $keep)))))");
  Store store;
  Instance* inst = nullptr;
  Func* cb = store.NewHostFunc({{ValType::I32}, {ValType::I32}}, [&](HostCall& call) -> HostResult {
    auto r = store.Call(inst->GetFunc("square"), {{Value::I32(call.ArgI32(0))}});
    if (!r) return unexpected(HostFailure::Error(r.error().ToString()));
    call.SetI32(0, (*r)[0].i32() + 1);
    return {};
  });
  inst = MustInstantiate(store, m, {Extern::Of(cb)});
  store.SetFuel(1'000'000);
  auto r = store.Call(inst->GetFunc("run"), {{Value::I32(7)}});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ((*r)[0], Value::I32(7 * 7 + 1 + 1000));
  // The nested call's fuel is part of the outer call's.
  EXPECT_GT(store.fuel_consumed(), 0u);
  EXPECT_EQ(store.fuel_consumed() + store.fuel_remaining(), 1'000'000u);
}

// ---- Fuel ----

const char* kCountdown = R"((module
  (func (export "count") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (export "forever") (loop $l (br $l)))))";

uint64_t FuelFor(std::shared_ptr<const Module> m, uint32_t n) {
  Store store;
  Instance* inst = MustInstantiate(store, m);
  store.SetFuel(1'000'000'000);
  auto r = store.Call(inst->GetFunc("count"), {{Value::I32(n)}});
  EXPECT_TRUE(r);
  return store.fuel_consumed();
}

TEST(Fuel, StopsAnInfiniteLoopAndSaysSo) {
  auto m = MustCompile(kCountdown);
  Store store;
  Instance* inst = MustInstantiate(store, m);
  store.SetFuel(10'000);
  auto r = store.Call(inst->GetFunc("forever"), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ExecError::Kind::FuelExhausted);
  EXPECT_EQ(store.fuel_remaining(), 0u);
  EXPECT_EQ(store.fuel_consumed(), 10'000u);
}

TEST(Fuel, UseIsDeterministicAndGrowsWithWork) {
  auto m = MustCompile(kCountdown);
  uint64_t a = FuelFor(m, 100), b = FuelFor(m, 100), c = FuelFor(m, 200);
  EXPECT_EQ(a, b);
  EXPECT_GT(c, a);
  // Each iteration costs the same: the difference is linear in n.
  EXPECT_EQ(FuelFor(m, 300) - c, c - a);
}

TEST(Fuel, StopsAtTheSamePointForTheSameBudget) {
  auto m = MustCompile(kCountdown);
  const uint64_t needed = FuelFor(m, 50);
  for (uint64_t budget : {needed - 1, needed}) {
    Store store;
    Instance* inst = MustInstantiate(store, m);
    store.SetFuel(budget);
    auto r = store.Call(inst->GetFunc("count"), {{Value::I32(50)}});
    EXPECT_EQ(r.has_value(), budget == needed) << "budget " << budget << " of " << needed;
  }
}

// Fuel is handed out in slices (interp::kFuelSlice); a budget of many slices must be counted
// exactly as one, and run out at the same point.
TEST(Fuel, ABudgetOfManySlicesIsCountedExactly) {
  auto m = MustCompile(kCountdown);
  const uint64_t needed = FuelFor(m, 2'000'000);  // several slices' worth
  ASSERT_GT(needed, 3u << 20);
  EXPECT_EQ(FuelFor(m, 3'000'000) - needed, needed - FuelFor(m, 1'000'000));
  for (uint64_t budget : {needed - 1, needed}) {
    Store store;
    Instance* inst = MustInstantiate(store, m);
    store.SetFuel(budget);
    auto r = store.Call(inst->GetFunc("count"), {{Value::I32(2'000'000)}});
    EXPECT_EQ(r.has_value(), budget == needed) << "budget " << budget << " of " << needed;
    EXPECT_EQ(store.fuel_consumed(), budget == needed ? needed : budget);
  }
}

TEST(Interrupt, AnotherThreadStopsAnEndlessLoop) {
  auto m = MustCompile(kCountdown);
  Store store;
  Instance* inst = MustInstantiate(store, m);
  store.SetFuel(uint64_t(1) << 62);  // would run for years
  std::atomic<bool> stop{false};
  store.set_interrupt(&stop);
  std::thread timer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    stop.store(true);
  });
  auto r = store.Call(inst->GetFunc("forever"), {});
  timer.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ExecError::Kind::Interrupted);
  EXPECT_GT(store.fuel_remaining(), 0u);
  // Cleared, the flag lets the store run again.
  stop.store(false);
  auto again = store.Call(inst->GetFunc("count"), {{Value::I32(10)}});
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0], Value::I32(55));
}

TEST(Interrupt, AFlagSetBeforeTheCallStopsItAtTheFirstSlice) {
  auto m = MustCompile(kCountdown);
  Store store;
  Instance* inst = MustInstantiate(store, m);
  store.SetFuel(uint64_t(1) << 40);
  std::atomic<bool> stop{true};
  store.set_interrupt(&stop);
  // Short work within the first slice still completes: the flag is looked at between slices.
  auto quick = store.Call(inst->GetFunc("count"), {{Value::I32(10)}});
  ASSERT_TRUE(quick);
  auto r = store.Call(inst->GetFunc("forever"), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ExecError::Kind::Interrupted);
}

TEST(Fuel, MeteringOffRunsWithoutCounting) {
  EngineConfig config;
  config.fuel_metering = false;
  auto m = MustCompile(kCountdown, config);
  Store store(config);
  Instance* inst = MustInstantiate(store, m);
  store.SetFuel(1);  // no effect without metering
  auto r = store.Call(inst->GetFunc("count"), {{Value::I32(1000)}});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], Value::I32(500500));
  EXPECT_EQ(store.fuel_consumed(), 0u);
}

// ---- Feature policy ----

TEST(Policy, RejectsFloatsNamingFunctionAndOffset) {
  LoadPolicy no_floats{kWasm2Features & ~uint32_t(kFloat)};
  auto bytes = Wat2Wasm(R"((module
    (func (result i32) (i32.const 1))
    (func (result i32) (i32.trunc_f32_s (f32.const 1.5)))))");
  auto m = CompileModule(bytes, EngineConfig{}, no_floats);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, LoadError::Kind::Unsupported);
  ASSERT_TRUE(m.error().function.has_value());
  EXPECT_EQ(*m.error().function, 1u);
  EXPECT_GT(m.error().offset, 0u);
  std::string text = m.error().ToString();
  EXPECT_NE(text.find("floating point"), std::string::npos) << text;
  EXPECT_NE(text.find("function 1"), std::string::npos) << text;
  // The same module loads under the full policy.
  EXPECT_TRUE(CompileModule(bytes, EngineConfig{}, LoadPolicy{}));
}

TEST(Policy, RejectsEachForbiddenProposal) {
  struct Case {
    Feature feature;
    const char* wat;
  } cases[] = {
      {kBulkMemory, "(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))))"},
      {kRefTypes, "(module (func (result externref) (ref.null extern)))"},
      {kMultiValue, "(module (func (result i32 i32) (i32.const 1) (i32.const 2)))"},
      {kSignExt, "(module (func (result i32) (i32.extend8_s (i32.const 1))))"},
      {kSatConv, "(module (func (result i32) (i32.trunc_sat_f32_s (f32.const 1))))"},
      {kFloat, "(module (func (param f64)))"},
  };
  for (const Case& c : cases) {
    auto bytes = Wat2Wasm(c.wat);
    auto m = CompileModule(bytes, EngineConfig{}, LoadPolicy{kWasm2Features & ~uint32_t(c.feature)});
    ASSERT_FALSE(m) << c.wat;
    EXPECT_EQ(m.error().kind, LoadError::Kind::Unsupported) << c.wat;
    EXPECT_NE(m.error().message.find(FeatureName(c.feature)), std::string::npos) << m.error().message;
    EXPECT_TRUE(CompileModule(bytes, EngineConfig{}, LoadPolicy{})) << c.wat;
  }
}

// ---- Limits ----

TEST(Limits, MemoryBeyondTheConfiguredPagesIsRefusedAndGrowStops) {
  EngineConfig config;
  config.max_memory_pages = 16;
  auto too_big = MustCompile("(module (memory 17))", config);
  Store store(config);
  auto inst = store.Instantiate(too_big, {});
  ASSERT_FALSE(inst);
  EXPECT_EQ(inst.error().kind, LinkError::Kind::Limit);

  auto grows = MustCompile(R"((module (memory 15)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))", config);
  Instance* g = MustInstantiate(store, grows);
  EXPECT_EQ((*store.Call(g->GetFunc("grow"), {{Value::I32(1)}}))[0], Value::I32(15));
  EXPECT_EQ((*store.Call(g->GetFunc("grow"), {{Value::I32(1)}}))[0], Value::I32(uint32_t(-1)));
  EXPECT_EQ(g->memory()->pages(), 16u);
}

TEST(Limits, DeepRecursionTrapsWithoutCrashing) {
  EngineConfig config;
  config.max_call_depth = 500;
  auto m = MustCompile(R"((module
    (func $down (export "down") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))))",
                       config);
  Store store(config);
  Instance* inst = MustInstantiate(store, m);
  auto shallow = store.Call(inst->GetFunc("down"), {{Value::I32(400)}});
  ASSERT_TRUE(shallow) << shallow.error().ToString();
  EXPECT_EQ((*shallow)[0], Value::I32(400));
  auto deep = store.Call(inst->GetFunc("down"), {{Value::I32(100000)}});
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().trap, TrapKind::CallStackExhausted);
}

// ---- Instances ----

TEST(Instances, CallsAcrossInstancesUseTheCalleesMemory) {
  auto lib = MustCompile(R"((module
    (memory 1) (data (i32.const 0) "\2a")
    (func (export "peek") (result i32) (i32.load8_u (i32.const 0)))
    (table (export "table") 1 funcref) (elem (i32.const 0) $peek2)
    (func $peek2 (result i32) (i32.load8_u (i32.const 0)))))");
  auto user = MustCompile(R"((module
    (import "lib" "peek" (func $peek (result i32)))
    (import "lib" "table" (table 1 funcref))
    (type $t (func (result i32)))
    (memory 1) (data (i32.const 0) "\07")
    (func (export "both") (result i32)
      (i32.add (i32.mul (call $peek) (i32.const 100))
               (i32.add (call_indirect (type $t) (i32.const 0)) (i32.load8_u (i32.const 0)))))))");
  Store store;
  Instance* l = MustInstantiate(store, lib);
  Instance* u = MustInstantiate(store, user, {*l->GetExport("peek"), *l->GetExport("table")});
  auto r = store.Call(u->GetFunc("both"), {});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ((*r)[0], Value::I32(42 * 100 + 42 + 7));
}

TEST(Instances, PooledMemoryStartsZeroedForTheNextStore) {
  auto m = MustCompile(R"((module (memory 2)
    (func (export "poke") (i32.store (i32.const 70000) (i32.const 0x55aa55aa)))
    (func (export "peek") (result i32) (i32.load (i32.const 70000)))))");
  for (int round = 0; round < 50; ++round) {
    Store store;
    Instance* inst = MustInstantiate(store, m);
    auto before = store.Call(inst->GetFunc("peek"), {});
    ASSERT_TRUE(before);
    ASSERT_EQ((*before)[0], Value::I32(0)) << "round " << round;
    ASSERT_TRUE(store.Call(inst->GetFunc("poke"), {}));
  }
}

TEST(Instances, StartFunctionRunsAndItsTrapFailsInstantiation) {
  auto ok = MustCompile(R"((module (global $g (mut i32) (i32.const 0))
    (func $s (global.set $g (i32.const 5))) (start $s)
    (func (export "g") (result i32) (global.get $g))))");
  Store store;
  Instance* inst = MustInstantiate(store, ok);
  EXPECT_EQ((*store.Call(inst->GetFunc("g"), {}))[0], Value::I32(5));

  auto traps = MustCompile("(module (func $s unreachable) (start $s))");
  auto failed = store.Instantiate(traps, {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, LinkError::Kind::Uninstantiable);
  EXPECT_NE(failed.error().message.find("unreachable"), std::string::npos) << failed.error().message;
}

}  // namespace
}  // namespace phat::wasm

// ---- Linker ----

namespace phat::wasm {
namespace {

TEST(Linker, ResolvesHostFunctionsByNameForAnyStore) {
  Linker linker;
  linker.DefineFunc("env", "twice", {{ValType::I32}, {ValType::I32}}, [](HostCall& call) -> HostResult {
    call.SetI32(0, call.ArgI32(0) * 2);
    return {};
  });
  auto m = testing::MustCompile(R"((module
    (import "env" "twice" (func $twice (param i32) (result i32)))
    (func (export "f") (param i32) (result i32) (i32.add (call $twice (local.get 0)) (i32.const 1)))))");
  for (int round = 0; round < 3; ++round) {  // the same definitions serve fresh stores
    Store store;
    auto inst = linker.Instantiate(store, m);
    ASSERT_TRUE(inst) << inst.error().ToString();
    auto r = store.Call((*inst)->GetFunc("f"), {{Value::I32(20)}});
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ((*r)[0], Value::I32(41));
  }
}

TEST(Linker, NamesAMissingImportAndRejectsAWrongSignature) {
  Linker linker;
  linker.DefineFunc("env", "f", {{}, {}}, [](HostCall&) -> HostResult { return {}; });
  Store store;
  auto missing = linker.Instantiate(store, testing::MustCompile(R"((module (import "env" "g" (func))))"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, LinkError::Kind::Unlinkable);
  EXPECT_NE(missing.error().message.find("\"env\" \"g\""), std::string::npos) << missing.error().message;

  auto wrong = linker.Instantiate(store, testing::MustCompile(R"((module (import "env" "f" (func (param i32)))))"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, LinkError::Kind::Unlinkable);
}

TEST(Linker, LinksOneInstanceToAnother) {
  Store store;
  Linker linker;
  auto lib = linker.Instantiate(store, testing::MustCompile(R"((module
    (global (export "base") i32 (i32.const 100))
    (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))))"));
  ASSERT_TRUE(lib);
  linker.DefineInstance("lib", **lib);
  auto user = linker.Instantiate(store, testing::MustCompile(R"((module
    (import "lib" "inc" (func $inc (param i32) (result i32)))
    (import "lib" "base" (global $base i32))
    (func (export "f") (result i32) (call $inc (global.get $base)))))"));
  ASSERT_TRUE(user) << user.error().ToString();
  auto r = store.Call((*user)->GetFunc("f"), {});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], Value::I32(101));
}

}  // namespace
}  // namespace phat::wasm

namespace phat::wasm {
namespace {

// Memories are recycled across Stores: whatever an instance wrote, by any path, must read as
// zero in the next instance that gets the same mapping.
TEST(MemoryPool, ARecycledMemoryIsZeroWhateverWroteIt) {
  auto writer = MustCompile(R"((module
    (memory (export "mem") 3 3)
    (data (i32.const 70000) "data segment")
    (func (export "write")
      (i32.store (i32.const 4094) (i32.const -1))        ;; across a 4 KiB page boundary
      (i64.store offset=8 (i32.const 131072) (i64.const -1))
      (memory.fill (i32.const 100000) (i32.const 7) (i32.const 20000))
      (memory.copy (i32.const 190000) (i32.const 70000) (i32.const 12)))))");
  auto reader = MustCompile(R"((module
    (memory (export "mem") 3 3)
    (func (export "sum") (result i64) (local $i i32) (local $s i64)
      (loop $l
        (local.set $s (i64.add (local.get $s) (i64.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 196608))))
      (local.get $s))))");
  for (int round = 0; round < 3; ++round) {
    {
      Store store;
      Instance* inst = MustInstantiate(store, writer);
      ASSERT_TRUE(store.Call(inst->GetFunc("write"), {}));
      auto host = inst->GetMemory("mem")->Span(150000, 3);  // a host's write
      ASSERT_TRUE(host);
      (*host)[0] = 0xff;
    }
    Store store;
    Instance* inst = MustInstantiate(store, reader);
    auto r = store.Call(inst->GetFunc("sum"), {});
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0], Value::I64(0)) << "round " << round;
  }
}

}  // namespace
}  // namespace phat::wasm
