// Constructors, messages and the dispatch of `deploy` and `call`, exactly as ink! dispatches
// (ABI.md §3). A contract is a struct (its storage, PHAT_FIELDS) whose member functions are
// its constructors and messages, declared once with PHAT_CONTRACT:
//
//   PHAT_CONTRACT(Flipper,
//       Constructor<&Flipper::New>("new").Args("init_value"),
//       Constructor<&Flipper::NewDefault>("new_default"),
//       Message<&Flipper::Flip>("flip"),
//       Message<&Flipper::Get>("get"));
//
// - A constructor is a member function returning void or Result<void, E>; it starts from a
//   default-constructed struct whose Lazy/Mapping fields already have their keys.
// - A message is a member function; a const one does not write the root struct back (ink!'s
//   `&self`), a non-const one does (`&mut self`). If it returns a Result that is Err, the call
//   reverts and nothing is written back.
// - The selector is blake2b-256(label)[0..4], computed at compile time, unless WithSelector gives
//   one. Args names the parameters (for metadata; their count is checked). Payable lets the
//   call carry value; otherwise value > 0 traps. Docs and Default only feed the metadata.
// - Event<E>() lists an event the contract emits (for metadata).
//
// In the wasm32 build PHAT_CONTRACT defines the exported `deploy` and `call`; with
// PHAT_SDK_METADATA it defines `main`, which prints the ink! v5 metadata (metadata.h).
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/env.h"
#include "phat/sdk/event.h"
#include "phat/sdk/hash.h"
#include "phat/sdk/scale.h"
#include "phat/sdk/storage.h"
#include "phat/sdk/types.h"

namespace phat::sdk {

// What a member function pointer says about its function.
template <class F>
struct MemberFunction;
template <class C, class R, class... Args>
struct MemberFunction<R (C::*)(Args...)> {
  using Class = C;
  using Return = R;
  using ArgsTuple = Tuple<Decay<Args>...>;
  template <size_t kI>
  using Arg = Decay<NthType<kI, Args..., void>>;
  static constexpr size_t kArity = sizeof...(Args);
  static constexpr bool kConst = false;
};
template <class C, class R, class... Args>
struct MemberFunction<R (C::*)(Args...) const> : MemberFunction<R (C::*)(Args...)> {
  static constexpr bool kConst = true;
};

template <class T>
inline constexpr bool kIsUnitResult = false;
template <class E>
inline constexpr bool kIsUnitResult<Result<void, E>> = true;

enum class ItemKind { kConstructor, kMessage, kEvent };

// The fields a constructor and a message share, with their builder methods.
template <auto kFn, class Self>
struct Callable {
  using Fn = MemberFunction<decltype(kFn)>;
  static constexpr auto kFunction = kFn;
  const char* label;
  Selector selector;
  bool payable = false;
  bool is_default = false;
  const char* docs = "";
  const char* arg_names[Fn::kArity + 1] = {};

  constexpr explicit Callable(const char* l) : label(l), selector(Selector::FromLabel(l)) {}

