// Fuzzes the SCALE decoder: whatever the bytes, decoding either fails with an error inside the
// input or succeeds, and what decodes re-encodes to exactly the same bytes (the decoder accepts
// only canonical encodings).
//
// Input: one byte picks the type, the rest is the encoding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "fuzz_util.h"
#include "phat/codec/scale.h"

using namespace phat;
using namespace phat::codec;

namespace {

template <typename T>
void RoundTrip(ByteView bytes) {
  auto value = DecodeAll<T>(bytes);
  if (!value) {
    if (value.error().offset > bytes.size()) wasm::fuzz::Fail("a decode error past the input");
    return;
  }
  if (Encode(*value) != Bytes(bytes.begin(), bytes.end()))
    wasm::fuzz::Fail("decoded and re-encoded bytes differ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ByteView bytes(data + 1, size - 1);
  switch (data[0] % 10) {
    case 0: RoundTrip<Compact<uint128>>(bytes); break;
    case 1: RoundTrip<Compact<uint32_t>>(bytes); break;
    case 2: RoundTrip<std::vector<uint16_t>>(bytes); break;
    case 3: RoundTrip<std::string>(bytes); break;
    case 4: RoundTrip<std::optional<bool>>(bytes); break;
    case 5: RoundTrip<std::vector<std::pair<std::string, std::string>>>(bytes); break;
    case 6: RoundTrip<Result<std::vector<uint8_t>, uint8_t>>(bytes); break;
    case 7: RoundTrip<std::tuple<uint8_t, std::optional<uint64_t>, uint128>>(bytes); break;
    case 8: RoundTrip<std::vector<std::optional<std::array<uint8_t, 32>>>>(bytes); break;
    default: RoundTrip<std::vector<std::vector<uint8_t>>>(bytes); break;
  }
  return 0;
}
