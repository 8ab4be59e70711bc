#pragma once
// EMBER_ARG: a named option with a chainable setter and a getter, as libtorch's TORCH_ARG
// (`SGDOptions(0.1).momentum(0.9)`; `options.momentum()` reads it back).
#include <utility>

#ifndef EMBER_ARG
/// Declares member `name_` of type T with setter `name(value)` returning *this and getter `name()`.
#define EMBER_ARG(T, name)                                         \
 public:                                                           \
  inline auto name(const T& new_##name) -> decltype(*this) {       \
    this->name##_ = new_##name;                                    \
    return *this;                                                  \
  }                                                                \
  inline auto name(T&& new_##name) -> decltype(*this) {            \
    this->name##_ = std::move(new_##name);                         \
    return *this;                                                  \
  }                                                                \
  inline const T& name() const noexcept { return this->name##_; }  \
  inline T& name() noexcept { return this->name##_; }              \
                                                                   \
 private:                                                          \
  T name##_
#endif