  template <class... Names>
  constexpr Self Args(Names... names) const {
    static_assert(sizeof...(Names) == Fn::kArity,
                  "Args names every parameter of the function, in order");
    Self copy = static_cast<const Self&>(*this);
    const char* list[] = {names..., nullptr};
    for (size_t i = 0; i < Fn::kArity; ++i) copy.arg_names[i] = list[i];
    return copy;
  }
  constexpr Self Payable() const {
    Self copy = static_cast<const Self&>(*this);
    copy.payable = true;
    return copy;
  }
  constexpr Self Default() const {
    Self copy = static_cast<const Self&>(*this);
    copy.is_default = true;
    return copy;
  }
  constexpr Self WithSelector(u32 value) const {
    Self copy = static_cast<const Self&>(*this);
    copy.selector = Selector::FromU32(value);
    return copy;
  }
  constexpr Self Docs(const char* text) const {
    Self copy = static_cast<const Self&>(*this);
    copy.docs = text;
    return copy;
  }
};

template <auto kFn>
struct Constructor : Callable<kFn, Constructor<kFn>> {
  static constexpr ItemKind kKind = ItemKind::kConstructor;
  using Fn = MemberFunction<decltype(kFn)>;
  static_assert(kIsSame<typename Fn::Return, void> || kIsUnitResult<typename Fn::Return>,
                "a constructor returns void or Result<void, E>");
  using Callable<kFn, Constructor<kFn>>::Callable;
};

template <auto kFn>
struct Message : Callable<kFn, Message<kFn>> {
  static constexpr ItemKind kKind = ItemKind::kMessage;
  using Fn = MemberFunction<decltype(kFn)>;
  static constexpr bool kMutates = !MemberFunction<decltype(kFn)>::kConst;
  using Callable<kFn, Message<kFn>>::Callable;
};

template <class E>
struct EventItem {
  static_assert(EventType<E>, "Event<E>: E is declared with PHAT_EVENT");
  static constexpr ItemKind kKind = ItemKind::kEvent;
  using Type = E;
};
template <class E>
constexpr EventItem<E> Event() {
  return {};
}

template <class C, class... Items>
struct ContractSpec {
  using Contract = C;
  static constexpr size_t kItems = sizeof...(Items);
  template <size_t kI>
  using Item = NthType<kI, Items...>;
  Tuple<Items...> items;

  template <size_t kI>
  constexpr const Item<kI>& Get() const {
    return sdk::Get<kI>(items);
  }
  // Whether any constructor (or message) accepts value: if none does, ink! refuses value before
  // it even reads the input.
  constexpr bool AnyPayable(ItemKind kind) const {
    return AnyPayableFrom(kind, MakeIndexSequence<kItems>{});
  }

