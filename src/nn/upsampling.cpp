// Upsample and F::interpolate: output size and scales as libtorch computes them, then the
// upsample ops (linear 1-D runs as bilinear over a height of 1, which is exact).
#include <cmath>
#include <ostream>

#include "ember/nn/functional/upsampling.h"
#include "ember/ops.h"

namespace ember::nn {

InterpolateMode::InterpolateMode(Nonlinearity linear) : kind_(Linear) {
  EMBER_CHECK(linear == kLinear, Error, "nn::InterpolateMode",
              "only kLinear of the Nonlinearity values is an interpolation mode");
}

const char* InterpolateMode::name() const noexcept {
  switch (kind_) {
    case Nearest: return "kNearest";
    case Linear: return "kLinear";
    default: return "kBilinear";
  }
}

namespace functional {

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options) {
  const char* op = "nn::functional::interpolate";
  EMBER_CHECK(input.defined(), Error, op, "input is undefined");
  const InterpolateMode::Kind mode = options.mode().kind();
  bool align_corners = false;
  if (mode == InterpolateMode::Nearest) {
    EMBER_CHECK(!options.align_corners().has_value(), Error, op,
                "align_corners option can only be set with the interpolating modes: linear | bilinear");
  } else {
    align_corners = options.align_corners().value_or(false);
  }
  const int64_t dim = input.dim() - 2;
  EMBER_CHECK(dim == 1 || dim == 2, ShapeError, op, "Input Error: Only 3D and 4D input Tensors supported (got ",
              input.dim(), "D) for the modes: nearest | linear | bilinear (got ", options.mode().name(), ")");
  EMBER_CHECK(!(mode == InterpolateMode::Linear && dim != 1), ShapeError, op, "Got ", input.dim(),
              "D input, but linear mode needs 3D input");
  EMBER_CHECK(!(mode == InterpolateMode::Bilinear && dim != 2), ShapeError, op, "Got ", input.dim(),
              "D input, but bilinear mode needs 4D input");

  const auto& size = options.size();
  const auto& scale = options.scale_factor();
  EMBER_CHECK(size.has_value() || scale.has_value(), Error, op, "either size or scale_factor should be defined");
  EMBER_CHECK(!(size.has_value() && scale.has_value()), Error, op, "only one of size or scale_factor should be defined");
  std::vector<int64_t> out_size(static_cast<size_t>(dim));
  std::optional<double> scales[2];
  if (size) {
    EMBER_CHECK(static_cast<int64_t>(size->size()) == dim, ShapeError, op,
                "size shape must match input shape. Input is ", dim, "D, size is ", size->size());
    out_size = *size;
  } else {
    EMBER_CHECK(static_cast<int64_t>(scale->size()) == dim, ShapeError, op,
                "scale_factor shape must match input shape. Input is ", dim, "D, scale_factor is ", scale->size());
    for (int64_t i = 0; i < dim; ++i) {
      const double s = (*scale)[static_cast<size_t>(i)];
      EMBER_CHECK(s > 0, Error, op, "scale_factor must be positive, got ", s);
      out_size[static_cast<size_t>(i)] =
          static_cast<int64_t>(std::floor(static_cast<double>(input.size(i + 2)) * s));
      if (!options.recompute_scale_factor().value_or(false)) scales[i] = s;
    }
  }
  switch (mode) {
    case InterpolateMode::Nearest:
      return dim == 1 ? upsample_nearest1d(input, IntArrayRef(out_size), scales[0])
                      : upsample_nearest2d(input, IntArrayRef(out_size), scales[0], scales[1]);
    case InterpolateMode::Linear: {
      const int64_t rows_cols[2] = {1, out_size[0]};
      EMBER_CHECK(out_size[0] > 0, ShapeError, op, "output size must be positive, got ", out_size[0]);
      return upsample_bilinear2d(input.unsqueeze(2), IntArrayRef(rows_cols, 2), align_corners, std::nullopt,
                                 scales[0])
          .squeeze(2);
    }
    default:
      return upsample_bilinear2d(input, IntArrayRef(out_size), align_corners, scales[0], scales[1]);
  }
}

}  // namespace functional

void UpsampleImpl::pretty_print(std::ostream& s) const {
  s << "ember::nn::Upsample(";
  if (options.scale_factor()) {
    s << "scale_factor=[";
    for (size_t i = 0; i < options.scale_factor()->size(); ++i) s << (i ? ", " : "") << (*options.scale_factor())[i];
    s << "]";
  } else if (options.size()) {
    s << "size=" << IntArrayRef(*options.size());
  } else {
    s << "size=None";
  }
  s << ", mode=" << options.mode().name() << ")";
}

Tensor UpsampleImpl::forward(const Tensor& input) {
  return call_with_hooks({input}, [&] {
    return functional::interpolate(input, functional::InterpolateFuncOptions()
                                              .size(options.size())
                                              .scale_factor(options.scale_factor())
                                              .mode(options.mode())
                                              .align_corners(options.align_corners()));
  });
}

}  // namespace ember::nn
