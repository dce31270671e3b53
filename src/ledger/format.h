// The embedded log's on-disk format (docs/LEDGER.md): segment file names, the segment header and
// the record frame, with their encoders and checked decoders. Pure functions; no state.
//
// All integers are little-endian. A segment file is
//   header (40 bytes): magic "PHATLOG\0" | u32 version (1) | u32 reserved (0) | u64 first_index
//                      | u64 salt | u64 XXH3-64 of the 32 bytes before it
//   then frames, back to back:
//   frame:  u32 length | u32 batch | u64 index | u64 checksum | data (length bytes)
// `batch` is the record's position in its batch (bits 0-30) and bit 31 marks the batch's last
// record. `checksum` is XXH3-64 of the data, seeded with XXH3-64 of the frame's first 16 bytes,
// itself seeded with the segment's salt: a random number drawn when the segment is created, so
// bytes from another segment, or a frame-shaped byte string inside a record, never pass as a
// frame of this one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "phat/base/bytes.h"

namespace phat::ledger::format {

inline constexpr char kMagic[8] = {'P', 'H', 'A', 'T', 'L', 'O', 'G', '\0'};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 40;
inline constexpr size_t kFrameHeaderSize = 24;
inline constexpr uint32_t kLastInBatch = 1u << 31;
inline constexpr uint32_t kMaxBatchRecords = kLastInBatch;  // positions 0 .. 2^31 - 1

// "log-000001.seg"; more digits once the number needs them.
std::string SegmentName(uint64_t number);
// The number in a segment file's name; nothing for other names.
std::optional<uint64_t> ParseSegmentName(std::string_view name);

struct SegmentHeader {
  uint64_t first_index = 0;  // the index of the segment's first record
  uint64_t salt = 0;
};

void EncodeSegmentHeader(const SegmentHeader& header, uint8_t* out);  // kSegmentHeaderSize bytes
// Nothing if the bytes are short or fail the magic, version or checksum.
std::optional<SegmentHeader> DecodeSegmentHeader(ByteView bytes);

struct Frame {
  uint64_t index = 0;
  uint32_t batch_pos = 0;  // 0 for the first record of a batch
  bool last_in_batch = false;
  ByteView data;
  size_t size = 0;  // header and data
  uint64_t batch_first() const { return index - batch_pos; }
};

// Appends the frame of one record to `out`.
void AppendFrame(uint64_t salt, uint64_t index, uint32_t batch_pos, bool last_in_batch,
                 ByteView data, Bytes& out);

enum class FrameStatus : uint8_t {
  Ok,
  Short,        // the header or the data runs past the end of `bytes`
  BadChecksum,  // complete, but the checksum does not match (or the header is malformed)
};
std::string_view FrameStatusText(FrameStatus status);

// The frame at the start of `bytes` (which may go on past it).
FrameStatus ParseFrame(ByteView bytes, uint64_t salt, Frame& out);

// A frame header's fields, unchecked: for a cheap look before ParseFrame. Nothing if short.
struct FrameHeader {
  uint32_t length = 0;
  uint32_t batch_pos = 0;
  uint64_t index = 0;
};
std::optional<FrameHeader> PeekFrameHeader(ByteView bytes);

}  // namespace phat::ledger::format
