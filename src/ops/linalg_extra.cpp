// linear, bilinear, baddbmm, tensordot, cross / linalg_cross: compositions of the GEMM
// front-ends (mm, addmm, bmm) and views, so they get autograd from those ops; baddbmm
// records one node of its own.
#include <atomic>
#include <iostream>

#include "src/core/autocast.h"
#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

int64_t prod_of(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias) {
  const char* name = "linear";
  detail::check_defined(input, name, "input");
  detail::check_defined(weight, name, "weight");
  EMBER_CHECK(weight.dim() == 1 || weight.dim() == 2, ShapeError, name,
              "weight must be a (out_features, in_features) matrix, got shape ", weight.sizes());
  EMBER_CHECK(input.dim() >= 1 && input.size(-1) == weight.size(-1), ShapeError, name, "input of shape ",
              input.sizes(), " cannot be multiplied by weight of shape ", weight.sizes(), "^T: in_features ",
              weight.size(-1), " must equal the input's last dim");
  const bool has_bias = bias && bias->defined();
  if (weight.dim() == 2 && has_bias)
    EMBER_CHECK(bias->dim() <= 1 && bias->numel() == weight.size(0), ShapeError, name, "bias of shape ",
                bias->sizes(), " does not match out_features ", weight.size(0));
  if (input.dim() == 2 && weight.dim() == 2 && has_bias) return addmm(*bias, input, weight.t());
  if (input.dim() >= 3 && weight.dim() == 2) {
    // Fold the leading dims into rows: one GEMM.
    std::vector<int64_t> out_shape = input.sizes().vec();
    out_shape.back() = weight.size(0);
    Tensor rows = input.reshape({-1, input.size(-1)});
    Tensor r = has_bias ? addmm(*bias, rows, weight.t()) : mm(rows, weight.t());
    return r.view(out_shape);
  }
  Tensor out = matmul(input, weight.t());
  return has_bias ? out + *bias : out;
}

Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const std::optional<Tensor>& bias) {
  const char* name = "bilinear";
  detail::check_defined(input1, name, "input1");
  detail::check_defined(input2, name, "input2");
  detail::check_defined(weight, name, "weight");
  EMBER_CHECK(input1.dim() == input2.dim(), ShapeError, name, "input dimensions do not match: got ", input1.dim(),
              " and ", input2.dim());
  EMBER_CHECK(input1.dim() >= 1, ShapeError, name, "inputs must have at least one dim");
  for (int64_t i = 0; i + 1 < input1.dim(); ++i)
    EMBER_CHECK(input1.size(i) == input2.size(i), ShapeError, name, "input batch dimensions do not match: got ",
                input1.size(i), " and ", input2.size(i), " (shapes ", input1.sizes(), " and ", input2.sizes(), ")");
  EMBER_CHECK(weight.dim() == 3, ShapeError, name, "weight must be (out, in1, in2), got shape ", weight.sizes());
  EMBER_CHECK(input1.size(-1) == weight.size(1), ShapeError, name, "input1 size does not match weight size: got ",
              input1.size(-1), " but expected ", weight.size(1));
  EMBER_CHECK(input2.size(-1) == weight.size(2), ShapeError, name, "input2 size does not match weight size: got ",
              input2.size(-1), " but expected ", weight.size(2));
  const bool has_bias = bias && bias->defined();
  if (has_bias)
    EMBER_CHECK(bias->dim() == 1 && bias->size(0) == weight.size(0), ShapeError, name,
                "bias size does not match weight size: got ", bias->sizes(), " but expected [", weight.size(0), "]");
  const int64_t out_f = weight.size(0), in1 = weight.size(1), in2 = weight.size(2);
  Tensor x1 = input1.reshape({-1, in1}), x2 = input2.reshape({-1, in2});
  const int64_t batch = x1.size(0);
  // (B, in2) @ (in2, out * in1) -> (B, out, in1), then contract in1 with x1 per row.
  Tensor t = mm(x2, weight.reshape({out_f * in1, in2}).t()).view({batch, out_f, in1});
  Tensor out = bmm(t, x1.unsqueeze(2)).squeeze(2);
  if (has_bias) out = out + *bias;
  std::vector<int64_t> shape = input1.sizes().vec();
  shape.back() = out_f;
  return out.reshape(shape);
}

Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta, const Scalar& alpha) {
  if (autocast::applies(autocast::kLowerPrecision, self, batch1, batch2))
    return baddbmm(autocast::cast(autocast::kLowerPrecision, self), autocast::cast(autocast::kLowerPrecision, batch1),
                   autocast::cast(autocast::kLowerPrecision, batch2), beta, alpha);
  const char* name = "baddbmm";
  detail::check_defined(self, name);
  detail::check_defined(batch1, name, "batch1");
  detail::check_defined(batch2, name, "batch2");
  EMBER_CHECK(batch1.dim() == 3 && batch2.dim() == 3, ShapeError, name, "batch1 and batch2 must be 3-D tensors, got shapes ",
              batch1.sizes(), " and ", batch2.sizes());
  EMBER_CHECK(batch1.size(0) == batch2.size(0), ShapeError, name, "batch1 and batch2 must have the same number of batches, got ",
              batch1.size(0), " and ", batch2.size(0));
  EMBER_CHECK(batch1.size(2) == batch2.size(1), ShapeError, name, "Expected size for first two dimensions of batch2 tensor to be: [",
              batch1.size(0), ", ", batch1.size(2), "] but got: [", batch2.size(0), ", ", batch2.size(1), "].");
  EMBER_CHECK(self.dtype() == batch1.dtype(), DTypeError, name, "self has dtype ", self.dtype(), " but batch1 has dtype ",
              batch1.dtype());
  const std::vector<int64_t> shape{batch1.size(0), batch1.size(1), batch2.size(2)};
  bool fits = self.dim() <= 3;
  for (int64_t i = 0; fits && i < self.dim(); ++i) {
    const int64_t s = self.size(self.dim() - 1 - i);
    fits = s == 1 || s == shape[static_cast<size_t>(2 - i)];
  }
  EMBER_CHECK(fits, ShapeError, name, "self of shape ", self.sizes(), " cannot be broadcast to the product's shape ",
              IntArrayRef(shape));
  const double be = beta.toDouble(), al = alpha.toDouble();
  Tensor out;
  {
    NoGradGuard ng;
    out = bmm(batch1, batch2);
    if (al != 1) out.mul_(al);
    // beta == 0 ignores self entirely (NaN/inf in self do not propagate), as libtorch.
    if (be != 0) out.add_(self.to(out.dtype()), be);
  }
  if (auto* n = autograd::record("BaddbmmBackward0", {&self, &batch1, &batch2},
                                 [ss = DimVector(self.sizes()), be, al](Node& n, variable_list& g) {
                                   variable_list r(3);
                                   Tensor b1 = n.saved(0), b2 = n.saved(1);
                                   if (n.needs_input_grad(0)) r[0] = be == 0 ? zeros(ss, g[0].options()) : grad_for(g[0] * be, ss);
                                   if (n.needs_input_grad(1)) r[1] = bmm(g[0], b2.transpose(1, 2)) * al;
                                   if (n.needs_input_grad(2)) r[2] = bmm(b1.transpose(1, 2), g[0]) * al;
                                   return r;
                                 })) {
    autograd::set_history(out, n);
    n->save(batch1);
    n->save(batch2);
  }
  return out;
}
Tensor Tensor::baddbmm(const Tensor& b1, const Tensor& b2, const Scalar& beta, const Scalar& alpha) const {
  return ember::baddbmm(*this, b1, b2, beta, alpha);
}
Tensor& Tensor::baddbmm_(const Tensor& b1, const Tensor& b2, const Scalar& beta, const Scalar& alpha) const {
  return inplace(mut(), "baddbmm_", {&b1, &b2}, [&] { return ember::baddbmm(*this, b1, b2, beta, alpha); }, [&] {
    Tensor r = ember::baddbmm(*this, b1, b2, beta, alpha);
    EMBER_CHECK(r.sizes() == sizes(), ShapeError, "baddbmm_", "output with shape ", sizes(),
                " doesn't match the broadcast shape ", r.sizes());
    copy_(r);
  });
}

