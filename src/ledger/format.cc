#include "ledger/format.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace phat::ledger::format {
namespace {

void Put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void Put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t Get32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}
uint64_t Get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

// Covers the frame's length, batch and index fields, then its data.
uint64_t FrameChecksum(uint64_t salt, const uint8_t* header16, ByteView data) {
  uint64_t seed = XXH3_64bits_withSeed(header16, 16, salt);
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

}  // namespace

std::string SegmentName(uint64_t number) {
  return fmt::format("log-{:06}.seg", number);
}

std::optional<uint64_t> ParseSegmentName(std::string_view name) {
  if (!name.starts_with("log-") || !name.ends_with(".seg")) return std::nullopt;
  std::string_view digits = name.substr(4, name.size() - 8);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return number;
}

void EncodeSegmentHeader(const SegmentHeader& header, uint8_t* out) {
  std::memcpy(out, kMagic, 8);
  Put32(out + 8, kVersion);
  Put32(out + 12, 0);
  Put64(out + 16, header.first_index);
  Put64(out + 24, header.salt);
  Put64(out + 32, XXH3_64bits(out, 32));
}

std::optional<SegmentHeader> DecodeSegmentHeader(ByteView bytes) {
  if (bytes.size() < kSegmentHeaderSize) return std::nullopt;
  const uint8_t* p = bytes.data();
  if (std::memcmp(p, kMagic, 8) != 0 || Get32(p + 8) != kVersion || Get32(p + 12) != 0 ||
      Get64(p + 32) != XXH3_64bits(p, 32))
    return std::nullopt;
  return SegmentHeader{Get64(p + 16), Get64(p + 24)};
}

void AppendFrame(uint64_t salt, uint64_t index, uint32_t batch_pos, bool last_in_batch,
                 ByteView data, Bytes& out) {
  size_t at = out.size();
  out.resize(at + kFrameHeaderSize + data.size());
  uint8_t* p = out.data() + at;
  Put32(p, static_cast<uint32_t>(data.size()));
  Put32(p + 4, batch_pos | (last_in_batch ? kLastInBatch : 0));
  Put64(p + 8, index);
  Put64(p + 16, FrameChecksum(salt, p, data));
  if (!data.empty()) std::memcpy(p + kFrameHeaderSize, data.data(), data.size());
}

std::string_view FrameStatusText(FrameStatus status) {
  switch (status) {
    case FrameStatus::Ok:
      return "ok";
    case FrameStatus::Short:
      return "the record runs past the end of the file";
    case FrameStatus::BadChecksum:
      return "checksum mismatch";
  }
  return "?";
}

FrameStatus ParseFrame(ByteView bytes, uint64_t salt, Frame& out) {
  if (bytes.size() < kFrameHeaderSize) return FrameStatus::Short;
  const uint8_t* p = bytes.data();
  uint32_t length = Get32(p);
  if (bytes.size() - kFrameHeaderSize < length) return FrameStatus::Short;
  uint32_t batch = Get32(p + 4);
  uint64_t index = Get64(p + 8);
  ByteView data = bytes.subspan(kFrameHeaderSize, length);
  if (Get64(p + 16) != FrameChecksum(salt, p, data)) return FrameStatus::BadChecksum;
  out.index = index;
  out.batch_pos = batch & ~kLastInBatch;
  out.last_in_batch = (batch & kLastInBatch) != 0;
  // A checksummed frame with index 0 or a position before index 1 was not written by us.
  if (index == 0 || out.batch_pos >= index) return FrameStatus::BadChecksum;
  out.data = data;
  out.size = kFrameHeaderSize + length;
  return FrameStatus::Ok;
}

std::optional<FrameHeader> PeekFrameHeader(ByteView bytes) {
  if (bytes.size() < kFrameHeaderSize) return std::nullopt;
  return FrameHeader{Get32(bytes.data()), Get32(bytes.data() + 4) & ~kLastInBatch,
                     Get64(bytes.data() + 8)};
}

}  // namespace phat::ledger::format
