// Errors as values for all of phat: std::expected and a TRY macro that returns the error early.
// Header-only; no state.
#pragma once

#include <expected>
#include <utility>

namespace phat {

template <typename T, typename E>
using Expected = std::expected<T, E>;
using std::unexpected;

}  // namespace phat

// Evaluates an expression yielding std::expected<T, E>; on error returns it from the enclosing
// function, otherwise yields the value. A GNU statement expression, as clang and g++ support.
#define PHAT_TRY(expr)                                         \
  ({                                                           \
    auto&& phat_try_result_ = (expr);                          \
    if (!phat_try_result_) [[unlikely]]                        \
      return ::phat::unexpected(std::move(phat_try_result_).error()); \
    std::move(phat_try_result_).value();                       \
  })

// The same for std::expected<void, E>.
#define PHAT_TRY_VOID(expr)                                    \
  do {                                                         \
    auto&& phat_try_result_ = (expr);                          \
    if (!phat_try_result_) [[unlikely]]                        \
      return ::phat::unexpected(std::move(phat_try_result_).error()); \
  } while (0)
