#include "phat/ledger/block.h"

namespace phat::ledger {

using codec::Decoded;
using codec::ScaleReader;
using codec::ScaleWriter;

namespace {

void EncodeEvent(ScaleWriter& w, const contracts::Event& e) {
  codec::Encode(w, e.contract, e.topics);
  w.ByteVec(e.data);
}
Decoded<contracts::Event> DecodeEvent(ScaleReader& r) {
  contracts::Event e;
  e.contract = PHAT_TRY(codec::Decode<AccountId>(r));
  e.topics = PHAT_TRY(codec::Decode<std::vector<contracts::Topic>>(r));
  e.data = PHAT_TRY(r.ByteVec());
  return e;
}

}  // namespace

std::string_view ReceiptStatusName(Receipt::Status status) {
  switch (status) {
    case Receipt::Status::Success: return "success";
    case Receipt::Status::Reverted: return "reverted";
    case Receipt::Status::Failed: return "failed";
    case Receipt::Status::Rejected: return "rejected";
  }
  return "unknown";
}

void BlockEntry::ScaleEncode(ScaleWriter& w) const { codec::Encode(w, number, timestamp_ms, commands); }
Decoded<BlockEntry> BlockEntry::ScaleDecode(ScaleReader& r) {
  BlockEntry b;
  b.number = PHAT_TRY(r.U64());
  b.timestamp_ms = PHAT_TRY(r.U64());
  b.commands = PHAT_TRY(codec::Decode<std::vector<Bytes>>(r));
  return b;
}

void Receipt::ScaleEncode(ScaleWriter& w) const {
  w.U8(uint8_t(status));
  w.Str(error);
  codec::Encode(w, origin, nonce);
  w.ByteVec(output);
  w.Compact(events.size());
  for (const contracts::Event& e : events) EncodeEvent(w, e);
  codec::Encode(w, gas_consumed, contract, code_hash, command_hash);
  w.Str(debug_message);
}
Decoded<Receipt> Receipt::ScaleDecode(ScaleReader& r) {
  Receipt x;
  const size_t at = r.offset();
  uint8_t status = PHAT_TRY(r.U8());
  if (status > uint8_t(Status::Rejected)) return unexpected(r.ErrorAt(at, "bad receipt status"));
  x.status = Status(status);
  x.error = PHAT_TRY(r.String());
  x.origin = PHAT_TRY(codec::Decode<AccountId>(r));
  x.nonce = PHAT_TRY(r.U64());
  x.output = PHAT_TRY(r.ByteVec());
  uint32_t n = PHAT_TRY(r.Length("events"));
  for (uint32_t i = 0; i < n; ++i) x.events.push_back(PHAT_TRY(DecodeEvent(r)));
  x.gas_consumed = PHAT_TRY(r.U64());
  x.contract = PHAT_TRY(codec::Decode<std::optional<AccountId>>(r));
  x.code_hash = PHAT_TRY(codec::Decode<std::optional<CodeHash>>(r));
  x.command_hash = PHAT_TRY(codec::Decode<CodeHash>(r));
  x.debug_message = PHAT_TRY(r.String());
  return x;
}

void AppliedBlock::ScaleEncode(ScaleWriter& w) const {
  codec::Encode(w, number, timestamp_ms, state_root);
  w.Compact(receipts.size());
  for (const Receipt& receipt : receipts) receipt.ScaleEncode(w);
}
Decoded<AppliedBlock> AppliedBlock::ScaleDecode(ScaleReader& r) {
  AppliedBlock b;
  b.number = PHAT_TRY(r.U64());
  b.timestamp_ms = PHAT_TRY(r.U64());
  b.state_root = PHAT_TRY(codec::Decode<CodeHash>(r));
  uint32_t n = PHAT_TRY(r.Length("receipts"));
  for (uint32_t i = 0; i < n; ++i) b.receipts.push_back(PHAT_TRY(Receipt::ScaleDecode(r)));
  return b;
}

}  // namespace phat::ledger
