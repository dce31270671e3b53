// RLP, Ethereum's serialization of byte strings and nested lists (Yellow Paper, appendix B;
// https://ethereum.org/en/developers/docs/data-structures-and-encoding/rlp/), in
// `phat::sdk::eth::rlp`: transactions are RLP lists, and their signing hashes are keccak-256 of
// one.
//
// Encoding appends to a Bytes; a list is written from its payload (the items' encodings one after
// another), so nested lists are built inside out. Integers are big-endian in the fewest bytes
// (zero is the empty string), as Ethereum requires.
//
// Decoding reads bytes that may come from anyone (an RPC node, a user) and answers an error
// rather than trapping: every length is checked against what is left, nesting deeper than asked
// is refused, and so is any non-canonical form (a byte below 0x80 wrapped as a string, a long
// form where the short one fits, a length with leading zeros), which other decoders refuse too.
// Decoded items are copies, from the bump allocator. Pure functions; no state.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/eth/u256.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/types.h"

namespace phat::sdk::eth {

// Why bytes are not the RLP expected.
PHAT_ENUM(RlpError,
          Truncated,      // a length runs past the end of the input
          TrailingBytes,  // something after the one item the input should be
          NonCanonical,   // a valid but not the shortest encoding
          TooDeep,        // lists nested deeper than the decoder was allowed
          NotAString,     // a list where a byte string (or integer) was expected
          NotAList,       // a byte string where a list was expected
          BadInteger);    // an integer with a leading zero byte, or wider than asked for

namespace rlp {

// What a transaction needs is 4 levels (transaction, access list, entry, storage keys).
inline constexpr u32 kDefaultMaxDepth = 16;

// ---- encoding ----
namespace internal {

// The prefix of a string (offset 0x80) or list (offset 0xc0) with a payload of `len` bytes.
inline void AppendHeader(Bytes& out, u8 offset, u32 len) {
  if (len <= 55) {
    out.push_back(static_cast<u8>(offset + len));
    return;
  }
  u8 be[4];
  u32 n = 0;
  for (u32 v = len; v != 0; v >>= 8) ++n;
  for (u32 i = 0; i < n; ++i) be[i] = static_cast<u8>(len >> (8 * (n - 1 - i)));
  out.push_back(static_cast<u8>(offset + 55 + n));
  for (u32 i = 0; i < n; ++i) out.push_back(be[i]);
}

inline void Append(Bytes& out, const u8* data, u32 len) {
  u32 at = out.size();
  out.resize(at + len);
  CopyBytes(out.data() + at, data, len);
}

}  // namespace internal

inline void AppendString(Bytes& out, const u8* data, u32 len) {
  if (len == 1 && data[0] < 0x80) {
    out.push_back(data[0]);  // a single small byte is its own encoding
    return;
  }
  internal::AppendHeader(out, 0x80, len);
  internal::Append(out, data, len);
}
inline void AppendString(Bytes& out, const Bytes& data) {
  AppendString(out, data.data(), data.size());
}
inline void AppendUint(Bytes& out, const U256& value) {
  Array<u8, 32> be = value.ToBigEndian();
  u32 n = value.ByteLength();
  AppendString(out, be.data() + (32 - n), n);
}
inline void AppendUint(Bytes& out, u64 value) {
  AppendUint(out, U256(value));
}
// `payload`: the encodings of the list's items, one after another.
inline void AppendList(Bytes& out, const Bytes& payload) {
  internal::AppendHeader(out, 0xc0, payload.size());
  internal::Append(out, payload.data(), payload.size());
}
inline Bytes EncodeList(const Bytes& payload) {
  Bytes out;
  AppendList(out, payload);
  return out;
}

// ---- decoding ----

// A decoded item: a byte string, or a list of items.
struct Item {
  bool is_list = false;
  Bytes bytes;      // a string's bytes
  Vec<Item> items;  // a list's items
};

namespace internal {

struct Header {
  bool is_list = false;
  u32 payload_offset = 0;  // from the start of the item
  u32 payload_len = 0;
};

// The header of the item at the start of `data`; its payload is known to fit in `size`.
inline Result<Header, RlpError> ReadHeader(const u8* data, u32 size) {
  if (size == 0) return Err(RlpError::Truncated);
  u8 first = data[0];
  if (first < 0x80) return Ok(Header{false, 0, 1});
  bool is_list = first >= 0xc0;
  u8 base = is_list ? 0xc0 : 0x80;
  u32 code = first - base;
  Header header{is_list, 1, code};
  if (code > 55) {
    u32 n = code - 55;                           // bytes of the length
    if (n > 4) return Err(RlpError::Truncated);  // ≥ 4 GiB: more than any input here
    if (size < 1 + n) return Err(RlpError::Truncated);
    if (data[1] == 0) return Err(RlpError::NonCanonical);
    u32 len = 0;
    for (u32 i = 0; i < n; ++i) len = len << 8 | data[1 + i];
    if (len <= 55) return Err(RlpError::NonCanonical);
    header.payload_offset = 1 + n;
    header.payload_len = len;
  }
  if (header.payload_len > size - header.payload_offset) return Err(RlpError::Truncated);
  if (!is_list && header.payload_len == 1 && data[1] < 0x80) return Err(RlpError::NonCanonical);
  return Ok(header);
}

// Decodes the item at the start of `data` into `out`; its size in *used.
inline Result<void, RlpError> DecodeItem(const u8* data, u32 size, u32 depth_left, Item& out,
                                         u32* used) {
  Result<Header, RlpError> read = ReadHeader(data, size);
  if (read.is_err()) return Err(read.error());
  const Header& header = read.value();
  const u8* payload = data + header.payload_offset;
  *used = header.payload_offset + header.payload_len;
  out.is_list = header.is_list;
  if (!header.is_list) {
    out.bytes = Bytes(payload, header.payload_len);
    return Ok();
  }
  if (depth_left == 0) return Err(RlpError::TooDeep);
  for (u32 at = 0; at < header.payload_len;) {
    // Decoded in place: pushing a finished item would copy all that it holds.
    out.items.push_back(Item{});
    Item& item = out.items[out.items.size() - 1];
    u32 item_size = 0;
    Result<void, RlpError> inner =
        DecodeItem(payload + at, header.payload_len - at, depth_left - 1, item, &item_size);
    if (inner.is_err()) return inner;
    at += item_size;
  }
  return Ok();
}

}  // namespace internal

// Decodes `size` bytes that must be exactly one item, with lists nested at most `max_depth` deep.
inline Result<Item, RlpError> Decode(const u8* data, u32 size, u32 max_depth = kDefaultMaxDepth) {
  Item item;
  u32 used = 0;
  Result<void, RlpError> decoded = internal::DecodeItem(data, size, max_depth, item, &used);
  if (decoded.is_err()) return Err(decoded.error());
  if (used != size) return Err(RlpError::TrailingBytes);
  return Ok(Move(item));
}
inline Result<Item, RlpError> Decode(const Bytes& data, u32 max_depth = kDefaultMaxDepth) {
  return Decode(data.data(), data.size(), max_depth);
}

// An item read as an integer: a string of at most 32 bytes, without leading zeros.
inline Result<U256, RlpError> ToUint(const Item& item) {
  if (item.is_list) return Err(RlpError::NotAString);
  u32 n = item.bytes.size();
  if (n > 32 || (n > 0 && item.bytes[0] == 0)) return Err(RlpError::BadInteger);
  u8 be[32]{};
  CopyBytes(be + (32 - n), item.bytes.data(), n);
  return Ok(U256::FromBigEndian(be));
}

}  // namespace rlp
}  // namespace phat::sdk::eth
