// Flipper: one bool in storage, flipped by a message. ink!'s flipper example, in C++: same
// selectors, same storage, same answers (shared/ink-vectors/flipper_v5.trace.json).
#include <phat/sdk.h>

using namespace phat::sdk;

struct Flipper {
  bool value = false;
  PHAT_FIELDS(Flipper, value);

  void New(bool init_value) { value = init_value; }
  void NewDefault() { New(false); }
  void Flip() { value = !value; }
  bool Get() const { return value; }
};

PHAT_CONTRACT(
    Flipper,
    Constructor<&Flipper::New>("new")
        .Args("init_value")
        .Docs("Creates a new flipper smart contract initialized with the given value."),
    Constructor<&Flipper::NewDefault>("new_default")
        .Docs("Creates a new flipper smart contract initialized to `false`."),
    Message<&Flipper::Flip>("flip").Docs("Flips the current value of the Flipper's boolean."),
    Message<&Flipper::Get>("get").Docs("Returns the current value of the Flipper's boolean."));
