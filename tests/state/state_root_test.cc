// The canonical encoding of StateChanges and the state root over it: the exact bytes the header
// documents, determinism, sensitivity to every field, round trips and strict decoding.
#include "phat/state/state_root.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "phat/crypto/hash.h"
#include "state/state_test_util.h"

namespace phat::state::testing {
namespace {

// One of everything, for the tests that change one field at a time.
StateChanges Sample() {
  StateChanges c;
  c.wiped = {Id(9)};
  c.storage[{Id(1), Str("a")}] = Str("x");
  c.storage[{Id(1), Str("b")}] = std::nullopt;
  c.storage[{Id(2), Bytes{}}] = Bytes{};
  c.contracts[Id(3)] = ContractInfo{Id(0x10)};
  c.contracts[Id(4)] = std::nullopt;
  c.balances[Id(5)] = Balance(1) << 100;
  c.codes[Id(0x10)] = Bytes{0, 'a', 's', 'm'};
  c.code_infos[Id(0x10)] = CodeInfo{Id(6), contracts::Determinism::Enforced, 1, 4};
  c.nonces[Id(7)] = 3;
  return c;
}

Bytes Repeat(uint8_t byte, size_t n) {
  return Bytes(n, byte);
}
Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(StateRootTest, TheEncodingIsTheOneTheHeaderDocuments) {
  StateChanges balance_only;
  balance_only.balances[Id(0x11)] = 5;
  EXPECT_EQ(EncodeStateChanges(balance_only),
            Cat({{0, 0, 0, 4}, Repeat(0x11, 32), {5}, Repeat(0, 15), {0, 0, 0}}));

  // clang-format off: one line per item, as the header lays the encoding out
  EXPECT_EQ(EncodeStateChanges(Sample()),
            Cat({{4}, Repeat(9, 32),                                  // wiped
                 {12}, Repeat(1, 32), {4, 'a', 1, 4, 'x'},            // storage: set
                 Repeat(1, 32), {4, 'b', 0},                          //          clear
                 Repeat(2, 32), {0, 1, 0},                            //          empty key, value
                 {8}, Repeat(3, 32), {1}, Repeat(0x10, 32),           // contracts: set
                 Repeat(4, 32), {0},                                  //            removed
                 {4}, Repeat(5, 32), Repeat(0, 12), {0x10, 0, 0, 0},  // balances: 2^100
                 {4}, Repeat(0x10, 32), {16, 0, 'a', 's', 'm'},       // codes
                 {4}, Repeat(0x10, 32), Repeat(6, 32), {0},           // code infos: owner, det.,
                 {1, 0, 0, 0, 0, 0, 0, 0}, {4, 0, 0, 0},              //   refcount, code_len
                 {4}, Repeat(7, 32), {3, 0, 0, 0, 0, 0, 0, 0}}));     // nonces
  // clang-format on
}

TEST(StateRootTest, TheRootIsBlake2bOfThePreviousRootAndTheEncoding) {
  CodeHash previous = Id(0xab);
  Bytes input(previous.begin(), previous.end());
  Bytes encoded = EncodeStateChanges(Sample());
  input.insert(input.end(), encoded.begin(), encoded.end());
  EXPECT_EQ(NextStateRoot(previous, Sample()), crypto::Blake2b256(input));
}

TEST(StateRootTest, TheSameChangesGiveTheSameRootWhateverTheOrderTheyWereMadeIn) {
  StateChanges forward, backward;
  for (uint8_t i = 0; i < 20; ++i) {
    forward.storage[{Id(i % 3), Bytes{i}}] = Bytes{i, i};
    forward.balances[Id(i)] = i;
  }
  for (int i = 19; i >= 0; --i) {
    uint8_t b = uint8_t(i);
    backward.balances[Id(b)] = b;
    backward.storage[{Id(b % 3), Bytes{b}}] = Bytes{b, b};
  }
  EXPECT_EQ(NextStateRoot(CodeHash{}, forward), NextStateRoot(CodeHash{}, backward));
  EXPECT_EQ(EncodeStateChanges(forward), EncodeStateChanges(backward));
}

TEST(StateRootTest, TwoWorkersApplyingTheSameLogReachTheSameRoot) {
  ChangeGenerator a(5), b(5);
  CodeHash root_a{}, root_b{};
  for (int i = 0; i < 100; ++i) {
    root_a = NextStateRoot(root_a, a.Next());
    root_b = NextStateRoot(root_b, b.Next());
  }
  EXPECT_EQ(root_a, root_b);
  // Another log does not.
  ChangeGenerator c(6);
  CodeHash root_c{};
  for (int i = 0; i < 100; ++i) root_c = NextStateRoot(root_c, c.Next());
  EXPECT_NE(root_a, root_c);
}

TEST(StateRootTest, AnyDifferenceInAnyFieldChangesTheRoot) {
  const CodeHash previous = Id(0x77);
  const CodeHash base = NextStateRoot(previous, Sample());
  std::vector<std::pair<std::string, std::function<void(StateChanges&)>>> edits = {
      {"another previous root", nullptr},
      {"nothing wiped", [](StateChanges& c) { c.wiped.clear(); }},
      {"another wiped", [](StateChanges& c) { c.wiped = {Id(8)}; }},
      {"one more wiped", [](StateChanges& c) { c.wiped.insert(Id(10)); }},
      {"storage value", [](StateChanges& c) { c.storage[{Id(1), Str("a")}] = Str("y"); }},
      {"storage set to cleared", [](StateChanges& c) { c.storage[{Id(1), Str("a")}].reset(); }},
      {"storage cleared to empty", [](StateChanges& c) { c.storage[{Id(1), Str("b")}] = Bytes{}; }},
      {"storage key",
       [](StateChanges& c) {
         c.storage.erase({Id(1), Str("a")});
         c.storage[{Id(1), Str("c")}] = Str("x");
       }},
      {"storage contract",
       [](StateChanges& c) {
         c.storage.erase({Id(1), Str("a")});
         c.storage[{Id(7), Str("a")}] = Str("x");
       }},
      {"storage entry dropped", [](StateChanges& c) { c.storage.erase({Id(2), Bytes{}}); }},
      {"contract code hash", [](StateChanges& c) { c.contracts[Id(3)] = ContractInfo{Id(0x11)}; }},
      {"contract removed", [](StateChanges& c) { c.contracts[Id(3)].reset(); }},
      {"contract added", [](StateChanges& c) { c.contracts[Id(4)] = ContractInfo{}; }},
      {"balance", [](StateChanges& c) { c.balances[Id(5)] += 1; }},
      {"balance high bit", [](StateChanges& c) { c.balances[Id(5)] ^= Balance(1) << 127; }},
      {"balance account",
       [](StateChanges& c) {
         c.balances.clear();
         c.balances[Id(6)] = Balance(1) << 100;
       }},
      {"zero balance added", [](StateChanges& c) { c.balances[Id(7)] = 0; }},
      {"code bytes", [](StateChanges& c) { c.codes[Id(0x10)].push_back(0); }},
      {"code hash",
       [](StateChanges& c) {
         c.codes.clear();
         c.codes[Id(0x11)] = Bytes{0, 'a', 's', 'm'};
       }},
      {"code owner", [](StateChanges& c) { c.code_infos[Id(0x10)].owner = Id(7); }},
      {"code determinism",
       [](StateChanges& c) {
         c.code_infos[Id(0x10)].determinism = contracts::Determinism::Relaxed;
       }},
      {"code refcount", [](StateChanges& c) { c.code_infos[Id(0x10)].refcount = 2; }},
      {"code len", [](StateChanges& c) { c.code_infos[Id(0x10)].code_len = 5; }},
      {"code info removed", [](StateChanges& c) { c.code_infos.clear(); }},
      {"nonce", [](StateChanges& c) { c.nonces[Id(7)] = 4; }},
      {"nonce removed", [](StateChanges& c) { c.nonces.clear(); }},
  };
  std::set<CodeHash> roots = {base};
  for (const auto& [name, edit] : edits) {
    StateChanges c = Sample();
    CodeHash root;
    if (edit) {
      edit(c);
      root = NextStateRoot(previous, c);
    } else {
      root = NextStateRoot(Id(0x78), c);
    }
    EXPECT_NE(root, base) << name;
    EXPECT_TRUE(roots.insert(root).second) << name << " gives the root of another edit";
  }
  // Even nothing moves the root on: the root commits to the history, not to the state.
  EXPECT_NE(NextStateRoot(previous, StateChanges{}), previous);
}

TEST(StateRootTest, EncodingRoundTrips) {
  auto check = [](const StateChanges& c) {
    Bytes bytes = EncodeStateChanges(c);
    auto decoded = DecodeStateChanges(bytes);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().ToString();
    EXPECT_EQ(EncodeStateChanges(*decoded), bytes);
    EXPECT_TRUE(decoded->storage == c.storage && decoded->wiped == c.wiped &&
                decoded->contracts == c.contracts && decoded->balances == c.balances &&
                decoded->codes == c.codes && decoded->code_infos == c.code_infos);
  };
  check(StateChanges{});
  check(Sample());
  ChangeGenerator gen(31337);
  for (int i = 0; i < 200; ++i) check(gen.Next());
}

TEST(StateRootTest, MalformedEncodingsAreRejected) {
  const Bytes good = EncodeStateChanges(Sample());
  // Every truncation.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeStateChanges(ByteView(good).first(n)).has_value()) << "length " << n;
  }
  // Trailing bytes.
  Bytes longer = good;
  longer.push_back(0);
  EXPECT_FALSE(DecodeStateChanges(longer).has_value());

