#pragma once
// Bilinear (torch::nn::Bilinear; declared beside Linear in libtorch).
#include <cstdint>

#include "ember/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/pimpl.h"

namespace ember::nn {

/// Options of Bilinear: in1_features, in2_features, out_features, bias (true).
struct BilinearOptions {
  BilinearOptions(int64_t in1_features, int64_t in2_features, int64_t out_features)
      : in1_features_(in1_features), in2_features_(in2_features), out_features_(out_features) {}
  EMBER_ARG(int64_t, in1_features);
  EMBER_ARG(int64_t, in2_features);
  EMBER_ARG(int64_t, out_features);
  EMBER_ARG(bool, bias) = true;
};

/// y[..., o] = x1[..., i] W[o, i, j] x2[..., j] + b[o]; weight and bias start
/// uniform(-1/sqrt(in1_features), 1/sqrt(in1_features)) (torch::nn::Bilinear).
class BilinearImpl : public Cloneable<BilinearImpl> {
 public:
  BilinearImpl(int64_t in1_features, int64_t in2_features, int64_t out_features)
      : BilinearImpl(BilinearOptions(in1_features, in2_features, out_features)) {}
  explicit BilinearImpl(const BilinearOptions& options_) : options(options_) { reset(); }
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  /// input1 (..., in1_features) and input2 (..., in2_features) to (..., out_features).
  Tensor forward(const Tensor& input1, const Tensor& input2);

  BilinearOptions options;
  Tensor weight, bias;
};
EMBER_MODULE(Bilinear);

}  // namespace ember::nn
