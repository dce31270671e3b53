// libsodium must be initialised once before any other call (it picks CPU-specific code and
// seeds its random generator there). Every phat::crypto function that uses libsodium calls
// EnsureSodium() first. Thread-safe.
#pragma once

namespace phat::crypto {

void EnsureSodium();

}  // namespace phat::crypto
