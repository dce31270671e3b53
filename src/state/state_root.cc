#include "phat/state/state_root.h"

#include <fmt/format.h>

#include <string_view>

#include "phat/crypto/hash.h"

namespace phat::codec {

void ScaleCodec<contracts::ContractInfo>::Encode(ScaleWriter& w,
                                                 const contracts::ContractInfo& info) {
  codec::Encode(w, info.code_hash);
}

Decoded<contracts::ContractInfo> ScaleCodec<contracts::ContractInfo>::Decode(ScaleReader& r) {
  contracts::ContractInfo info;
  info.code_hash = PHAT_TRY(codec::Decode<contracts::CodeHash>(r));
  return info;
}

void ScaleCodec<contracts::CodeInfo>::Encode(ScaleWriter& w, const contracts::CodeInfo& info) {
  codec::Encode(w, info.owner, info.determinism, info.refcount, info.code_len);
}

Decoded<contracts::CodeInfo> ScaleCodec<contracts::CodeInfo>::Decode(ScaleReader& r) {
  contracts::CodeInfo info;
  info.owner = PHAT_TRY(codec::Decode<contracts::AccountId>(r));
  info.determinism = PHAT_TRY(codec::Decode<contracts::Determinism>(r));
  info.refcount = PHAT_TRY(codec::Decode<uint64_t>(r));
  info.code_len = PHAT_TRY(codec::Decode<uint32_t>(r));
  return info;
}

}  // namespace phat::codec

namespace phat::state {
namespace {

using codec::Decoded;
using codec::ScaleReader;
using codec::ScaleWriter;
using contracts::AccountId;
using contracts::CodeHash;
using contracts::StateChanges;

// Reads a Vec of `what` whose items are (key, value) with strictly ascending keys, handing each
// to `insert`. `read` yields the item's key and value; `less` orders keys.
template <typename Read, typename Less, typename Insert>
Expected<void, codec::DecodeError> DecodeSorted(ScaleReader& r, std::string_view what, Read read,
                                                Less less, Insert insert) {
  uint32_t n = PHAT_TRY(r.Length(what));
  using Item = typename decltype(read(r))::value_type;
  std::optional<Item> previous;
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = r.offset();
    Item item = PHAT_TRY(read(r));
    if (previous && !less(previous->first, item.first)) {
      return unexpected(r.ErrorAt(
          at, fmt::format("{} item {} is not after the one before it (the encoding is sorted and "
                          "has no repeats)",
                          what, i)));
    }
    // Keep a copy of the key only: values (e.g. Wasm) can be large.
    previous.emplace(item.first, typename Item::second_type{});
    insert(std::move(item));
  }
  return {};
}

}  // namespace

void EncodeStateChanges(ScaleWriter& w, const StateChanges& changes) {
  w.Compact(changes.wiped.size());
  for (const AccountId& account : changes.wiped) w.Raw(account);

  w.Compact(changes.storage.size());
  for (const auto& [key, value] : changes.storage) {
    w.Raw(key.first);
    w.ByteVec(key.second);
    codec::Encode(w, value);
  }

  w.Compact(changes.contracts.size());
  for (const auto& [account, info] : changes.contracts) {
    w.Raw(account);
    codec::Encode(w, info);
  }

  w.Compact(changes.balances.size());
  for (const auto& [account, balance] : changes.balances) {
    w.Raw(account);
    w.U128(balance);
  }

  w.Compact(changes.codes.size());
  for (const auto& [hash, wasm] : changes.codes) {
    w.Raw(hash);
    w.ByteVec(wasm);
  }

  w.Compact(changes.code_infos.size());
  for (const auto& [hash, info] : changes.code_infos) {
    w.Raw(hash);
    codec::Encode(w, info);
  }

  w.Compact(changes.nonces.size());
  for (const auto& [account, nonce] : changes.nonces) {
    w.Raw(account);
    w.U64(nonce);
  }
}

Bytes EncodeStateChanges(const StateChanges& changes) {
  ScaleWriter w;
  EncodeStateChanges(w, changes);
  return w.Take();
}

