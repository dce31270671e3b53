// The embedding API end to end: compile, instantiate, call, results and errors as values.
#include <gtest/gtest.h>

#include "test_util.h"

namespace phat::wasm {
namespace {

using testing::MustCompile;

TEST(Engine, CallsAnExportWithTypedValues) {
  auto m = MustCompile(R"((module
    (func (export "add") (param i32 i64) (result i64)
      (i64.add (i64.extend_i32_u (local.get 0)) (local.get 1)))))");
  Store store;
  auto inst = store.Instantiate(m, {});
  ASSERT_TRUE(inst) << inst.error().ToString();
  auto r = store.Call((*inst)->GetFunc("add"), {{Value::I32(40), Value::I64(2)}});
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], Value::I64(42));
}

}  // namespace
}  // namespace phat::wasm
