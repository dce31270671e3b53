// Contract storage laid out as ink! lays it out (ABI.md §4), so that an ink! contract and a C++
// one with the same declarations read each other's state:
// - the root struct (the contract itself) is one value at key 00000000: its fields' SCALE in
//   declaration order, except Lazy and Mapping fields, which encode as nothing;
// - a Lazy<T> field is one value under its own 4-byte root key, a Mapping<K, V> field one value
//   per key at root_key (u32 LE) ‖ SCALE(K). The root key is xxh32("Struct::field") unless the
//   field's type names one with ManualKey<N>.
// The root struct hands each Lazy/Mapping field its key when it is loaded or constructed
// (BindStorageKeys); a Lazy or Mapping nested deeper than the root struct is not supported.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/env.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/scale.h"
#include "phat/sdk/types.h"

namespace phat::sdk {

// The key of a Lazy or Mapping field: AutoKey (from the field's name) or ManualKey<N>.
struct AutoKey {
  static constexpr bool kManual = false;
  static constexpr u32 kValue = 0;
};
template <u32 kKey>
struct ManualKey {
  static constexpr bool kManual = true;
  static constexpr u32 kValue = kKey;
};

namespace storage_internal {
// A storage key in a small stack buffer: root key (LE) ‖ SCALE(key).
struct EntryKey {
  u8 bytes[kMaxStorageKeyLen];
  u32 size;
};
template <class K>
EntryKey MakeKey(u32 root_key, const K& key) {
  EntryKey out;
  Writer w(out.bytes, sizeof(out.bytes));
  EncodeInteger(w, root_key);
  Encode(w, key);
  if (w.overflowed()) Trap();  // the host would refuse it too
  out.size = static_cast<u32>(w.size());
  return out;
}
}  // namespace storage_internal

template <class K, class V, class KeyType = AutoKey>
class Mapping {
 public:
  static constexpr bool kPhatLazy = true;
  using KeyT = K;
  using ValueT = V;
  using KeyTypeT = KeyType;

  Option<V> Get(const K& key) const {
    auto k = storage_internal::MakeKey(root_key_, key);
    return env::GetStorage<V>(k.bytes, k.size);
  }
  // Stores `value`; the size of the value it replaced, if there was one.
  Option<u32> Insert(const K& key, const V& value) {
    auto k = storage_internal::MakeKey(root_key_, key);
    return env::SetStorage(k.bytes, k.size, value);
  }
  void Remove(const K& key) {
    auto k = storage_internal::MakeKey(root_key_, key);
    env::ClearStorage(k.bytes, k.size);
  }
  bool Contains(const K& key) const {
    auto k = storage_internal::MakeKey(root_key_, key);
    return env::ContainsStorage(k.bytes, k.size).has_value();
  }
  Option<V> Take(const K& key) {
    auto k = storage_internal::MakeKey(root_key_, key);
    return env::TakeStorage<V>(k.bytes, k.size);
  }
  u32 root_key() const { return root_key_; }
  void BindKey(u32 key) {
    if constexpr (!KeyType::kManual) root_key_ = key;
  }

 private:
  u32 root_key_ = KeyType::kValue;
};

template <class V, class KeyType = AutoKey>
class Lazy {
 public:
  static constexpr bool kPhatLazy = true;
  using ValueT = V;
  using KeyTypeT = KeyType;

  Option<V> Get() const {
    auto k = Key();
    return env::GetStorage<V>(k.bytes, k.size);
  }
  void Set(const V& value) {
    auto k = Key();
    env::SetStorage(k.bytes, k.size, value);
  }
  u32 root_key() const { return root_key_; }
  void BindKey(u32 key) {
    if constexpr (!KeyType::kManual) root_key_ = key;
  }

 private:
  storage_internal::EntryKey Key() const {
    storage_internal::EntryKey out;
    Writer w(out.bytes, sizeof(out.bytes));
    EncodeInteger(w, root_key_);
    out.size = 4;
    return out;
  }
  u32 root_key_ = KeyType::kValue;
};

template <class K, class V, class KeyType>
struct TypeName<Mapping<K, V, KeyType>> {
  template <class S>
  static constexpr void Append(S& out) {
    out.Append("Mapping<");
    AppendTypeName<K>(out);
    out.Append(",");
    AppendTypeName<V>(out);
    out.Append(">");
  }
};
template <class V, class KeyType>
struct TypeName<Lazy<V, KeyType>> {
  template <class S>
  static constexpr void Append(S& out) {
    out.Append("Lazy<");
    AppendTypeName<V>(out);
    out.Append(">");
  }
};

// The root struct's own key.
inline constexpr u8 kRootKey[4] = {0, 0, 0, 0};

// Gives each Lazy and Mapping field of the root struct its storage key.
template <class C>
void BindStorageKeys(C& contract) {
  C::PhatVisitFields(contract, [](const char*, auto& field, auto key) {
    if constexpr (LazyField<Decay<decltype(field)>>) field.BindKey(decltype(key)::kValue);
  });
}

// Loads the root struct; a missing or undecodable root is a trap, as in ink!.
template <class C>
void LoadRoot(C& contract) {
  Option<u32> len = env::ReadStorage(kRootKey, 4);
  if (!len) Trap();  // ink!: "storage entry was empty"
  Reader r(StaticBuffer(), *len);
  Decode(r, contract);
  if (!r.done()) Trap();
  BindStorageKeys(contract);
}

template <class C>
void StoreRoot(const C& contract) {
  env::SetStorage(kRootKey, 4, contract);
}

}  // namespace phat::sdk
