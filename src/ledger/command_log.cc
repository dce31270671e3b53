#include "phat/ledger/command_log.h"

#include <fmt/format.h>

namespace phat::ledger {

std::string_view KindName(LogError::Kind kind) {
  switch (kind) {
    case LogError::Kind::Io:
      return "I/O error";
    case LogError::Kind::Corrupt:
      return "corrupt";
    case LogError::Kind::TooLarge:
      return "too large";
    case LogError::Kind::Closed:
      return "closed";
  }
  return "?";
}

std::string LogError::ToString() const {
  return fmt::format("log {}: {}", KindName(kind), message);
}

}  // namespace phat::ledger
