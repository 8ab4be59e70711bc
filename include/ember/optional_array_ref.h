#pragma once
// OptionalIntArrayRef: an optional list of dims, libtorch's at::OptionalIntArrayRef. Ops
// such as var/std take it so that `t.var({0, 1}, false, true)`, `t.var(dims)` and
// `var(t, std::nullopt, correction)` all read as they do with libtorch.
#include <initializer_list>
#include <optional>
#include <type_traits>
#include <vector>

#include "ember/array_ref.h"

namespace ember {

/// An IntArrayRef or nothing (std::nullopt); like IntArrayRef it does not own the dims.
class OptionalIntArrayRef {
 public:
  constexpr OptionalIntArrayRef() noexcept = default;
  constexpr OptionalIntArrayRef(std::nullopt_t) noexcept {}
  OptionalIntArrayRef(const std::optional<IntArrayRef>& o) noexcept
      : dims_(o.value_or(IntArrayRef())), has_(o.has_value()) {}
  /// One dim.
  OptionalIntArrayRef(const int64_t& dim) noexcept : dims_(dim), has_(true) {}
  /// A braced list of dims, e.g. {0, 1}.
  /// (The list's array lives until the end of the caller's full expression, which is as
  /// long as any IntArrayRef argument lives.)
  OptionalIntArrayRef(const std::initializer_list<int64_t>& dims) noexcept
      : dims_(dims.begin(), dims.size()), has_(true) {}
  /// Anything that converts to IntArrayRef (IntArrayRef, std::vector, DimVector), but not
  /// a single number (that is the int64_t constructor's job).
  template <class U, std::enable_if_t<!std::is_same_v<std::decay_t<U>, OptionalIntArrayRef> &&
                                          std::is_convertible_v<U&&, IntArrayRef> &&
                                          !std::is_convertible_v<U&&, int64_t>,
                                      int> = 0>
  OptionalIntArrayRef(U&& dims) noexcept : dims_(IntArrayRef(dims)), has_(true) {}

  bool has_value() const noexcept { return has_; }
  explicit operator bool() const noexcept { return has_; }
  /// The dims; an empty list when there are none.
  IntArrayRef value_or_empty() const noexcept { return dims_; }
  IntArrayRef operator*() const noexcept { return dims_; }
  const IntArrayRef* operator->() const noexcept { return &dims_; }

 private:
  IntArrayRef dims_;
  bool has_ = false;
};

}  // namespace ember
