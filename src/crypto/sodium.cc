#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "sodium_once.h"

namespace phat::crypto {

void EnsureSodium() {
  // A function-local static is initialised exactly once even under concurrent first calls.
  // sodium_init fails only when it cannot open the system's random source: carrying on would
  // make keys and signing nonces predictable, so stop.
  [[maybe_unused]] static const bool initialised = [] {
    if (sodium_init() < 0) {
      std::fputs("phat: libsodium failed to initialise (no system random source?)\n", stderr);
      std::abort();
    }
    return true;
  }();
}

}  // namespace phat::crypto
