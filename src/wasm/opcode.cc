#include "wasm/opcode.h"

namespace phat::wasm {
namespace {

struct DecodeTables {
  std::array<int16_t, 256> single{};
  std::array<int16_t, 32> fc{};
  constexpr DecodeTables() {
    single.fill(-1);
    fc.fill(-1);
    for (size_t i = 0; i < kOpcodeInfo.size(); ++i) {
      const auto& info = kOpcodeInfo[i];
      if (info.prefix == 0) single[info.code] = int16_t(i);
      else fc[info.code] = int16_t(i);
    }
  }
};
constexpr DecodeTables kDecode;

}  // namespace

std::optional<Opcode> DecodeOpcode(uint8_t byte) {
  int16_t i = kDecode.single[byte];
  if (i < 0) return std::nullopt;
  return Opcode(i);
}

std::optional<Opcode> DecodeOpcodeFC(uint32_t sub) {
  if (sub >= kDecode.fc.size() || kDecode.fc[sub] < 0) return std::nullopt;
  return Opcode(kDecode.fc[sub]);
}

}  // namespace phat::wasm
