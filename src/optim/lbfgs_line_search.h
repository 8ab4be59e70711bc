#pragma once
// The strong-Wolfe line search used by LBFGS (a port of torch.optim.lbfgs._strong_wolfe).
#include <cstdint>
#include <functional>
#include <optional>
#include <tuple>
#include <vector>

#include "ember/tensor.h"

namespace ember::optim::detail {

/// Minimum of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to bounds
/// (default: the interval between x1 and x2).
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::tuple<double, double>> bounds = std::nullopt);

/// obj_func(x, t, d) evaluates the loss and flat gradient at x + t * d.
using LineSearchObjective =
    std::function<std::tuple<double, Tensor>(const std::vector<Tensor>& x, double t, const Tensor& d)>;

/// Finds a step t along d satisfying the strong Wolfe conditions, starting from t with
/// loss f, gradient g and directional derivative gtd at t = 0. Returns the loss and
/// gradient at the accepted step, the step, and the number of evaluations.
std::tuple<double, Tensor, double, int64_t> strong_wolfe(const LineSearchObjective& obj_func,
                                                         const std::vector<Tensor>& x, double t,
                                                         const Tensor& d, double f, Tensor g,
                                                         const Tensor& gtd, double c1 = 1e-4,
                                                         double c2 = 0.9, double tolerance_change = 1e-9,
                                                         double max_ls = 25);

}  // namespace ember::optim::detail