Tensor tensordot(const Tensor& self, const Tensor& other, IntArrayRef dims_self, IntArrayRef dims_other) {
  const char* name = "tensordot";
  detail::check_defined(self, name);
  detail::check_defined(other, name, "other");
  EMBER_CHECK(dims_self.size() == dims_other.size(), ShapeError, name,
              "both dimension lists should have same length, got ", dims_self, " and ", dims_other);
  Tensor a = self, b = other;
  std::vector<bool> ca(static_cast<size_t>(a.dim()), false), cb(static_cast<size_t>(b.dim()), false);
  std::vector<int64_t> da, db;
  int64_t csize = 1;
  for (size_t i = 0; i < dims_self.size(); ++i) {
    const int64_t x = detail::wrap_dim(dims_self[i], a.dim(), name), y = detail::wrap_dim(dims_other[i], b.dim(), name);
    EMBER_CHECK(!ca[static_cast<size_t>(x)] && !cb[static_cast<size_t>(y)], Error, name, "dim ", dims_self[i], " / ",
                dims_other[i], " appears multiple times in the contraction lists");
    ca[static_cast<size_t>(x)] = cb[static_cast<size_t>(y)] = true;
    const int64_t s1 = a.size(x), s2 = b.size(y);
    // A size-1 dim contracted with a longer one broadcasts: sum the other side's dim now.
    if (s2 == 1 && s1 != 1) {
      a = a.sum({x}, true);
    } else if (s1 == 1 && s2 != 1) {
      b = b.sum({y}, true);
    } else {
      EMBER_CHECK(s1 == s2, ShapeError, name, "contracted dimensions need to match, but first has size ", s1, " in dim ",
                  x, " and second has size ", s2, " in dim ", y);
      csize *= s1;
    }
    da.push_back(x);
    db.push_back(y);
  }
  std::vector<int64_t> pa, pb, free_a, free_b;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (!ca[static_cast<size_t>(d)]) { pa.push_back(d); free_a.push_back(a.size(d)); }
  pa.insert(pa.end(), da.begin(), da.end());
  pb = db;
  for (int64_t d = 0; d < b.dim(); ++d)
    if (!cb[static_cast<size_t>(d)]) { pb.push_back(d); free_b.push_back(b.size(d)); }
  Tensor am = a.permute(pa).reshape({prod_of(free_a), csize});
  Tensor bm = b.permute(pb).reshape({csize, prod_of(free_b)});
  std::vector<int64_t> out = free_a;
  out.insert(out.end(), free_b.begin(), free_b.end());
  return mm(am, bm).reshape(out);
}

