// FlipCaller: instantiates a flipper from its uploaded code and calls it — a contract that uses
// other contracts (env::Instantiate, env::CallContract).
#include <phat/sdk.h>

using namespace phat::sdk;

PHAT_ENUM(Error, InstantiateFailed, CallFailed);

struct FlipCaller {
  AccountId flipper;
  PHAT_FIELDS(FlipCaller, flipper);

  // Instantiates the flipper code `flipper_code` with new(init_value); the salt is this
  // contract's own address, so that each FlipCaller gets a flipper of its own.
  Result<void, Error> New(Hash flipper_code, bool init_value) {
    Bytes salt = EncodeToBytes(env::Address());
    Result<AccountId, EnvError> created =
        env::Instantiate(flipper_code, SelectorOf("new"), salt, init_value);
    if (created.is_err()) return Err(Error::InstantiateFailed);
    flipper = created.value();
    return Ok();
  }

  Result<void, Error> Flip() const {
    if (env::CallContract<Unit>(flipper, SelectorOf("flip")).is_err()) {
      return Err(Error::CallFailed);
    }
    return Ok();
  }
  Result<bool, Error> Get() const {
    Result<bool, EnvError> value = env::CallContract<bool>(flipper, SelectorOf("get"));
    if (value.is_err()) return Err(Error::CallFailed);
    return Ok(value.value());
  }
  AccountId Flipper() const { return flipper; }
};

// clang-format off: one item per line
PHAT_CONTRACT(FlipCaller,
              Constructor<&FlipCaller::New>("new").Args("flipper_code", "init_value"),
              Message<&FlipCaller::Flip>("flip"),
              Message<&FlipCaller::Get>("get"),
              Message<&FlipCaller::Flipper>("flipper"));
// clang-format on
