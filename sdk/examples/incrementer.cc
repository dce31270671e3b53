// Incrementer: an i32 in the root struct, plus what each caller added (a Mapping) and how many
// increments there were (a Lazy under a key of its own choosing). Shows a fallible constructor
// and a payable message too.
#include <phat/sdk.h>

using namespace phat::sdk;

PHAT_ENUM(Error, NegativeStart);

struct Incrementer {
  i32 value = 0;
  Mapping<AccountId, i32> by_caller;
  Lazy<u32, ManualKey<0xc0ffee>> increments;
  PHAT_FIELDS(Incrementer, value, by_caller, increments);

  void New(i32 init_value) { value = init_value; }
  void NewDefault() { New(0); }
  Result<void, Error> TryNew(i32 init_value) {
    if (init_value < 0) return Err(Error::NegativeStart);
    New(init_value);
    return Ok();
  }

  void Inc(i32 by) {
    value += by;
    AccountId caller = env::Caller();
    by_caller.Insert(caller, by_caller.Get(caller).value_or(0) + by);
    increments.Set(increments.Get().value_or(0) + 1);
    env::DebugMessage("incremented\n");  // shows up in `phat logs`
  }
  i32 Get() const { return value; }
  i32 GetMine() const { return by_caller.Get(env::Caller()).value_or(0); }
  u32 Increments() const { return increments.Get().value_or(0); }
  // Accepts value, to show a payable message; what was paid stays with the contract.
  Balance Donate() const { return env::ValueTransferred(); }
};

// clang-format off: one item per line
PHAT_CONTRACT(Incrementer,
              Constructor<&Incrementer::New>("new").Args("init_value"),
              Constructor<&Incrementer::NewDefault>("new_default").Default(),
              Constructor<&Incrementer::TryNew>("try_new").Args("init_value"),
              Message<&Incrementer::Inc>("inc").Args("by"),
              Message<&Incrementer::Get>("get"),
              Message<&Incrementer::GetMine>("get_mine"),
              Message<&Incrementer::Increments>("increments"),
              Message<&Incrementer::Donate>("donate").Payable());
// clang-format on
