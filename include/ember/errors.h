#pragma once
// Errors raised by ember. Every user-facing failure is an ember::Error (or a subclass)
// whose message starts with the operation in brackets, e.g. "[ember::mm] ...".
#include <sstream>
#include <stdexcept>
#include <string>

namespace ember {

/// Base of every exception ember throws for bad input or misuse.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// Shapes that do not fit the operation (broadcasting, matmul, views).
class ShapeError : public Error { public: using Error::Error; };
/// A dtype the operation does not accept, or a mismatch between dtypes.
class DTypeError : public Error { public: using Error::Error; };
/// Tensors on different devices, or a device that is not available.
class DeviceError : public Error { public: using Error::Error; };
/// An index or dimension out of range.
class IndexError : public Error { public: using Error::Error; };
/// A feature or kernel that this build does not provide.
class NotImplementedError : public Error { public: using Error::Error; };

namespace detail {
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}
template <class E, class... Parts>
[[noreturn]] void throw_error(const char* op, const Parts&... parts) {
  throw E(concat("[ember::", op, "] ", parts...));
}
[[noreturn]] void internal_assert_fail(const char* cond, const char* file, int line,
                                       const std::string& msg);
}  // namespace detail
}  // namespace ember

/// Throws `ErrorType` with "[ember::op] parts..." when `cond` is false.
#define EMBER_CHECK(cond, ErrorType, op, ...)                        \
  do {                                                               \
    if (!(cond)) [[unlikely]]                                        \
      ::ember::detail::throw_error<ErrorType>(op, __VA_ARGS__);      \
  } while (0)

/// Internal invariant: a failure is a bug in ember, not in the caller.
#define EMBER_ASSERT(cond, ...)                                                   \
  do {                                                                            \
    if (!(cond)) [[unlikely]]                                                     \
      ::ember::detail::internal_assert_fail(#cond, __FILE__, __LINE__,            \
                                            ::ember::detail::concat("" __VA_ARGS__)); \
  } while (0)
