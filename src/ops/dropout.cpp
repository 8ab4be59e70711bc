// Dropout variants on the default generator: masks drawn with bernoulli(1 - p), kept
// elements scaled by 1 / (1 - p); the feature variants draw one mask value per (N, C)
// plane; the alpha variants keep selu's mean and variance. Identity when !train or p == 0.
#include <cmath>

#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

// -selu's negative saturation value (scale * alpha).
constexpr double kAlpha = 1.7580993408473766;

struct Variant {
  const char* name;
  bool feature;
  bool alpha;
};

void check_args(const Tensor& input, double p, const Variant& v) {
  detail::check_defined(input, v.name, "input");
  EMBER_CHECK(p >= 0 && p <= 1, Error, v.name, "dropout probability has to be between 0 and 1, but got ", p);
  EMBER_CHECK(input.is_floating_point(), DTypeError, v.name, "expected a floating point input, got ", input.dtype());
  if (v.feature)
    EMBER_CHECK(input.dim() >= 2, ShapeError, v.name,
                "Feature dropout requires at least 2 dimensions in the input, got input of shape ", input.sizes());
}

bool is_identity(const Tensor& input, double p, bool train) { return p == 0 || !train || input.numel() == 0; }

// The multiplicative noise and (for alpha dropout) the additive term.
std::pair<Tensor, Tensor> make_noise(const Tensor& input, double p, const Variant& v) {
  NoGradGuard ng;
  std::vector<int64_t> shape = input.sizes().vec();
  if (v.feature)
    for (size_t d = 2; d < shape.size(); ++d) shape[d] = 1;
  Tensor keep = bernoulli(empty(shape, input.options()), 1 - p);
  if (!v.alpha) return {keep.div_(1 - p), Tensor()};
  const double a = 1.0 / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
  Tensor b = (keep - 1) * (kAlpha * a) + kAlpha * a * p;
  return {keep.mul_(a), b};
}

Tensor dropout_impl(const Tensor& input, double p, bool train, const Variant& v) {
  EMBER_PROFILE_OP("dropout", input);
  check_args(input, p, v);
  if (is_identity(input, p, train)) return input;
  if (p == 1) return input * zeros({}, input.options());
  auto [noise, add] = make_noise(input, p, v);
  Tensor out = input * noise;
  return add.defined() ? out + add : out;
}

Tensor& dropout_inplace(Tensor& self, double p, bool train, const Variant& v) {
  check_args(self, p, v);
  if (is_identity(self, p, train)) return self;
  Tensor noise, add;
  if (p == 1) noise = zeros({}, self.options());
  else std::tie(noise, add) = make_noise(self, p, v);
  // The recorded path multiplies a copy: the product's backward must not read self after
  // the write.
  return inplace(self, v.name, {}, [&] {
    Tensor out = self.clone() * noise;
    return add.defined() ? out + add : out;
  }, [&] {
    self.mul_(noise);
    if (add.defined()) self.add_(add);
  });
}

const Variant kDropout{"dropout", false, false};
const Variant kFeature{"feature_dropout", true, false};
const Variant kAlphaDropout{"alpha_dropout", false, true};
const Variant kFeatureAlpha{"feature_alpha_dropout", true, true};
const Variant kDropoutInplace{"dropout_", false, false};
const Variant kFeatureInplace{"feature_dropout_", true, false};
const Variant kAlphaInplace{"alpha_dropout_", false, true};
const Variant kFeatureAlphaInplace{"feature_alpha_dropout_", true, true};

}  // namespace

Tensor dropout(const Tensor& input, double p, bool train) { return dropout_impl(input, p, train, kDropout); }
Tensor& dropout_(Tensor& self, double p, bool train) { return dropout_inplace(self, p, train, kDropoutInplace); }
Tensor feature_dropout(const Tensor& input, double p, bool train) { return dropout_impl(input, p, train, kFeature); }
Tensor& feature_dropout_(Tensor& self, double p, bool train) {
  return dropout_inplace(self, p, train, kFeatureInplace);
}
Tensor alpha_dropout(const Tensor& input, double p, bool train) {
  return dropout_impl(input, p, train, kAlphaDropout);
}
Tensor& alpha_dropout_(Tensor& self, double p, bool train) { return dropout_inplace(self, p, train, kAlphaInplace); }
Tensor feature_alpha_dropout(const Tensor& input, double p, bool train) {
  return dropout_impl(input, p, train, kFeatureAlpha);
}
Tensor& feature_alpha_dropout_(Tensor& self, double p, bool train) {
  return dropout_inplace(self, p, train, kFeatureAlphaInplace);
}

}  // namespace ember
