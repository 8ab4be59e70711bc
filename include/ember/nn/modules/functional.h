#pragma once
// Functional: wraps a function as a module (torch::nn::Functional).
#include <functional>
#include <utility>

#include "ember/nn/cloneable.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

class FunctionalImpl : public Cloneable<FunctionalImpl> {
 public:
  using Function = std::function<Tensor(Tensor)>;
  /// Wraps fn; extra arguments are bound after the input: Functional(leaky_relu, 0.2).
  explicit FunctionalImpl(Function fn) : function_(std::move(fn)) {}
  template <class F, class A, class... As>
  explicit FunctionalImpl(F fn, A&& arg, As&&... args)
      : function_([fn, arg = std::forward<A>(arg), ... args = std::forward<As>(args)](Tensor x) {
          return fn(x, arg, args...);
        }) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input) { return function_(std::move(input)); }
  Tensor operator()(Tensor input) { return forward(std::move(input)); }

 private:
  Function function_;
};
EMBER_MODULE(Functional);

}  // namespace ember::nn
