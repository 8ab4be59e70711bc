#pragma once
// fmt support: fmt::format("{}", tensor) prints exactly what operator<< prints.
#include <fmt/format.h>  // formatter<string_view>::format is defined here, not in core.h

#include <string>

#include "ember/tensor.h"

namespace ember {
/// The text operator<< writes for t.
std::string to_string(const Tensor& t);
}  // namespace ember

template <>
struct fmt::formatter<ember::Tensor> : fmt::formatter<fmt::string_view> {
  template <class Ctx>
  auto format(const ember::Tensor& t, Ctx& ctx) const {
    const std::string s = ember::to_string(t);
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s), ctx);
  }
};
