#include "wasm/interp/disasm.h"

#include <cinttypes>
#include <cstdio>

#include "wasm/interp/code.h"
#include "wasm/interp/handlers.h"

namespace phat::wasm::interp {
namespace {

std::string Format(const char* fmt, auto... args) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string Address(AddrMode mode, uint32_t a, uint32_t b) {
  switch (mode) {
    case AddrMode::Slot: return Format("s%u", a);
    case AddrMode::AddImm: return Format("s%u+#%d", a, int32_t(b));
    case AddrMode::Add: return Format("s%u+s%u", a, b);
    case AddrMode::Const: return Format("#%u", b);
    case AddrMode::Acc: return "acc";
    case AddrMode::AccAddImm: return Format("acc+#%d", int32_t(b));
  }
  return "?";
}

// A slot operand, or "acc" when the handler takes it from the accumulator.
std::string Src(const HandlerInfo* info, int which, uint32_t slot) {
  return info->acc_in == which ? std::string("acc") : Format("s%u", slot);
}
std::string Dst(const HandlerInfo* info, uint32_t slot) {
  return info->acc_out ? std::string("acc") : Format("s%u", slot);
}

// One instruction: its text and its size in bytes.
std::pair<std::string, size_t> Decode(const Instr* ip, size_t pos) {
  const HandlerInfo* info = Describe(ip->handler);
  if (!info) return {"<unknown handler>", sizeof(Instr)};
  std::string name(info->name);
  const char* n = name.c_str();
  auto target = [&](int32_t off) { return uint64_t(int64_t(pos) + off); };
  switch (info->shape) {
    case Shape::None: return {name, sizeof(Instr)};
    case Shape::R: return {Format("%s %s", n, Src(info, 1, As<InstrR>(ip)->a).c_str()), sizeof(InstrR)};
    case Shape::RR: {
      auto* in = As<InstrRR>(ip);
      return {Format("%s %s <- %s", n, Dst(info, in->d).c_str(), Src(info, 1, in->a).c_str()), sizeof(InstrRR)};
    }
    case Shape::CopyN: {
      auto* in = As<InstrCopyN>(ip);
      std::string s = n;
      for (uint32_t i = 0; i < in->count; ++i)
        s += Format("%s s%u <- s%u", i ? ";" : "", in->pairs()[i].d, in->pairs()[i].a);
      return {s, sizeof(InstrCopyN) + in->count * sizeof(InstrCopyN::Pair)};
    }
    case Shape::RRR: {
      auto* in = As<InstrRRR>(ip);
      return {Format("%s %s <- %s, %s", n, Dst(info, in->d).c_str(), Src(info, 1, in->a).c_str(),
                     Src(info, 2, in->b).c_str()),
              sizeof(InstrRRR)};
    }
    case Shape::RRI32: {
      auto* in = As<InstrRRI<uint32_t>>(ip);
      return {Format("%s %s <- %s, #%u", n, Dst(info, in->d).c_str(), Src(info, 1, in->a).c_str(), in->imm),
              sizeof(InstrRRI<uint32_t>)};
    }
    case Shape::RRI64: {
      auto* in = As<InstrRRI<uint64_t>>(ip);
      return {Format("%s %s <- %s, #%" PRIu64, n, Dst(info, in->d).c_str(), Src(info, 1, in->a).c_str(), in->imm),
              sizeof(InstrRRI<uint64_t>)};
    }
    case Shape::RRM: {
      auto* in = As<InstrRRM>(ip);
      return {Format("%s %s <- %s, [%s + %u]", n, Dst(info, in->d).c_str(), Src(info, 1, in->x).c_str(),
                     Address(info->mode, in->a, in->b).c_str(), in->offset),
              sizeof(InstrRRM)};
    }
    case Shape::RRRR: {
      auto* in = As<InstrRRRR>(ip);
      std::string c = info->acc_in == 4 ? std::string("acc") : Format("%u", in->c);
      return {Format("%s s%u, s%u, s%u, %s", n, in->d, in->a, in->b, c.c_str()), sizeof(InstrRRRR)};
    }
    case Shape::RRRRR: {
      auto* in = As<InstrRRRRR>(ip);
      return {Format("%s s%u, s%u, s%u, %u, %u", n, in->d, in->a, in->b, in->c, in->e), sizeof(InstrRRRRR)};
    }
    case Shape::Const32: {
      auto* in = As<InstrConst32>(ip);
      return {Format("%s s%u <- #%u", n, in->d, in->imm), sizeof(InstrConst32)};
    }
    case Shape::Const64: {
      auto* in = As<InstrConst64>(ip);
      return {Format("%s s%u <- #0x%" PRIx64, n, in->d, in->imm), sizeof(InstrConst64)};
    }
    case Shape::Load: {
      auto* in = As<InstrLoad>(ip);
      return {Format("%s %s <- [%s + %u]", n, Dst(info, in->d).c_str(), Address(info->mode, in->a, in->b).c_str(),
                     in->offset),
              sizeof(InstrLoad)};
    }
    case Shape::Store: {
      auto* in = As<InstrStore>(ip);
      std::string value = info->value == ValueSrc::Imm32 ? Format("#%u", in->v)
                          : info->value == ValueSrc::Acc ? std::string("acc")
                                                         : Format("s%u", in->v);
      return {Format("%s [%s + %u] <- %s", n, Address(info->mode, in->a, in->b).c_str(), in->offset, value.c_str()),
              sizeof(InstrStore)};
    }
    case Shape::StoreImm: {
      auto* in = As<InstrStoreImm>(ip);
      return {Format("%s [s%u + %u] <- #0x%" PRIx64, n, in->a, in->offset, in->value), sizeof(InstrStoreImm)};
    }
    case Shape::Enter: {
      auto* in = As<InstrEnter>(ip);
      return {Format("%s zero s%u..+%u, frame %u, fuel %d", n, in->zero_from, in->zero_count,
                     in->frame_slots, in->fuel),
              sizeof(InstrEnter)};
    }
    case Shape::Br: {
      auto* in = As<InstrBr>(ip);
      return {Format("%s @%" PRIu64 " fuel %d", n, target(in->offset), in->fuel), sizeof(InstrBr)};
    }
    case Shape::BrIf: {
      auto* in = As<InstrBrIf>(ip);
      return {Format("%s %s @%" PRIu64 " fuel %d/%d", n, Src(info, 1, in->cond).c_str(), target(in->offset),
                     in->fuel_taken, in->fuel_fall),
              sizeof(InstrBrIf)};
    }
    case Shape::BrCmp: {
      auto* in = As<InstrBrCmp>(ip);
      std::string b = info->imm & 2 ? Format("#%d", int32_t(in->b)) : Src(info, 2, in->b);
      return {Format("br_if %s %s, %s @%" PRIu64 " fuel %d/%d", n, Src(info, 1, in->a).c_str(), b.c_str(),
                     target(in->offset), in->fuel_taken, in->fuel_fall),
              sizeof(InstrBrCmp)};
    }
    case Shape::AddBrCmp: {
      auto* in = As<InstrAddBrCmp>(ip);
      std::string add = info->imm & 1 ? Format("#%d", int32_t(in->add)) : Format("s%u", in->add);
      std::string b = info->imm & 2 ? Format("#%d", int32_t(in->b)) : Format("s%u", in->b);
      return {Format("add_br_if s%u <- s%u + %s; %s s%u, %s @%" PRIu64 " fuel %d/%d", in->d, in->s, add.c_str(),
                     n, in->d, b.c_str(), target(in->offset), in->fuel_taken, in->fuel_fall),
              sizeof(InstrAddBrCmp)};
    }
    case Shape::BrTable: {
      auto* in = As<InstrBrTable>(ip);
      std::string s = Format("%s s%u [", n, in->index);
      for (uint32_t i = 0; i <= in->count; ++i)
        s += Format("%s@%" PRIu64 "/%d", i ? " " : "", target(in->entries()[i].offset), in->entries()[i].fuel);
      size_t size = sizeof(InstrBrTable) + (in->count + 1) * sizeof(InstrBrTable::Entry);
      return {s + "]", size};
    }
    case Shape::Call: {
      auto* in = As<InstrCall>(ip);
      return {Format("%s base s%u", n, in->base), sizeof(InstrCall)};
    }
    case Shape::CallImport: {
      auto* in = As<InstrCallImport>(ip);
      return {Format("%s func %u base s%u", n, in->func_index, in->base), sizeof(InstrCallImport)};
    }
    case Shape::CallIndirect: {
      auto* in = As<InstrCallIndirect>(ip);
      return {Format("%s table %u [s%u] type %u base s%u", n, in->table, in->index, in->type_id, in->base),
              sizeof(InstrCallIndirect)};
    }
    case Shape::Global: {
      auto* in = As<InstrGlobal>(ip);
      std::string slot = info->acc_out ? "acc" : Src(info, 1, in->a);
      return {Format("%s %s, global %u", n, slot.c_str(), in->global), sizeof(InstrGlobal)};
    }
  }
  return {"?", sizeof(Instr)};
}

}  // namespace

std::string Disassemble(const Module& module) {
  std::string out;
  const auto& fns = module.functions();
  if (fns.empty()) return out;
  // Functions lie back to back in one buffer, the first at its start.
  const auto* code_end = reinterpret_cast<const uint8_t*>(fns[0].code) + module.code_bytes();
  for (size_t i = 0; i < fns.size(); ++i) {
    const auto* begin = reinterpret_cast<const uint8_t*>(fns[i].code);
    const auto* end = i + 1 < fns.size() ? reinterpret_cast<const uint8_t*>(fns[i + 1].code) : code_end;
    out += Format("func %zu %s: %u locals, %u slots\n", module.num_imported_funcs() + i,
                  FuncTypeString(module.func_type(uint32_t(module.num_imported_funcs() + i))).c_str(),
                  fns[i].num_locals, fns[i].frame_slots);
    for (const uint8_t* p = begin; p < end;) {
      size_t pos = size_t(p - begin);
      auto [text, size] = Decode(reinterpret_cast<const Instr*>(p), pos);
      out += Format("  %5zu  ", pos) + text + "\n";
      p += size;
    }
  }
  return out;
}

}  // namespace phat::wasm::interp
