// Hostile modules: each shape an attacker might send (huge counts, over-long integers, deep
// nesting, 4 GiB memories, giant tables, infinite loops, runaway recursion, huge br_tables,
// too many locals, out-of-bounds segments) must end in its own clear error, quickly and without
// a giant allocation, and leave the process and the Store usable. Shapes wat2wasm refuses are
// assembled by hand.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "test_util.h"

namespace phat::wasm {
namespace {

using testing::MustCompile;
using testing::Wat2Wasm;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

// ---- Hand assembly ----

Bytes Leb(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? b | 0x80 : b);
  } while (v);
  return out;
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes Repeat(const Bytes& unit, size_t n) {
  Bytes out;
  out.reserve(unit.size() * n);
  for (size_t i = 0; i < n; ++i) out.insert(out.end(), unit.begin(), unit.end());
  return out;
}

Bytes Section(uint8_t id, const Bytes& body) {
  return Cat({{id}, Leb(body.size()), body});
}

Bytes ModuleOf(std::initializer_list<Bytes> sections) {
  Bytes out = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  for (const Bytes& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

// type 0 = [] -> [], one function of that type.
const Bytes kVoidType = Section(1, {0x01, 0x60, 0x00, 0x00});
const Bytes kOneFunc = Section(3, {0x01, 0x00});

// A code section with one body: `locals` (the local declarations, count included) then `code`
// (which must include the final end).
Bytes CodeSection(const Bytes& locals, const Bytes& code) {
  Bytes body = Cat({locals, code});
  return Section(10, Cat({{0x01}, Leb(body.size()), body}));
}
Bytes VoidFunc(const Bytes& code) {
  return ModuleOf({kVoidType, kOneFunc, CodeSection({0x00}, code)});
}

// ---- Guards: time and memory ----

long MaxRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// Fails the test if the scope took longer than `limit_ms` or raised the process's peak RSS by
// more than `rss_mb`.
class Budget {
 public:
  explicit Budget(int limit_ms = 1000, long rss_mb = 256)
      : limit_ms_(limit_ms), rss_mb_(rss_mb), start_(Clock::now()), rss_(MaxRssMb()) {}
  ~Budget() {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
    EXPECT_LT(ms, limit_ms_) << "took " << ms << " ms";
    EXPECT_LT(MaxRssMb() - rss_, rss_mb_) << "peak RSS grew by " << MaxRssMb() - rss_ << " MB";
  }

 private:
  int limit_ms_;
  long rss_mb_;
  Clock::time_point start_;
  long rss_;
};

Instance* MustInstantiate(Store& store, std::shared_ptr<const Module> m,
                          std::vector<Extern> imports = {}) {
  if (!m) return nullptr;
  auto inst = store.Instantiate(std::move(m), imports);
  EXPECT_TRUE(inst) << inst.error().ToString();
  return inst ? *inst : nullptr;
}

std::string Str(const LoadError& e) {
  return e.ToString();
}

// ============================================================================================
// Huge counts and over-long integers: a load error quickly, no giant allocation.
// ============================================================================================

struct LoadCase {
  const char* name;
  Bytes bytes;
  LoadError::Kind kind;
  const char* message;  // a substring the message must contain ("" for any)
};

void PrintTo(const LoadCase& c, std::ostream* os) {
  *os << c.name;
}

class HostileLoad : public ::testing::TestWithParam<LoadCase> {};

TEST_P(HostileLoad, FailsWithAClearErrorQuickly) {
  const LoadCase& c = GetParam();
  Budget budget(1000, 64);
  auto m = CompileModule(c.bytes, EngineConfig{});
  ASSERT_FALSE(m) << c.name << " loaded";
  const LoadError& e = m.error();
  EXPECT_EQ(e.kind, c.kind) << Str(e);
  EXPECT_FALSE(e.message.empty());
  EXPECT_NE(e.message.find(c.message), std::string::npos) << Str(e);
  EXPECT_LE(e.offset, c.bytes.size()) << Str(e);
}

const Bytes kU32Max = Leb(0xffffffff);

INSTANTIATE_TEST_SUITE_P(
    Counts, HostileLoad,
    ::testing::Values(
        LoadCase{"TypeCount", ModuleOf({Section(1, kU32Max)}), LoadError::Kind::Malformed, ""},
        LoadCase{"ParamCount", ModuleOf({Section(1, Cat({{0x01, 0x60}, kU32Max, {0x7f}}))}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"ImportCount", ModuleOf({Section(2, kU32Max)}), LoadError::Kind::Malformed, ""},
        LoadCase{"FunctionCount", ModuleOf({kVoidType, Section(3, kU32Max)}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"TableCount", ModuleOf({Section(4, kU32Max)}), LoadError::Kind::Malformed, ""},
        LoadCase{"GlobalCount", ModuleOf({Section(6, kU32Max)}), LoadError::Kind::Malformed, ""},
        LoadCase{"ExportCount", ModuleOf({Section(7, kU32Max)}), LoadError::Kind::Malformed, ""},
        LoadCase{"ElementSegmentCount", ModuleOf({Section(9, kU32Max)}), LoadError::Kind::Malformed,
                 ""},
        LoadCase{"ElementItemCount",
                 ModuleOf({kVoidType, kOneFunc, Section(4, {0x01, 0x70, 0x00, 0x01}),
                           Section(9, Cat({{0x01, 0x00, 0x41, 0x00, 0x0b}, kU32Max, {0x00}}))}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"CodeCount", ModuleOf({kVoidType, kOneFunc, Section(10, kU32Max)}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"BodySize",
                 ModuleOf({kVoidType, kOneFunc, Section(10, Cat({{0x01}, kU32Max, {0x00, 0x0b}}))}),
                 LoadError::Kind::Limit, ""},
        LoadCase{"DataSegmentCount", ModuleOf({Section(11, kU32Max)}), LoadError::Kind::Malformed,
                 ""},
        LoadCase{"DataSegmentLength",
                 ModuleOf({Section(5, {0x01, 0x00, 0x01}),
                           Section(11, Cat({{0x01, 0x00, 0x41, 0x00, 0x0b}, kU32Max, {0x00}}))}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"DataCountWithoutData", ModuleOf({Section(12, kU32Max)}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"SectionSize", ModuleOf({Cat({{0x01}, kU32Max, {0x00}})}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"CustomSectionNameLength", ModuleOf({Section(0, Cat({kU32Max, {'a'}}))}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"ImportNameLength", ModuleOf({Section(2, Cat({{0x01}, kU32Max, {'a'}}))}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{
            "LocalCountInOneGroup",
            ModuleOf({kVoidType, kOneFunc, CodeSection(Cat({{0x01}, kU32Max, {0x7f}}), {0x0b})}),
            LoadError::Kind::Limit, "locals"},
        // Past 2^32 in all would be malformed ("too many locals"), but the configured limit
        // stops it first, before anything is allocated.
        LoadCase{
            "LocalGroupsSummingPast4G",
            ModuleOf({kVoidType, kOneFunc,
                      CodeSection(Cat({{0x02}, Leb(0x80000000), {0x7f}, Leb(0x80000000), {0x7e}}),
                                  {0x0b})}),
            LoadError::Kind::Limit, "locals"},
        LoadCase{"LocalGroupCount",
                 ModuleOf({kVoidType, kOneFunc, CodeSection(Cat({kU32Max, {0x00, 0x7f}}), {0x0b})}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"BrTableTargetCount", VoidFunc(Cat({{0x41, 0x00, 0x0e}, kU32Max, {0x00, 0x0b}})),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"SelectTypeCount",
                 VoidFunc(Cat(
                     {{0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1c}, kU32Max, {0x7f, 0x1a, 0x0b}})),
                 LoadError::Kind::Invalid, ""}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    OverlongIntegers, HostileLoad,
    ::testing::Values(
        // A u32 takes at most 5 bytes; a sixth is "too long", unused bits set are "too large".
        LoadCase{"SixByteU32", ModuleOf({Section(1, {0x80, 0x80, 0x80, 0x80, 0x80, 0x00})}),
                 LoadError::Kind::Malformed, "too long"},
        LoadCase{"U32WithHighBits", ModuleOf({Section(1, {0xff, 0xff, 0xff, 0xff, 0x7f})}),
                 LoadError::Kind::Malformed, "too large"},
        LoadCase{"SectionSizeSixBytes", ModuleOf({{0x01, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00}}),
                 LoadError::Kind::Malformed, "too long"},
        LoadCase{"I32ConstSixBytes",
                 VoidFunc({0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a, 0x0b}),
                 LoadError::Kind::Malformed, "too long"},
        LoadCase{"I32ConstBadSignBits", VoidFunc({0x41, 0xff, 0xff, 0xff, 0xff, 0x4f, 0x1a, 0x0b}),
                 LoadError::Kind::Malformed, "too large"},
        LoadCase{"I64ConstElevenBytes",
                 VoidFunc(Cat({{0x42}, Repeat({0x80}, 10), {0x00, 0x1a, 0x0b}})),
                 LoadError::Kind::Malformed, "too long"},
        LoadCase{"EndlessLeb", ModuleOf({Cat({{0x01}, Repeat({0xff}, 64)})}),
                 LoadError::Kind::Malformed, ""},
        LoadCase{"BlockTypeS33Overlong",
                 VoidFunc({0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b, 0x0b}),
                 LoadError::Kind::Malformed, "too long"},
        LoadCase{"MemargOffsetOverlong",
                 ModuleOf({kVoidType, kOneFunc, Section(5, {0x01, 0x00, 0x01}),
                           CodeSection({0x00}, {0x41, 0x00, 0x28, 0x02, 0x80, 0x80, 0x80, 0x80,
                                                0x80, 0x00, 0x1a, 0x0b})}),
                 LoadError::Kind::Malformed, "too long"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Declarations, HostileLoad,
    ::testing::Values(
        LoadCase{"MemoryMinAbove4GiB", ModuleOf({Section(5, Cat({{0x01, 0x00}, Leb(65537)}))}),
                 LoadError::Kind::Invalid, "65536"},
        LoadCase{"MemoryMaxAbove4GiB",
                 ModuleOf({Section(5, Cat({{0x01, 0x01, 0x00}, Leb(0xffffffff)}))}),
                 LoadError::Kind::Invalid, "65536"},
        LoadCase{"TableMinAboveMax",
                 ModuleOf({Section(4, Cat({{0x01, 0x70, 0x01}, kU32Max, {0x00}}))}),
                 LoadError::Kind::Invalid, ""}),
    [](const auto& info) { return std::string(info.param.name); });

// A module over max_module_size is refused for its size before anything is decoded.
TEST(HostileLoadLimits, ModuleBiggerThanTheConfiguredSize) {
  Budget budget(1000, 64);
  EngineConfig config;
  config.max_module_size = 4096;
  auto m = CompileModule(ModuleOf({Section(0, Cat({{0x01, 'x'}, Bytes(4096, 0)}))}), config);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, LoadError::Kind::Limit) << Str(m.error());
  EXPECT_NE(m.error().message.find("4096"), std::string::npos) << Str(m.error());
}

// A body one byte over max_function_size is refused for its size, before it is decoded.
TEST(HostileLoadLimits, FunctionBodyOverTheConfiguredSize) {
  EngineConfig config;
  config.max_function_size = 1000;
  Bytes code = Cat({Repeat({0x01}, 1000), {0x0b}});  // 1000 nops and end: 1002 bytes with locals
  auto m = CompileModule(VoidFunc(code), config);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, LoadError::Kind::Limit) << Str(m.error());
  ASSERT_TRUE(m.error().function.has_value());
  EXPECT_EQ(*m.error().function, 0u);
}

// ============================================================================================
// Deep nesting
// ============================================================================================

Bytes Nested(uint8_t opener, const Bytes& before_each, size_t depth) {
  return Cat({Repeat(Cat({before_each, {opener, 0x40}}), depth), Repeat({0x0b}, depth), {0x0b}});
}

TEST(HostileNesting, HundredThousandBlocksAreALimitErrorNotAStackOverflow) {
  Budget budget(5000);  // compile time is NestingAtTheDefaultLimitCompilesInLinearTime's concern
  for (auto [opener, before] :
       {std::pair<uint8_t, Bytes>{0x02, {}}, {0x03, {}}, {0x04, {0x41, 0x01}}}) {
    auto m = CompileModule(VoidFunc(Nested(opener, before, 100'000)), EngineConfig{});
    ASSERT_FALSE(m) << "opener " << int(opener);
    EXPECT_EQ(m.error().kind, LoadError::Kind::Limit) << Str(m.error());
    EXPECT_NE(m.error().message.find("nested"), std::string::npos) << Str(m.error());
    EXPECT_EQ(m.error().function, std::optional<uint32_t>(0));
  }
}

// With the limit raised, the same nesting compiles and runs: nothing in the engine recurses
// per block.
TEST(HostileNesting, HundredThousandBlocksCompileWhenAllowed) {
  Budget budget(2000);
  EngineConfig config;
  config.max_control_depth = 1'000'000;
  Bytes wasm = ModuleOf({kVoidType, kOneFunc, Section(7, {0x01, 0x01, 'f', 0x00, 0x00}),
                         CodeSection({0x00}, Nested(0x02, {}, 100'000))});
  auto m = CompileModule(wasm, config);
  ASSERT_TRUE(m) << Str(m.error());
  Store store(config);
  Instance* inst = MustInstantiate(store, *m);
  ASSERT_NE(inst, nullptr);
  auto r = store.Call(inst->GetFunc("f"), {});
  EXPECT_TRUE(r) << r.error().ToString();
}

// Nesting up to the default limit must compile in time linear in the depth: four functions of
// 10,000 nested loops or ifs are 80 KB and must not take seconds (each function's compile
// time was quadratic in its nesting: fuel references copied at every nested block start).
TEST(HostileNesting, NestingAtTheDefaultLimitCompilesInLinearTime) {
  Budget budget(1000);
  Bytes bodies;
  for (int i = 0; i < 4; ++i) {
    Bytes code = i % 2 ? Nested(0x04, {0x41, 0x01}, 9'999) : Nested(0x03, {}, 9'999);
    Bytes body = Cat({{0x00}, code});
    bodies = Cat({bodies, Leb(body.size()), body});
  }
  Bytes wasm = ModuleOf(
      {kVoidType, Section(3, {0x04, 0x00, 0x00, 0x00, 0x00}), Section(10, Cat({{0x04}, bodies}))});
  auto m = CompileModule(wasm, EngineConfig{});
  ASSERT_TRUE(m) << Str(m.error());
}

// A body that pushes a million values needs a frame larger than the value stack: a trap when
// called, not an overflow of the stack mapping.
TEST(HostileNesting, MillionOperandsTrapAsStackExhausted) {
  Budget budget(2000);
  const size_t n = 1'100'000;
  Bytes code = Cat({Repeat({0x41, 0x07}, n), Repeat({0x1a}, n), {0x0b}});
  Bytes wasm = ModuleOf(
      {kVoidType, kOneFunc, Section(7, {0x01, 0x01, 'f', 0x00, 0x00}), CodeSection({0x00}, code)});
  auto m = CompileModule(wasm, EngineConfig{});
  ASSERT_TRUE(m) << Str(m.error());
  Store store;
  Instance* inst = MustInstantiate(store, *m);
  ASSERT_NE(inst, nullptr);
  auto r = store.Call(inst->GetFunc("f"), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ExecError::Kind::Trap);
  EXPECT_EQ(r.error().trap, TrapKind::CallStackExhausted) << r.error().ToString();
}

// ============================================================================================
// Memories: 4 GiB requests and growth
// ============================================================================================

TEST(HostileMemory, FullFourGiBMemoryIsReservedNotTouched) {
  Budget budget(1000, 64);
  auto m = MustCompile(R"((module
    (memory 65536)
    (func (export "size") (result i32) (memory.size))
    (func (export "last") (result i32)
      (i32.store8 (i32.const -1) (i32.const 42))
      (i32.load8_u (i32.const -1)))
    (func (export "past") (result i32) (i32.load (i32.const -2)))
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ((*store.Call(inst->GetFunc("size"), {}))[0], Value::I32(65536));
  EXPECT_EQ((*store.Call(inst->GetFunc("last"), {}))[0], Value::I32(42));
  auto past = store.Call(inst->GetFunc("past"), {});
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().trap, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ((*store.Call(inst->GetFunc("grow"), {}))[0], Value::I32(0xffffffff));
}

TEST(HostileMemory, RequestBeyondConfiguredPagesIsALinkLimit) {
  EngineConfig config;
  config.max_memory_pages = 1024;
  auto m = MustCompile("(module (memory 65536))", config);
  Store store(config);
  auto inst = store.Instantiate(m, {});
  ASSERT_FALSE(inst);
  EXPECT_EQ(inst.error().kind, LinkError::Kind::Limit);
  EXPECT_NE(inst.error().message.find("1024"), std::string::npos) << inst.error().ToString();

  // The same through the host API.
  auto host = store.NewMemory(MemoryType{Limits{65536, false, 0}});
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().kind, LinkError::Kind::Limit);
}

TEST(HostileMemory, GrowToFourGiBAndPastIt) {
  Budget budget(1000, 64);
  auto m = MustCompile(R"((module
    (memory 0)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "size") (result i32) (memory.size))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  ASSERT_NE(inst, nullptr);
  Func* grow = inst->GetFunc("grow");
  auto r = store.Call(grow, {{Value::I32(0xffffffff)}});  // no wrap-around to a small size
  EXPECT_EQ((*r)[0], Value::I32(0xffffffff));
  r = store.Call(grow, {{Value::I32(65537)}});
  EXPECT_EQ((*r)[0], Value::I32(0xffffffff));
  r = store.Call(grow, {{Value::I32(65536)}});
  EXPECT_EQ((*r)[0], Value::I32(0));
  EXPECT_EQ((*store.Call(inst->GetFunc("size"), {}))[0], Value::I32(65536));
  r = store.Call(grow, {{Value::I32(1)}});
  EXPECT_EQ((*r)[0], Value::I32(0xffffffff));
  r = store.Call(grow, {{Value::I32(0)}});
  EXPECT_EQ((*r)[0], Value::I32(65536));
}

TEST(HostileMemory, GrowStopsAtTheConfiguredMaxEvenIfTheModuleAllowsMore) {
  EngineConfig config;
  config.max_memory_pages = 16;
  auto m = MustCompile(R"((module
    (memory 1 65536)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))",
                       config);
  Store store(config);
  Instance* inst = MustInstantiate(store, m);
  ASSERT_NE(inst, nullptr);
  Func* grow = inst->GetFunc("grow");
  EXPECT_EQ((*store.Call(grow, {{Value::I32(16)}}))[0], Value::I32(0xffffffff));
  EXPECT_EQ((*store.Call(grow, {{Value::I32(15)}}))[0], Value::I32(1));
  EXPECT_EQ((*store.Call(grow, {{Value::I32(1)}}))[0], Value::I32(0xffffffff));
}

// Each memory may be within max_memory_pages and yet many instances in one Store ask for more
// than the machine has: the Store bounds their pages together (memory.grow included).
TEST(HostileMemory, ManyFullMemoriesAreBoundedTogether) {
  Budget budget(1000, 64);
  EngineConfig config;
  config.max_memory_pages_total = 3 * 65536;
  auto full = MustCompile("(module (memory 65536))", config);
  auto growing = MustCompile(R"((module
    (memory 0)
    (func (export "grow") (result i32) (memory.grow (i32.const 65536)))))",
                             config);
  Store store(config);
  EXPECT_NE(MustInstantiate(store, full), nullptr);
  EXPECT_NE(MustInstantiate(store, full), nullptr);
  Instance* g = MustInstantiate(store, growing);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ((*store.Call(g->GetFunc("grow"), {}))[0], Value::I32(0));  // the third 4 GiB
  EXPECT_EQ((*store.Call(g->GetFunc("grow"), {}))[0], Value::I32(0xffffffff));
  auto fourth = store.Instantiate(full, {});
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.error().kind, LinkError::Kind::Limit) << fourth.error().ToString();
}

// Filling all 4 GiB costs fuel in proportion, charged before the work: a small budget stops it
// at once instead of after a 4 GiB memset.
TEST(HostileMemory, FourGiBFillIsPaidForFirst) {
  Budget budget(1000, 64);
  auto m = MustCompile(R"((module
    (memory 65536)
    (func (export "fill") (memory.fill (i32.const 0) (i32.const 1) (i32.const -1)))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  ASSERT_NE(inst, nullptr);
  store.SetFuel(1'000'000);
  auto r = store.Call(inst->GetFunc("fill"), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ExecError::Kind::FuelExhausted) << r.error().ToString();
}

// ============================================================================================
// Tables
// ============================================================================================

TEST(HostileTable, MinimumOf4GElementsIsALinkLimitWithoutAllocating) {
  Budget budget(1000, 64);
  auto m =
      CompileModule(ModuleOf({Section(4, Cat({{0x01, 0x70, 0x00}, kU32Max}))}), EngineConfig{});
  ASSERT_TRUE(m) << Str(m.error());
  Store store;
  auto inst = store.Instantiate(*m, {});
  ASSERT_FALSE(inst);
  EXPECT_EQ(inst.error().kind, LinkError::Kind::Limit);
  EXPECT_NE(inst.error().message.find("4294967295"), std::string::npos) << inst.error().ToString();

  auto host = store.NewTable(TableType{ValType::FuncRef, Limits{0xffffffff, false, 0}});
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().kind, LinkError::Kind::Limit);
}

TEST(HostileTable, HugeGrowFailsWithMinusOne) {
  Budget budget(1000, 64);
  EngineConfig config;
  config.max_table_size = 1000;
  auto m = MustCompile(R"((module
    (table 1 funcref)
    (func (export "grow") (param i32) (result i32)
      (table.grow 0 (ref.null func) (local.get 0)))
    (func (export "size") (result i32) (table.size 0))))",
                       config);
  Store store(config);
  Instance* inst = MustInstantiate(store, m);
  ASSERT_NE(inst, nullptr);
  Func* grow = inst->GetFunc("grow");
  EXPECT_EQ((*store.Call(grow, {{Value::I32(0xffffffff)}}))[0], Value::I32(0xffffffff));
  EXPECT_EQ((*store.Call(grow, {{Value::I32(1000)}}))[0], Value::I32(0xffffffff));
  EXPECT_EQ((*store.Call(grow, {{Value::I32(999)}}))[0], Value::I32(1));
  EXPECT_EQ((*store.Call(grow, {{Value::I32(1)}}))[0], Value::I32(0xffffffff));
  EXPECT_EQ((*store.Call(inst->GetFunc("size"), {}))[0], Value::I32(1000));
}

// Runs `body` in a child process whose address space is capped at what the process maps now
// plus 64 MiB; the child exits 0 if `body` returns true. An engine that allocates without
// bound fails there (std::bad_alloc, abort) instead of exhausting the machine.
template <typename F>
void ExpectInCappedChild(F body) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        long pages = 0;
        if (FILE* f = std::fopen("/proc/self/statm", "r")) {
          if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
          std::fclose(f);
        }
        rlimit limit{};
        getrlimit(RLIMIT_AS, &limit);
        limit.rlim_cur = rlim_t(pages) * rlim_t(sysconf(_SC_PAGESIZE)) + (rlim_t(64) << 20);
        setrlimit(RLIMIT_AS, &limit);
        std::_Exit(body() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// Each table may be under max_table_size and yet together they ask for gigabytes: 300 tables of
// 1M elements (8 MB each) from a 1.5 KB module. The Store must refuse with a LinkError::Limit
// rather than allocate 2.4 GB.
TEST(HostileTable, ManyLargeTablesAreBoundedTogether) {
  EngineConfig config;
  config.max_table_size = 1'000'000;
  Bytes tables = Leb(300);
  for (int i = 0; i < 300; ++i) tables = Cat({tables, {0x70, 0x00}, Leb(1'000'000)});
  auto m = CompileModule(ModuleOf({Section(4, tables)}), config);
  ASSERT_TRUE(m) << Str(m.error());
  ExpectInCappedChild([&] {
    Store store(config);
    auto inst = store.Instantiate(*m, {});
    return !inst && inst.error().kind == LinkError::Kind::Limit;
  });
}

// The same at run time: 300 empty tables, each grown by 1M elements. Past a total bound
// table.grow must return -1, not allocate.
TEST(HostileTable, GrowingManyTablesIsBoundedTogether) {
  EngineConfig config;
  config.max_table_size = 1'000'000;
  const int n = 300;
  Bytes tables = Leb(n);
  for (int i = 0; i < n; ++i) tables = Cat({tables, {0x70, 0x00, 0x00}});
  Bytes code;  // (drop (table.grow i (ref.null func) (i32.const 1000000))) for each table i
  for (int i = 0; i < n; ++i)
    code = Cat({code, {0xd0, 0x70, 0x41}, Leb(1'000'000), {0xfc, 0x0f}, Leb(i), {0x1a}});
  code = Cat({code, {0x0b}});  // (1,000,000 as an unsigned LEB has bit 6 of its last byte clear,
                               // so it reads the same as i32.const's signed LEB)
  auto m = CompileModule(
      ModuleOf({kVoidType, kOneFunc, Section(4, tables), Section(7, {0x01, 0x01, 'f', 0x00, 0x00}),
                CodeSection({0x00}, code)}),
      config);
  ASSERT_TRUE(m) << Str(m.error());
  ExpectInCappedChild([&] {
    Store store(config);
    auto inst = store.Instantiate(*m, {});
    if (!inst) return false;
    auto r = store.Call((*inst)->GetFunc("f"), {});
    return bool(r);
  });
}

// ============================================================================================
// Fuel: infinite loops end, deterministically
// ============================================================================================

TEST(HostileFuel, InfiniteLoopEndsWithFuelExhaustedAndTheSameUseTwice) {
  Budget budget;
  auto m = MustCompile(R"((module
    (memory 1)
    (func (export "spin")
      (local i32)
      (loop $l
        (i32.store (i32.const 0) (local.tee 0 (i32.add (local.get 0) (i32.const 1))))
        (br $l)))
    (func (export "count") (result i32) (i32.load (i32.const 0)))))");
  uint64_t consumed[2];
  uint32_t counts[2];
  for (int run = 0; run < 2; ++run) {
    Store store;
    Instance* inst = MustInstantiate(store, m);
    ASSERT_NE(inst, nullptr);
    store.SetFuel(100'000);
    auto r = store.Call(inst->GetFunc("spin"), {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ExecError::Kind::FuelExhausted) << r.error().ToString();
    EXPECT_EQ(store.fuel_remaining(), 0u);
    consumed[run] = store.fuel_consumed();
    store.SetFuel(1000);
    counts[run] = (*store.Call(inst->GetFunc("count"), {}))[0].i32();
  }
  EXPECT_EQ(consumed[0], consumed[1]);
  EXPECT_EQ(counts[0], counts[1]);
  EXPECT_GT(counts[0], 1000u);
}

TEST(HostileFuel, InfiniteLoopInTheStartFunctionFailsInstantiation) {
  Budget budget;
  auto m = MustCompile("(module (func $s (loop (br 0))) (start $s))");
  Store store;
  store.SetFuel(50'000);
  auto inst = store.Instantiate(m, {});
  ASSERT_FALSE(inst);
  EXPECT_EQ(inst.error().kind, LinkError::Kind::Uninstantiable);
  EXPECT_NE(inst.error().message.find("fuel"), std::string::npos) << inst.error().ToString();
}

// Entering a function zeroes its declared locals: work in proportion to the frame. That work
// must cost fuel in proportion too, or a loop calling a function with 40k locals does ~10^4
// times more work per unit of fuel than any other code, and fuel no longer bounds time.
TEST(HostileFuel, CallingAFunctionWithAHugeFrameCostsFuelInProportion) {
  // func 0: 40,000 i64 locals, does nothing; func 1 (exported "once"): calls it.
  Bytes types = Section(1, {0x01, 0x60, 0x00, 0x00});
  Bytes funcs = Section(3, {0x02, 0x00, 0x00});
  Bytes exports = Section(7, {0x01, 0x04, 'o', 'n', 'c', 'e', 0x00, 0x01});
  Bytes huge_body = Cat({{0x01}, Leb(40'000), {0x7e, 0x0b}});
  Bytes caller_body = {0x00, 0x10, 0x00, 0x0b};  // call 0
  Bytes code = Section(
      10, Cat({{0x02}, Leb(huge_body.size()), huge_body, Leb(caller_body.size()), caller_body}));
  auto mod = CompileModule(ModuleOf({types, funcs, exports, code}), EngineConfig{});
  ASSERT_TRUE(mod) << Str(mod.error());
  Store store;
  Instance* inst = MustInstantiate(store, *mod);
  ASSERT_NE(inst, nullptr);
  store.SetFuel(1'000'000);
  auto r = store.Call(inst->GetFunc("once"), {});
  ASSERT_TRUE(r) << r.error().ToString();
  // 40,000 slots of 8 bytes zeroed: at the bulk-memory rate (1 fuel per 64 bytes) that is 5000.
  EXPECT_GE(store.fuel_consumed(), 40'000u * 8 / 64)
      << "a 40k-local frame cost only " << store.fuel_consumed() << " fuel";
}

// ============================================================================================
// Runaway recursion: a trap, never a C++ stack overflow
// ============================================================================================

TEST(HostileRecursion, SelfCallTrapsAndTheStoreStaysUsable) {
  Budget budget;
  auto m = MustCompile(R"((module
    (func $f (export "f") (call $f))
    (func (export "ok") (result i32) (i32.const 7))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  ASSERT_NE(inst, nullptr);
  for (int i = 0; i < 3; ++i) {
    auto r = store.Call(inst->GetFunc("f"), {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ExecError::Kind::Trap);
    EXPECT_EQ(r.error().trap, TrapKind::CallStackExhausted) << r.error().ToString();
    auto ok = store.Call(inst->GetFunc("ok"), {});
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_EQ((*ok)[0], Value::I32(7));
  }
}

TEST(HostileRecursion, ThousandsOfLocalsPerFrameExhaustTheValueStack) {
  Budget budget;
  // Each frame: 5000 i64 locals (40 KB). The default value stack (1M slots) holds ~200.
  Bytes types = Section(1, {0x01, 0x60, 0x00, 0x00});
  Bytes funcs = Section(3, {0x01, 0x00});
  Bytes exports = Section(7, {0x01, 0x01, 'f', 0x00, 0x00});
  Bytes body = Cat({{0x01}, Leb(5000), {0x7e, 0x10, 0x00, 0x0b}});
  Bytes code = Section(10, Cat({{0x01}, Leb(body.size()), body}));
  auto m = CompileModule(ModuleOf({types, funcs, exports, code}), EngineConfig{});
  ASSERT_TRUE(m) << Str(m.error());
  Store store;
  Instance* inst = MustInstantiate(store, *m);
  ASSERT_NE(inst, nullptr);
  auto r = store.Call(inst->GetFunc("f"), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().trap, TrapKind::CallStackExhausted) << r.error().ToString();
}

TEST(HostileRecursion, MutualRecursionThroughATable) {
  Budget budget;
  auto m = MustCompile(R"((module
    (type $v (func))
    (table 2 funcref)
    (elem (i32.const 0) $a $b)
    (func $a (export "a") (call_indirect (type $v) (i32.const 1)))
    (func $b (call_indirect (type $v) (i32.const 0)))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  ASSERT_NE(inst, nullptr);
  auto r = store.Call(inst->GetFunc("a"), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().trap, TrapKind::CallStackExhausted) << r.error().ToString();
}

// Wasm calls must not use the C++ stack: a million-deep recursion on a thread with a 256 KiB
// stack ends in the same clean trap.
TEST(HostileRecursion, DeepRecursionNeedsNoNativeStack) {
  auto m = MustCompile(R"((module
    (func $f (export "f") (param i32) (result i32)
      (i32.add (call $f (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))))");
  ASSERT_NE(m, nullptr);
  struct Job {
    std::shared_ptr<const Module> module;
    bool ran = false;
    bool trapped = false;
  } job{m};
  auto body = [](void* p) -> void* {
    auto* j = static_cast<Job*>(p);
    EngineConfig config;
    config.max_call_depth = 1'000'000;
    config.max_value_stack = 1u << 23;
    Store store(config);
    auto inst = store.Instantiate(j->module, {});
    if (!inst) return nullptr;
    auto r = store.Call((*inst)->GetFunc("f"), {{Value::I32(0)}});
    j->ran = true;
    j->trapped = !r && r.error().trap == TrapKind::CallStackExhausted;
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attr, body, &job), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_TRUE(job.ran);
  EXPECT_TRUE(job.trapped);
}

// A host function that calls back into the guest, which calls the host again: the nesting does
// use the C++ stack, so it must be bounded, and end in a trap.
TEST(HostileRecursion, HostReentryIsBounded) {
  Budget budget;
  auto m = MustCompile(R"((module
    (import "env" "back" (func $back))
    (func (export "f") (call $back))))");
  Store store;
  Func* f_export = nullptr;
  int depth = 0, max_depth = 0;
  Func* back = store.NewHostFunc(FuncType{}, [&](HostCall&) -> HostResult {
    max_depth = std::max(max_depth, ++depth);
    auto r = store.Call(f_export, {});
    --depth;
    if (!r) return std::unexpected(HostFailure::Trap(r.error().message));
    return {};
  });
  Instance* inst = MustInstantiate(store, m, {Extern::Of(back)});
  ASSERT_NE(inst, nullptr);
  f_export = inst->GetFunc("f");
  auto r = store.Call(f_export, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ExecError::Kind::Trap);
  EXPECT_LE(max_depth, 1000);
}

// ============================================================================================
// Huge br_table
// ============================================================================================

TEST(HostileBrTable, MillionTargetsCompileAndDispatch) {
  Budget budget(2000);
  // (block $a (block $b (br_table $b $b ... $a (local.get 0))) (return (i32.const 1)))
  // (i32.const 2)
  const uint32_t n = 1'000'000;
  Bytes code = Cat({{0x02, 0x40, 0x02, 0x40, 0x20, 0x00, 0x0e},
                    Leb(n),
                    Repeat({0x00}, n),
                    {0x01, 0x0b, 0x41, 0x01, 0x0f, 0x0b, 0x41, 0x02, 0x0b}});
  Bytes wasm = ModuleOf({Section(1, {0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f}), kOneFunc,
                         Section(7, {0x01, 0x01, 'f', 0x00, 0x00}), CodeSection({0x00}, code)});
  auto m = CompileModule(wasm, EngineConfig{});
  ASSERT_TRUE(m) << Str(m.error());
  Store store;
  Instance* inst = MustInstantiate(store, *m);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ((*store.Call(inst->GetFunc("f"), {{Value::I32(5)}}))[0], Value::I32(1));
  EXPECT_EQ((*store.Call(inst->GetFunc("f"), {{Value::I32(n)}}))[0], Value::I32(2));
  EXPECT_EQ((*store.Call(inst->GetFunc("f"), {{Value::I32(0xffffffff)}}))[0], Value::I32(2));
}

// Each br_table target that needs its values moved must not get its own copy sequence: a block
// of 1000 results (constants, so every move is an instruction) and 10,000 targets is a 14 KB
// body, and was 160 MB of code (at 100,000 targets: 1.6 GB, 3 GB of RSS, 12 s). The type check
// per target is O(arity) as well. Either a limit error or compiling in bounded time and memory
// is fine.
TEST(HostileBrTable, ManyTargetsTimesManyValuesStayBounded) {
  Budget budget(1000, 256);
  const uint32_t arity = 1000, targets = 10'000;
  Bytes type_many = Cat({{0x60, 0x00}, Leb(arity), Repeat({0x7f}, arity)});
  Bytes types = Section(1, Cat({{0x02, 0x60, 0x01, 0x7f, 0x00}, type_many}));
  Bytes funcs = Section(3, {0x01, 0x00});
  // (block (type 1) i32.const 5 x arity, local.get 0, br_table 0 x targets 0) drop x arity
  Bytes code = Cat({{0x02, 0x01},
                    Repeat({0x41, 0x05}, arity),
                    {0x20, 0x00, 0x0e},
                    Leb(targets),
                    Repeat({0x00}, targets + 1),
                    {0x0b},
                    Repeat({0x1a}, arity),
                    {0x0b}});
  auto m = CompileModule(ModuleOf({types, funcs, CodeSection({0x00}, code)}), EngineConfig{});
  if (!m) {
    EXPECT_EQ(m.error().kind, LoadError::Kind::Limit) << Str(m.error());
    return;
  }
  EXPECT_LT((*m)->code_bytes(), size_t(8) << 20)
      << "a " << code.size() << "-byte body became " << (*m)->code_bytes() << " bytes of code";
}

// The same through br_if: it keeps its values, so 10,000 of them after a 1000-value block
// (44 KB) each copied all 1000 values again: 160 MB of code. A limit on the code a function
// may compile to would cover both shapes.
TEST(HostileBrTable, ManyBrIfsTimesManyValuesStayBounded) {
  Budget budget(1000, 256);
  const uint32_t arity = 1000, n = 10'000;
  Bytes type_many = Cat({{0x60, 0x00}, Leb(arity), Repeat({0x7f}, arity)});
  Bytes types = Section(1, Cat({{0x02, 0x60, 0x01, 0x7f, 0x00}, type_many}));
  Bytes funcs = Section(3, {0x01, 0x00});
  Bytes code = Cat({{0x02, 0x01},
                    Repeat({0x41, 0x05}, arity),
                    Repeat({0x20, 0x00, 0x0d, 0x00}, n),
                    {0x0b},
                    Repeat({0x1a}, arity),
                    {0x0b}});
  auto m = CompileModule(ModuleOf({types, funcs, CodeSection({0x00}, code)}), EngineConfig{});
  if (!m) {
    EXPECT_EQ(m.error().kind, LoadError::Kind::Limit) << Str(m.error());
    return;
  }
  EXPECT_LT((*m)->code_bytes(), size_t(8) << 20)
      << "a " << code.size() << "-byte body became " << (*m)->code_bytes() << " bytes of code";
}

// ============================================================================================
// Locals
// ============================================================================================

Bytes LocalsModule(uint32_t params, uint32_t locals) {
  Bytes type = Cat({{0x01, 0x60}, Leb(params), Repeat({0x7f}, params), {0x01, 0x7f}});
  Bytes decl = locals ? Cat({{0x01}, Leb(locals), {0x7f}}) : Bytes{0x00};
  // Returns local (params + locals - 1), which is zero (or the last argument).
  Bytes code = Cat({{0x20}, Leb(params + locals - 1), {0x0b}});
  return ModuleOf({Section(1, type), kOneFunc, Section(7, {0x01, 0x01, 'f', 0x00, 0x00}),
                   CodeSection(decl, code)});
}

TEST(HostileLocals, FiftyThousandLocalsLoadAndRun) {
  Budget budget;
  auto m = CompileModule(LocalsModule(0, 50'000), EngineConfig{});
  ASSERT_TRUE(m) << Str(m.error());
  Store store;
  Instance* inst = MustInstantiate(store, *m);
  ASSERT_NE(inst, nullptr);
  auto r = store.Call(inst->GetFunc("f"), {});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ((*r)[0], Value::I32(0));
}

TEST(HostileLocals, FiftyThousandAndOneLocalsAreALimitError) {
  Budget budget;
  auto m = CompileModule(LocalsModule(0, 50'001), EngineConfig{});
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, LoadError::Kind::Limit) << Str(m.error());
  EXPECT_NE(m.error().message.find("locals"), std::string::npos) << Str(m.error());
  EXPECT_EQ(m.error().function, std::optional<uint32_t>(0));
}

// Parameters are locals too: a type with 50,001 parameters must not slip past the limit.
TEST(HostileLocals, ParametersCountTowardsTheLimit) {
  Budget budget;
  auto m = CompileModule(LocalsModule(50'001, 0), EngineConfig{});
  ASSERT_FALSE(m) << "a function with 50,001 parameters loaded";
  EXPECT_EQ(m.error().kind, LoadError::Kind::Limit) << Str(m.error());
  auto split = CompileModule(LocalsModule(25'001, 25'000), EngineConfig{});
  ASSERT_FALSE(split);
  EXPECT_EQ(split.error().kind, LoadError::Kind::Limit) << Str(split.error());
}

// ============================================================================================
// Segments out of bounds
// ============================================================================================

TEST(HostileSegments, DataOutOfBoundsIsUninstantiable) {
  Budget budget;
  for (const char* segment : {R"((data (i32.const 65536) "x"))", R"((data (i32.const -1) "x"))",
                              R"((data (i32.const 65535) "xy"))"}) {
    auto m = MustCompile(std::string("(module (memory 1) ") + segment + ")");
    Store store;
    auto inst = store.Instantiate(m, {});
    ASSERT_FALSE(inst) << segment;
    EXPECT_EQ(inst.error().kind, LinkError::Kind::Uninstantiable) << segment;
    EXPECT_NE(inst.error().message.find("data segment 0"), std::string::npos)
        << inst.error().ToString();
  }
  // Empty at the very end is in bounds.
  auto m = MustCompile(R"((module (memory 1) (data (i32.const 65536) "")))");
  Store store;
  EXPECT_NE(MustInstantiate(store, m), nullptr);
}

TEST(HostileSegments, ElementsOutOfBoundsAreUninstantiable) {
  Budget budget;
  for (const char* offset : {"(i32.const 2)", "(i32.const -1)", "(i32.const 1)"}) {
    auto m = MustCompile(std::string("(module (table 2 funcref) (func $f) (elem ") + offset +
                         " $f $f))");
    Store store;
    auto inst = store.Instantiate(m, {});
    ASSERT_FALSE(inst) << offset;
    EXPECT_EQ(inst.error().kind, LinkError::Kind::Uninstantiable) << offset;
    EXPECT_NE(inst.error().message.find("element segment 0"), std::string::npos)
        << inst.error().ToString();
  }
}

// Bulk instructions check bounds as 64-bit sums: offsets near 4 GiB trap instead of wrapping.
TEST(HostileSegments, BulkOperationsNearTheTopOfTheAddressSpaceTrap) {
  Budget budget;
  auto m = MustCompile(R"((module
    (memory 1)
    (table 2 funcref)
    (data $d "abcd")
    (elem $e func $f $f)
    (func $f)
    (func (export "init") (memory.init $d (i32.const -1) (i32.const 1) (i32.const 2)))
    (func (export "copy") (memory.copy (i32.const 0) (i32.const -4) (i32.const 8)))
    (func (export "fill") (memory.fill (i32.const -2) (i32.const 0) (i32.const 4)))
    (func (export "tinit") (table.init $e (i32.const -1) (i32.const 0) (i32.const 2)))
    (func (export "tcopy") (table.copy (i32.const 1) (i32.const -1) (i32.const 2)))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  ASSERT_NE(inst, nullptr);
  for (const char* name : {"init", "copy", "fill"}) {
    auto r = store.Call(inst->GetFunc(name), {});
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().trap, TrapKind::MemoryOutOfBounds) << name;
  }
  for (const char* name : {"tinit", "tcopy"}) {
    auto r = store.Call(inst->GetFunc(name), {});
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().trap, TrapKind::TableOutOfBounds) << name;
  }
}

// A zero-length memory.init from a dropped or empty segment is in bounds and does nothing
// (found by fuzz_gen: it passed a null source to memcpy, undefined behaviour).
TEST(HostileSegments, ZeroLengthInitFromDroppedSegment) {
  auto m = MustCompile(R"((module
    (memory 1)
    (data "")
    (data "abc")
    (table 1 funcref)
    (elem funcref)
    (func (export "f")
      (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))
      (data.drop 1)
      (memory.init 1 (i32.const 65536) (i32.const 0) (i32.const 0))
      (table.init 0 (i32.const 1) (i32.const 0) (i32.const 0))
      (elem.drop 0)
      (table.init 0 (i32.const 0) (i32.const 0) (i32.const 0)))))");
  Store store;
  Instance* inst = MustInstantiate(store, m);
  ASSERT_NE(inst, nullptr);
  auto r = store.Call(inst->GetFunc("f"), {});
  EXPECT_TRUE(r) << r.error().ToString();
}

}  // namespace
}  // namespace phat::wasm
