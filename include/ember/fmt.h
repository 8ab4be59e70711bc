#pragma once
// fmt support: fmt::format("{}", tensor) prints exactly what operator<< prints.
#include <fmt/core.h>

#include <algorithm>
#include <string>

#include "ember/tensor.h"

namespace ember {
/// The text operator<< writes for t.
std::string to_string(const Tensor& t);
}  // namespace ember

// Writes the text itself rather than deriving from formatter<string_view>, whose format()
// is defined only in <fmt/format.h>: with <fmt/core.h> alone that did not link.
template <>
struct fmt::formatter<ember::Tensor> {
  constexpr auto parse(fmt::format_parse_context& ctx) -> decltype(ctx.begin()) { return ctx.begin(); }
  template <class Ctx>
  auto format(const ember::Tensor& t, Ctx& ctx) const -> decltype(ctx.out()) {
    const std::string s = ember::to_string(t);
    return std::copy(s.begin(), s.end(), ctx.out());
  }
};