 private:
  template <size_t... kIs>
  constexpr bool AnyPayableFrom(ItemKind kind, IndexSequence<kIs...>) const {
    bool any = false;
    ((any = any || PayableIf(Get<kIs>(), kind)), ...);
    return any;
  }
  template <class I>
  static constexpr bool PayableIf(const I& item, ItemKind kind) {
    if constexpr (I::kKind == ItemKind::kEvent) {
      return false;
    } else {
      return I::kKind == kind && item.payable;
    }
  }
};

template <class C, class... Items>
constexpr ContractSpec<C, Items...> MakeContract(Items... items) {
  static_assert(FieldStruct<C>, "the contract struct is declared with PHAT_FIELDS");
  return ContractSpec<C, Items...>{Tuple<Items...>(items...)};
}

namespace dispatch {

[[noreturn]] inline void CouldNotReadInput() {
  // Err(LangError::CouldNotReadInput): the LangError variant's index is 1.
  Result<Unit, u8> error = Err(u8{1});
  env::Return(kRevert, error);
}

inline void DenyPayment() {
  if (env::ValueTransferred() != 0) Trap();  // ink!: "paid an unpayable message"
}

// Reads the call's input into the static buffer.
inline Reader ReadInput() {
  u32 len = kStaticBufferSize;
  host::phat_seal0_input(StaticBuffer(), &len);
  return Reader(StaticBuffer(), len);
}

template <auto kFn, class C, size_t... kIs>
decltype(auto) Apply(C& contract, typename MemberFunction<decltype(kFn)>::ArgsTuple& args,
                     IndexSequence<kIs...>) {
  return (contract.*kFn)(Move(Get<kIs>(args))...);
}

template <const auto& kSpec, size_t kI>
[[noreturn]] void RunConstructor(Reader& input) {
  using Item = typename Decay<decltype(kSpec)>::template Item<kI>;
  using Fn = typename Item::Fn;
  using C = typename Decay<decltype(kSpec)>::Contract;
  typename Fn::ArgsTuple args;
  Decode(input, args);
  if (input.failed()) CouldNotReadInput();
  if constexpr (kSpec.AnyPayable(ItemKind::kConstructor) && !kSpec.template Get<kI>().payable) {
    DenyPayment();
  }
  C contract{};
  BindStorageKeys(contract);
  auto seq = MakeIndexSequence<Fn::kArity>{};
  if constexpr (kIsSame<typename Fn::Return, void>) {
    Apply<Item::kFunction>(contract, args, seq);
    StoreRoot(contract);
    env::Return(0, Result<Result<Unit, Unit>, u8>(Ok(Result<Unit, Unit>(Ok()))));
  } else {
    auto result = Apply<Item::kFunction>(contract, args, seq);
    using R = Decay<decltype(result)>;
    if (result.is_err()) env::Return(kRevert, Result<R, u8>(Ok(result)));
    StoreRoot(contract);
    env::Return(0, Result<R, u8>(Ok(result)));
  }
}

template <const auto& kSpec, size_t kI>
[[noreturn]] void RunMessage(Reader& input) {
  using Item = typename Decay<decltype(kSpec)>::template Item<kI>;
  using Fn = typename Item::Fn;
  using C = typename Decay<decltype(kSpec)>::Contract;
  typename Fn::ArgsTuple args;
  Decode(input, args);
  if (input.failed()) CouldNotReadInput();
  if constexpr (kSpec.AnyPayable(ItemKind::kMessage) && !kSpec.template Get<kI>().payable) {
    DenyPayment();
  }
  C contract{};
  LoadRoot(contract);
  auto seq = MakeIndexSequence<Fn::kArity>{};
  if constexpr (kIsSame<typename Fn::Return, void>) {
    Apply<Item::kFunction>(contract, args, seq);
    if constexpr (Item::kMutates) StoreRoot(contract);
    env::Return(0, Result<Unit, u8>(Ok()));
  } else {
    using R = Decay<typename Fn::Return>;
    R result = Apply<Item::kFunction>(contract, args, seq);
    if constexpr (kIsResult<R>) {
      if (result.is_err()) env::Return(kRevert, Result<R, u8>(Ok(result)));
    }
    if constexpr (Item::kMutates) StoreRoot(contract);
    env::Return(0, Result<R, u8>(Ok(result)));
  }
}

// Tries item kI and on: runs the one of `kind` whose selector matches.
template <const auto& kSpec, ItemKind kKind, size_t kI = 0>
[[noreturn]] void Select(u32 selector, Reader& input) {
  if constexpr (kI == Decay<decltype(kSpec)>::kItems) {
    CouldNotReadInput();
  } else {
    using Item = typename Decay<decltype(kSpec)>::template Item<kI>;
    if constexpr (Item::kKind == kKind) {
      constexpr u32 kSelector = kSpec.template Get<kI>().selector.ToU32();
      if (selector == kSelector) {
        if constexpr (kKind == ItemKind::kConstructor) {
          RunConstructor<kSpec, kI>(input);
        } else {
          RunMessage<kSpec, kI>(input);
        }
      }
    }
    Select<kSpec, kKind, kI + 1>(selector, input);
  }
}

template <const auto& kSpec, ItemKind kKind>
[[noreturn]] void Entry() {
  if constexpr (!kSpec.AnyPayable(kKind)) DenyPayment();
  Reader input = ReadInput();
  u8 selector[4];
  if (!input.Take(selector, 4)) CouldNotReadInput();
  Select<kSpec, kKind>(Selector{{selector[0], selector[1], selector[2], selector[3]}}.ToU32(),
                       input);
}

}  // namespace dispatch
}  // namespace phat::sdk

#ifdef PHAT_SDK_METADATA
#define PHAT_SDK_ENTRY_POINTS(spec)                       \
  int main(int argc, char** argv) {                       \
    return ::phat::sdk::metadata::Main<spec>(argc, argv); \
  }
#else
#define PHAT_SDK_ENTRY_POINTS(spec)                                            \
  extern "C" void deploy() {                                                   \
    ::phat::sdk::dispatch::Entry<spec, ::phat::sdk::ItemKind::kConstructor>(); \
  }                                                                            \
  extern "C" void call() {                                                     \
    ::phat::sdk::dispatch::Entry<spec, ::phat::sdk::ItemKind::kMessage>();     \
  }
#endif

// At global scope, after the contract struct: its constructors, messages and events.
#define PHAT_CONTRACT(Type, ...)                      \
  inline constexpr auto phat_sdk_contract_spec = [] { \
    using namespace ::phat::sdk;                      \
    return MakeContract<Type>(__VA_ARGS__);           \
  }();                                                \
  PHAT_SDK_ENTRY_POINTS(phat_sdk_contract_spec)
