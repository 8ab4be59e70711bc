// Random factories on the default Philox generator (backends/backend.h): rand, randn,
// randint, bernoulli, randperm, and manual_seed.
#include <numeric>

#include "src/core/internal.h"

namespace ember {
namespace {

using Dist = backend::Backend::Distribution;

Tensor sample(IntArrayRef size, const TensorOptions& o, Dist d, double a, double b) {
  Tensor t = detail::make_tensor(size, o.dtype(), o.device());
  detail::backend_of(t)->random(d, detail::arg(t), a, b, backend::default_generator());
  if (o.requires_grad()) t.requires_grad_(true);
  return t;
}

TensorOptions like(const Tensor& self, const TensorOptions& o) {
  TensorOptions r = o;
  if (!r.has_dtype()) r = r.dtype(self.dtype());
  if (!r.has_device()) r = r.device(self.device());
  return r;
}

void check_float(const TensorOptions& o, const char* op) {
  EMBER_CHECK(isFloatingType(o.dtype()), DTypeError, op, "expected a floating point dtype, got ", o.dtype());
}

}  // namespace

void manual_seed(uint64_t seed) { backend::default_generator().manual_seed(seed); }

Tensor rand(IntArrayRef size, const TensorOptions& o) {
  check_float(o, "rand");
  return sample(size, o, Dist::Uniform, 0.0, 1.0);
}
Tensor randn(IntArrayRef size, const TensorOptions& o) {
  check_float(o, "randn");
  return sample(size, o, Dist::Normal, 0.0, 1.0);
}
Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& o) { return randint(0, high, size, o); }
Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& o) {
  EMBER_CHECK(low < high, Error, "randint", "random_ expects 'from' to be less than 'to', but got from=",
              low, " >= to=", high);
  // The kernel interface carries the bounds as doubles: near +-2^63 two distinct bounds can
  // round to one value, which would leave an empty range.
  EMBER_CHECK(static_cast<double>(low) < static_cast<double>(high), NotImplementedError, "randint",
              "bounds from=", low, " and to=", high, " are too close together for their magnitude");
  TensorOptions r = o.has_dtype() ? o : o.dtype(kLong);
  return sample(size, r, Dist::Integer, static_cast<double>(low), static_cast<double>(high));
}
Tensor rand_like(const Tensor& self, const TensorOptions& o) { return rand(self.sizes(), like(self, o)); }
Tensor randn_like(const Tensor& self, const TensorOptions& o) { return randn(self.sizes(), like(self, o)); }
Tensor randint_like(const Tensor& self, int64_t high, const TensorOptions& o) {
  return randint(0, high, self.sizes(), like(self, o));
}
Tensor randint_like(const Tensor& self, int64_t low, int64_t high, const TensorOptions& o) {
  return randint(low, high, self.sizes(), like(self, o));
}

Tensor bernoulli(const Tensor& self) {
  detail::check_defined(self, "bernoulli");
  EMBER_CHECK(self.is_floating_point(), DTypeError, "bernoulli",
              "expected probabilities of a floating point dtype, got ", self.dtype());
  Tensor p = self.contiguous();
  Tensor out = detail::make_tensor(self.sizes(), self.dtype(), self.device());
  detail::backend_of(out)->bernoulli_tensor(detail::arg(p), detail::arg(out), backend::default_generator());
  return out;
}

Tensor bernoulli(const Tensor& self, double p) {
  detail::check_defined(self, "bernoulli");
  EMBER_CHECK(p >= 0 && p <= 1, Error, "bernoulli", "bernoulli expects p to be in [0, 1], but got p=", p);
  return sample(self.sizes(), TensorOptions().dtype(self.dtype()).device(self.device()), Dist::Bernoulli, p, 0);
}

Tensor randperm(int64_t n, const TensorOptions& o) {
  EMBER_CHECK(n >= 0, Error, "randperm", "n must be non-negative, got ", n);
  TensorOptions r = o.has_dtype() ? o : o.dtype(kLong);
  // Fisher-Yates driven by one batch of generator integers.
  Tensor keys = randint(0, std::numeric_limits<int64_t>::max(), {n}, TensorOptions().dtype(kLong));
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  const int64_t* k = keys.data_ptr<int64_t>();
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(k[i] % (i + 1))]);
  return tensor(perm).to(r);
}

}  // namespace ember
