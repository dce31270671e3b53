// ink! 5 events (ABI.md §5). An event is a struct declared with PHAT_EVENT (or
// PHAT_ANONYMOUS_EVENT); fields wrapped in Topic<T> are indexed:
//
//   struct Transfer {
//     Topic<Option<AccountId>> from;
//     Topic<Option<AccountId>> to;
//     Balance value;
//     PHAT_EVENT(Transfer, from, to, value);
//   };
//   env::Emit(Transfer{.from = None, .to = Some(caller), .value = supply});
//
// Data = SCALE of all fields. Topic 0 = blake2b-256 of the signature "Transfer(Option<AccountId>,
// Option<AccountId>,Balance)", computed at compile time, and left out for anonymous events. Each
// Topic field gives one topic: its SCALE zero-padded to 32 bytes, or blake2b-256 of it if longer
// (hashed by the host, as ink! does); an Option field gives its value's topic when Some and 32
// zero bytes when None.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/env.h"
#include "phat/sdk/hash.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/scale.h"

#define PHAT_EVENT(Type, ...)    \
  PHAT_FIELDS(Type, __VA_ARGS__) \
  static constexpr bool kPhatAnonymous = false
#define PHAT_ANONYMOUS_EVENT(Type, ...) \
  PHAT_FIELDS(Type, __VA_ARGS__)        \
  static constexpr bool kPhatAnonymous = true

namespace phat::sdk {

template <class E>
concept EventType = FieldStruct<E> && requires { E::kPhatAnonymous; };

// pallet-contracts' default limit, also the metadata's maxEventTopics.
inline constexpr u32 kMaxEventTopics = 4;

template <class T>
struct IsTopicT {
  static constexpr bool kValue = false;
};
template <class T>
struct IsTopicT<Topic<T>> {
  static constexpr bool kValue = true;
};
template <class T>
inline constexpr bool kIsTopic = IsTopicT<T>::kValue;

// "Name(Ty1,Ty2,…)".
template <EventType E>
constexpr ConstString<512> EventSignature() {
  ConstString<512> out;
  out.Append(E::kPhatName).Append("(");
  E event{};
  bool first = true;
  E::PhatVisitFields(event, [&](const char*, auto& field, auto) {
    if (!first) out.Append(",");
    first = false;
    AppendTypeName<Decay<decltype(field)>>(out);
  });
  out.Append(")");
  return out;
}

template <EventType E>
constexpr Array<u8, 32> EventSignatureTopic() {
  constexpr ConstString<512> signature = EventSignature<E>();
  return Blake2b256(signature.data, signature.size);
}

template <EventType E>
constexpr u32 EventTopicCount() {
  u32 n = E::kPhatAnonymous ? 0 : 1;
  E event{};
  E::PhatVisitFields(event, [&](const char*, auto& field, auto) {
    if (kIsTopic<Decay<decltype(field)>>) ++n;
  });
  return n;
}

namespace event_internal {
// Writes the 32-byte topic of `value` at `out`.
template <class T>
void TopicOf(const T& value, u8* out) {
  if constexpr (kIsOption<T>) {
    if (!value.has_value()) {
      for (int i = 0; i < 32; ++i) out[i] = 0;
      return;
    }
    TopicOf(*value, out);
  } else {
    u8* scratch = StaticBuffer();
    Writer w(scratch, kStaticBufferSize);
    Encode(w, value);
    if (w.overflowed()) Trap();
    if (w.size() <= 32) {
      for (size_t i = 0; i < 32; ++i) out[i] = i < w.size() ? scratch[i] : 0;
    } else {
      host::phat_seal0_hash_blake2_256(scratch, static_cast<u32>(w.size()), out);
    }
  }
}
}  // namespace event_internal

namespace env {
template <EventType E>
void Emit(const E& event) {
  constexpr u32 kTopics = EventTopicCount<E>();
  static_assert(kTopics <= kMaxEventTopics, "an event has at most 4 topics");
  u8 topics[1 + 32 * kMaxEventTopics];
  topics[0] = static_cast<u8>(kTopics << 2);  // compact(n) for n < 64
  u8* next = topics + 1;
  if constexpr (!E::kPhatAnonymous) {
    constexpr Array<u8, 32> kSignature = EventSignatureTopic<E>();
    CopyBytes(next, kSignature.data(), 32);
    next += 32;
  }
  E::PhatVisitFields(event, [&](const char*, const auto& field, auto) {
    if constexpr (kIsTopic<Decay<decltype(field)>>) {
      event_internal::TopicOf(field.value, next);
      next += 32;
    }
  });
  u32 len = internal::EncodeToStatic([&](Writer& w) { Encode(w, event); });
  host::phat_seal0_deposit_event(topics, 1 + 32 * kTopics, StaticBuffer(), len);
}
}  // namespace env

}  // namespace phat::sdk