Decoded<StateChanges> DecodeStateChanges(ByteView bytes) {
  ScaleReader r(bytes);
  StateChanges out;
  auto plain_less = [](const auto& a, const auto& b) { return a < b; };

  PHAT_TRY_VOID(DecodeSorted(
      r, "wiped",
      [](ScaleReader& r) -> Decoded<std::pair<AccountId, bool>> {
        return std::pair{PHAT_TRY(codec::Decode<AccountId>(r)), true};
      },
      plain_less, [&](auto item) { out.wiped.insert(out.wiped.end(), item.first); }));

  PHAT_TRY_VOID(DecodeSorted(
      r, "storage",
      [](ScaleReader& r) -> Decoded<std::pair<contracts::StorageKey, std::optional<Bytes>>> {
        AccountId contract = PHAT_TRY(codec::Decode<AccountId>(r));
        Bytes key = PHAT_TRY(r.ByteVec());
        std::optional<Bytes> value = PHAT_TRY(codec::Decode<std::optional<Bytes>>(r));
        return std::pair{contracts::StorageKey{contract, std::move(key)}, std::move(value)};
      },
      contracts::StorageKeyLess{},
      [&](auto item) { out.storage.emplace_hint(out.storage.end(), std::move(item)); }));

  PHAT_TRY_VOID(DecodeSorted(
      r, "contracts",
      [](ScaleReader& r) -> Decoded<std::pair<AccountId, std::optional<contracts::ContractInfo>>> {
        AccountId account = PHAT_TRY(codec::Decode<AccountId>(r));
        auto info = PHAT_TRY(codec::Decode<std::optional<contracts::ContractInfo>>(r));
        return std::pair{account, info};
      },
      plain_less, [&](auto item) { out.contracts.emplace_hint(out.contracts.end(), item); }));

  PHAT_TRY_VOID(DecodeSorted(
      r, "balances",
      [](ScaleReader& r) -> Decoded<std::pair<AccountId, contracts::Balance>> {
        AccountId account = PHAT_TRY(codec::Decode<AccountId>(r));
        contracts::Balance balance = PHAT_TRY(r.U128());
        return std::pair{account, balance};
      },
      plain_less, [&](auto item) { out.balances.emplace_hint(out.balances.end(), item); }));

  PHAT_TRY_VOID(DecodeSorted(
      r, "codes",
      [](ScaleReader& r) -> Decoded<std::pair<CodeHash, Bytes>> {
        CodeHash hash = PHAT_TRY(codec::Decode<CodeHash>(r));
        Bytes wasm = PHAT_TRY(r.ByteVec());
        return std::pair{hash, std::move(wasm)};
      },
      plain_less, [&](auto item) { out.codes.emplace_hint(out.codes.end(), std::move(item)); }));

  PHAT_TRY_VOID(DecodeSorted(
      r, "code_infos",
      [](ScaleReader& r) -> Decoded<std::pair<CodeHash, contracts::CodeInfo>> {
        CodeHash hash = PHAT_TRY(codec::Decode<CodeHash>(r));
        contracts::CodeInfo info = PHAT_TRY(codec::Decode<contracts::CodeInfo>(r));
        return std::pair{hash, info};
      },
      plain_less, [&](auto item) { out.code_infos.emplace_hint(out.code_infos.end(), item); }));

  PHAT_TRY_VOID(DecodeSorted(
      r, "nonces",
      [](ScaleReader& r) -> Decoded<std::pair<AccountId, uint64_t>> {
        AccountId account = PHAT_TRY(codec::Decode<AccountId>(r));
        uint64_t nonce = PHAT_TRY(r.U64());
        return std::pair{account, nonce};
      },
      plain_less, [&](auto item) { out.nonces.emplace_hint(out.nonces.end(), item); }));

  PHAT_TRY_VOID(r.Finish());
  return out;
}

CodeHash NextStateRoot(const CodeHash& previous, const StateChanges& changes) {
  ScaleWriter w(Bytes(previous.begin(), previous.end()));
  EncodeStateChanges(w, changes);
  return crypto::Blake2b256(w.bytes());
}

}  // namespace phat::state
