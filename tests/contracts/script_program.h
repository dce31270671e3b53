// Programs for the fixtures/script.wat contract (its header lists the ops and their layouts), and
// a reader for what they return: so a test states a caller's, callee's or constructor's
// behaviour in one line, e.g. Program().Store(x).Call(callee, Program().Trap()).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "contracts/contract_test_util.h"

namespace phat::contracts::testing {

// pallet-contracts CallFlags and ReturnFlags (ABI.md §2).
inline constexpr uint32_t kForwardInput = 1;
inline constexpr uint32_t kCloneInput = 2;
inline constexpr uint32_t kTailCall = 4;
inline constexpr uint32_t kAllowReentry = 8;
inline constexpr uint32_t kReadOnly = 16;
inline constexpr uint32_t kRevert = 1;

// pallet-contracts ReturnErrorCode.
inline constexpr uint32_t kSuccess = 0;
inline constexpr uint32_t kCalleeTrapped = 1;
inline constexpr uint32_t kCalleeReverted = 2;
inline constexpr uint32_t kKeyNotFound = 3;
inline constexpr uint32_t kTransferFailed = 5;
inline constexpr uint32_t kCodeNotFound = 7;
inline constexpr uint32_t kNotCallable = 8;
inline constexpr uint32_t kSentinel = 0xFFFFFFFF;

class Program {
 public:
  Program& Store(ByteView value) { return Op(0x00, value); }
  Program& Load() { return Op(0x01, {}); }
  Program& Revert(ByteView data) { return Op(0x02, data); }
  Program& Trap() { return Op(0x03, {}); }
  Program& Return(ByteView data) { return Op(0x04, data); }
  // seal1.call; gas 0 = all that is left.
  Program& Call(const AccountId& callee, ByteView input, uint32_t flags = 0, Balance value = 0,
                uint64_t gas = 0) {
    return Op(0x05, Cat({Le32(flags), Le64(gas), Le128(value), callee, input}));
  }
  // seal0.call, the legacy form (implies ALLOW_REENTRY).
  Program& CallV0(const AccountId& callee, ByteView input, Balance value = 0, uint64_t gas = 0) {
    return Op(0x06, Cat({Le64(gas), Le128(value), callee, input}));
  }
  // seal2.call, ink! 5's default; no storage deposit limit.
  Program& CallV2(const AccountId& callee, ByteView input, uint32_t flags = 0, Balance value = 0,
                  uint64_t ref_time = 0, uint64_t proof_size = 0) {
    return Op(0x07,
              Cat({Le32(flags), Le64(ref_time), Le64(proof_size), Le128(value), callee, input}));
  }
  Program& DelegateCall(const CodeHash& code, ByteView input, uint32_t flags = 0) {
    return Op(0x08, Cat({Le32(flags), code, input}));
  }
  // seal1.instantiate (ink! 4).
  Program& Instantiate(const CodeHash& code, ByteView input, ByteView salt, Balance value = 0,
                       uint64_t gas = 0) {
    return Op(0x09, Cat({Le64(gas), Le128(value), code, Le32(uint32_t(salt.size())), salt, input}));
  }
  // seal2.instantiate (ink! 5); no storage deposit limit.
  Program& InstantiateV2(const CodeHash& code, ByteView input, ByteView salt, Balance value = 0,
                         uint64_t ref_time = 0, uint64_t proof_size = 0) {
    return Op(0x0a, Cat({Le64(ref_time), Le64(proof_size), Le128(value), code,
                         Le32(uint32_t(salt.size())), salt, input}));
  }
  Program& SetCodeHash(const CodeHash& code) { return Op(0x0b, code); }
  Program& Terminate(const AccountId& beneficiary) { return Op(0x0c, beneficiary); }
  Program& Transfer(const AccountId& dest, Balance value) {
    return Op(0x0d, Cat({dest, Le128(value)}));
  }
  // deposit_event with these SCALE topics and the data "ev".
  Program& EmitEvent(ByteView topics = Bytes{0}) { return Op(0x0e, topics); }
  Program& Input() { return Op(0x0f, {}); }
  Program& ValueTransferred() { return Op(0x10, {}); }
  Program& Caller() { return Op(0x11, {}); }
  Program& Address() { return Op(0x12, {}); }
  Program& OwnBalance() { return Op(0x13, {}); }
  Program& Spin(uint32_t times) { return Op(0x14, Le32(times)); }
  // seal1.call with out_ptr = SENTINEL: appends only the code.
  Program& CallSkippingOutput(const AccountId& callee, ByteView input, uint32_t flags = 0) {
    return Op(0x15, Cat({Le32(flags), Le64(0), Le128(0), callee, input}));
  }
  // seal0.instantiate, the legacy form ink! 3 imports.
  Program& InstantiateV0(const CodeHash& code, ByteView input, ByteView salt, Balance value = 0,
                         uint64_t gas = 0) {
    return Op(0x16, Cat({Le64(gas), Le128(value), code, Le32(uint32_t(salt.size())), salt, input}));
  }

  const Bytes& bytes() const { return bytes_; }
  operator ByteView() const { return bytes_; }

 private:
  Program& Op(uint8_t op, ByteView arg) {
    bytes_.push_back(op);
    Bytes len = Le32(uint32_t(arg.size()));
    bytes_.insert(bytes_.end(), len.begin(), len.end());
    bytes_.insert(bytes_.end(), arg.begin(), arg.end());
    return *this;
  }
  Bytes bytes_;
};

// What a call op appended: the return code and the callee's output (written for codes 0 and 2).
struct CallOutcome {
  uint32_t code = 0xdead;
  Bytes output;
};
// What an instantiate op appended: the code, the address if the host wrote it, and the output.
struct NewOutcome {
  uint32_t code = 0xdead;
  std::optional<AccountId> address;
  Bytes output;
};

// Reads a script contract's output, op by op.
class Output {
 public:
  explicit Output(ByteView data) : data_(data.begin(), data.end()) {}
  explicit Output(const ExecResult& r) : data_(r.result.has_value() ? r.result->data : Bytes{}) {}

  Bytes Take(size_t n) {
    EXPECT_LE(at_ + n, data_.size()) << "the output ends at " << data_.size();
    n = std::min(n, data_.size() - std::min(at_, data_.size()));
    Bytes out(data_.begin() + at_, data_.begin() + at_ + n);
    at_ += n;
    return out;
  }
  uint32_t U32() { return ReadLe32(Take(4)); }
  CallOutcome Call() {
    CallOutcome out;
    out.code = U32();
    out.output = Take(U32());
    return out;
  }
  NewOutcome New() {
    NewOutcome out;
    out.code = U32();
    uint32_t address_len = U32();
    Bytes address = Take(32);
    if (address_len == 32) {
      out.address.emplace();
      std::copy(address.begin(), address.end(), out.address->begin());
    } else {
      EXPECT_EQ(address_len, 33u) << "the host wrote an address of " << address_len << " bytes";
    }
    out.output = Take(U32());
    return out;
  }
  bool done() const { return at_ >= data_.size(); }
  size_t remaining() const { return data_.size() - std::min(at_, data_.size()); }

 private:
  Bytes data_;
  size_t at_ = 0;
};

}  // namespace phat::contracts::testing