  auto rejects = [](const Bytes& bytes, std::string_view why) {
    auto decoded = DecodeStateChanges(bytes);
    EXPECT_FALSE(decoded.has_value()) << why;
    if (!decoded)
      EXPECT_NE(decoded.error().ToString().find(why), std::string::npos)
          << decoded.error().ToString();
  };
  // Items out of order, and repeated: the same list twice would not come from a map.
  StateChanges two;
  two.balances[Id(1)] = 1;
  two.balances[Id(2)] = 2;
  Bytes swapped = EncodeStateChanges(two);
  // balances start after three empty Vecs and the compact 2: (id, u128) items of 48 bytes.
  std::swap_ranges(swapped.begin() + 4, swapped.begin() + 52, swapped.begin() + 52);
  rejects(swapped, "balances item 1 is not after");
  Bytes repeated = EncodeStateChanges(two);
  std::copy(repeated.begin() + 4, repeated.begin() + 52, repeated.begin() + 52);
  rejects(repeated, "balances item 1 is not after");

  StateChanges keys;
  keys.storage[{Id(1), Str("a")}] = std::nullopt;
  keys.storage[{Id(1), Str("ab")}] = std::nullopt;
  Bytes storage = EncodeStateChanges(keys);  // 00 08 | id 04 'a' 00 | id 08 'a' 'b' 00
  Bytes reordered = Cat({{0, 8},
                         Bytes(storage.begin() + 37, storage.begin() + 37 + 36),
                         Bytes(storage.begin() + 2, storage.begin() + 37),
                         {0, 0, 0, 0}});
  rejects(reordered, "storage item 1 is not after");

  // A bad Option tag on a storage value, and on a contract.
  StateChanges one;
  one.storage[{Id(1), Bytes{}}] = std::nullopt;
  Bytes bad_option = EncodeStateChanges(one);
  bad_option[2 + 32 + 1] = 2;
  rejects(bad_option, "invalid Option tag 2");
  StateChanges removed;
  removed.contracts[Id(1)] = std::nullopt;
  Bytes bad_contract = EncodeStateChanges(removed);
  bad_contract[3 + 32] = 7;
  rejects(bad_contract, "invalid Option tag 7");

  // A determinism that is neither Enforced nor Relaxed.
  StateChanges info;
  info.code_infos[Id(1)] = CodeInfo{};
  Bytes bad_enum = EncodeStateChanges(info);
  bad_enum[6 + 32 + 32] = 2;
  rejects(bad_enum, "invalid enum variant index 2");

  // A length larger than the input.
  rejects(Bytes{0x10}, "wiped");
  // A non-canonical compact length.
  rejects(Bytes{0x01, 0x00, 0, 0, 0, 0, 0}, "");
}

}  // namespace
}  // namespace phat::state::testing