Tensor linalg_cross(const Tensor& self, const Tensor& other, int64_t dim) {
  const char* name = "linalg_cross";
  detail::check_defined(self, name);
  detail::check_defined(other, name, "other");
  EMBER_CHECK(self.dim() == other.dim(), ShapeError, name, "inputs must have the same number of dimensions, got shapes ",
              self.sizes(), " and ", other.sizes());
  const int64_t d = detail::wrap_dim(dim, self.dim(), name);
  EMBER_CHECK(self.dim() > 0 && self.size(d) == 3 && other.size(d) == 3, ShapeError, name, "inputs dimension ", dim,
              " must have length 3. Got ", self.dim() ? self.size(d) : 0, " and ", other.dim() ? other.size(d) : 0,
              " (shapes ", self.sizes(), " and ", other.sizes(), ")");
  std::vector<int64_t> shape = infer_size(self.sizes(), other.sizes());
  const ScalarType t = result_type(self, other);
  Tensor a = detail::cast(self, t).expand(shape), b = detail::cast(other, t).expand(shape);
  auto c = [&](const Tensor& x, int64_t i) { return x.narrow(d, i, 1); };
  Tensor c0 = c(a, 1) * c(b, 2) - c(a, 2) * c(b, 1);
  Tensor c1 = c(a, 2) * c(b, 0) - c(a, 0) * c(b, 2);
  Tensor c2 = c(a, 0) * c(b, 1) - c(a, 1) * c(b, 0);
  std::vector<int64_t> pos_shape(shape.size(), 1);
  pos_shape[static_cast<size_t>(d)] = 3;
  Tensor pos = arange(3, TensorOptions().dtype(kLong).device(self.device())).reshape(pos_shape);
  return where(pos == 0, c0, where(pos == 1, c1, c2));
}

Tensor cross(const Tensor& self, const Tensor& other, std::optional<int64_t> dim) {
  detail::check_defined(self, "cross");
  detail::check_defined(other, "cross", "other");
  if (!dim) {
    // Deprecated default of libtorch: the first dim of size 3, with a warning once.
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true))
      std::cerr << "[ember::cross] warning: using cross without specifying the dim arg is deprecated; the "
                   "default (the first dim of size 3) differs from linalg_cross (the last dim). Pass dim "
                   "explicitly.\n";
    for (int64_t d = 0; d < self.dim() && !dim; ++d)
      if (self.size(d) == 3) dim = d;
    EMBER_CHECK(dim.has_value(), ShapeError, "cross", "no dimension of size 3 in input (shape ", self.sizes(), ")");
  }
  return linalg_cross(self, other, *dim);
}
Tensor Tensor::cross(const Tensor& other, std::optional<int64_t> dim) const { return ember::cross(*this, other, dim); }

}  // namespace ember
