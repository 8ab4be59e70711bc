// Matrix products on the backend's GEMM: mm, bmm, addmm, mv, dot, matmul, outer.
// Transposed operands (and any matrix with one unit stride) go to BLAS without a copy.
#include "src/core/autocast.h"
#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

// A matrix operand as BLAS sees it: data, leading dimension, and whether transposed.
struct MatView {
  Tensor keep;  // holds a contiguous copy when one was needed
  const void* data;
  int64_t ld;
  bool trans;
};

// rows x cols matrix with strides (rs, cs) of t (starting at t's data).
MatView as_blas(const Tensor& t, int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  if (cs == 1 && (rs >= std::max<int64_t>(1, cols) || rows == 1)) return {t, t.data_ptr(), std::max<int64_t>(rs, std::max<int64_t>(1, cols)), false};
  if (rs == 1 && (cs >= std::max<int64_t>(1, rows) || cols == 1)) return {t, t.data_ptr(), std::max<int64_t>(cs, std::max<int64_t>(1, rows)), true};
  return {Tensor(), nullptr, 0, false};
}

void check_mm_args(const Tensor& a, const Tensor& b, const char* name) {
  detail::check_defined(a, name);
  detail::check_defined(b, name, "mat2");
  detail::check_same_device(a, b, name);
  EMBER_CHECK(a.dtype() == b.dtype(), DTypeError, name, "expected m1 and m2 to have the same dtype, but got: ",
              a.dtype(), " != ", b.dtype());
  EMBER_CHECK(a.dtype() != kBool, DTypeError, name, "\"addmm_impl_cpu_\" not implemented for 'Bool'");
}

// out[b] = alpha * a[b] @ m[b] + beta * out[b] for 3-D (batch, rows, cols) tensors whose
// batch dim may have stride 0. out must be contiguous.
void gemm3(const Tensor& a, const Tensor& m, Tensor& out, double alpha, double beta) {
  const int64_t batch = out.size(0), rows = out.size(1), cols = out.size(2), k = a.size(2);
  if (rows == 0 || cols == 0) return;
  if (k == 0) {
    if (beta == 0) out.zero_();
    else out.mul_(beta);
    return;
  }
  Tensor ac = a, mc = m;
  MatView av = as_blas(ac, rows, k, ac.stride(1), ac.stride(2));
  if (!av.data) { ac = a.contiguous(); av = as_blas(ac, rows, k, ac.stride(1), ac.stride(2)); }
  MatView mv = as_blas(mc, k, cols, mc.stride(1), mc.stride(2));
  if (!mv.data) { mc = m.contiguous(); mv = as_blas(mc, k, cols, mc.stride(1), mc.stride(2)); }
  backend::GemmArgs g{out.dtype(), av.trans, mv.trans, rows, cols, k,
                      av.data, av.ld, a.size(0) == 1 ? 0 : ac.stride(0),
                      mv.data, mv.ld, m.size(0) == 1 ? 0 : mc.stride(0),
                      out.data_ptr(), cols, rows * cols, batch, alpha, beta};
  detail::backend_of(out)->gemm(g);
}

// A matrix stored column-major (a transposed view of a contiguous matrix, such as
// linear's weight.t()).
bool column_major(const Tensor& t) {
  return t.dim() == 2 && t.size(0) > 1 && t.size(1) > 1 && t.stride(0) == 1 && t.stride(1) == t.size(0);
}

// Gradients of a @ b for grad g, laid out like the operand they belong to (as libtorch's
// mm_mat1_backward / mm_mat2_backward): a column-major operand gets a column-major
// gradient, so the gradient of a transposed parameter view comes back contiguous for the
// parameter and is accumulated without a strided copy. Both forms are one GEMM on
// transposed views (no copies).
Tensor mm_grad_a(const Tensor& g, const Tensor& b, const Tensor& a) {
  return column_major(a) ? mm(b, g.t()).t() : mm(g, b.t());
}
Tensor mm_grad_b(const Tensor& g, const Tensor& a, const Tensor& b) {
  return column_major(b) ? mm(g.t(), a).t() : mm(a.t(), g);
}

Tensor mm_forward(const Tensor& a, const Tensor& b) {
  Tensor out = detail::make_tensor({a.size(0), b.size(1)}, a.dtype(), a.device());
  Tensor o3 = detail::make_view(out, {1, a.size(0), b.size(1)}, {0, b.size(1), 1}, 0);
  gemm3(detail::make_view(a, {1, a.size(0), a.size(1)}, {0, a.stride(0), a.stride(1)}, a.storage_offset()),
        detail::make_view(b, {1, b.size(0), b.size(1)}, {0, b.stride(0), b.stride(1)}, b.storage_offset()),
        o3, 1.0, 0.0);
  return out;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  if (autocast::applies(autocast::kLowerPrecision, a, b))
    return mm(autocast::cast(autocast::kLowerPrecision, a), autocast::cast(autocast::kLowerPrecision, b));
  EMBER_PROFILE_OP("mm", a, b);
  check_mm_args(a, b, "mm");
  EMBER_CHECK(a.dim() == 2, ShapeError, "mm", "self must be a matrix, got a ", a.dim(), "-D tensor of shape ", a.sizes());
  EMBER_CHECK(b.dim() == 2, ShapeError, "mm", "mat2 must be a matrix, got a ", b.dim(), "-D tensor of shape ", b.sizes());
  EMBER_CHECK(a.size(1) == b.size(0), ShapeError, "mm", "cannot multiply ", a.sizes(), " by ", b.sizes(),
              ": inner sizes ", a.size(1), " and ", b.size(0), " differ");
  Tensor out = mm_forward(a, b);
  if (auto* n = autograd::record("MmBackward0", {&a, &b}, [](Node& n, variable_list& g) {
        variable_list r(2);
        Tensor a = n.saved(0), b = n.saved(1);
        if (n.needs_input_grad(0)) r[0] = mm_grad_a(g[0], b, a);
        if (n.needs_input_grad(1)) r[1] = mm_grad_b(g[0], a, b);
        return r;
      })) {
    autograd::set_history(out, n);
    n->save(a);
    n->save(b);
  }
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  if (autocast::applies(autocast::kLowerPrecision, a, b))
    return bmm(autocast::cast(autocast::kLowerPrecision, a), autocast::cast(autocast::kLowerPrecision, b));
  EMBER_PROFILE_OP("bmm", a, b);
  check_mm_args(a, b, "bmm");
  EMBER_CHECK(a.dim() == 3 && b.dim() == 3, ShapeError, "bmm", "batch1 and batch2 must be 3-D tensors, got shapes ",
              a.sizes(), " and ", b.sizes());
  EMBER_CHECK(a.size(0) == b.size(0), ShapeError, "bmm", "batch sizes differ: ", a.sizes(), " and ", b.sizes());
  EMBER_CHECK(a.size(2) == b.size(1), ShapeError, "bmm", "cannot multiply ", a.sizes(), " by ", b.sizes(),
              ": inner sizes ", a.size(2), " and ", b.size(1), " differ");
  Tensor out = detail::make_tensor({a.size(0), a.size(1), b.size(2)}, a.dtype(), a.device());
  gemm3(a, b, out, 1.0, 0.0);
  if (auto* n = autograd::record("BmmBackward0", {&a, &b}, [](Node& n, variable_list& g) {
        variable_list r(2);
        Tensor a = n.saved(0), b = n.saved(1);
        if (n.needs_input_grad(0)) r[0] = bmm(g[0], b.transpose(1, 2));
        if (n.needs_input_grad(1)) r[1] = bmm(a.transpose(1, 2), g[0]);
        return r;
      })) {
    autograd::set_history(out, n);
    n->save(a);
    n->save(b);
  }
  return out;
}

Tensor addmm(const Tensor& self, const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha) {
  if (autocast::applies(autocast::kLowerPrecision, self, m1, m2))
    return addmm(autocast::cast(autocast::kLowerPrecision, self), autocast::cast(autocast::kLowerPrecision, m1),
                 autocast::cast(autocast::kLowerPrecision, m2), beta, alpha);
  EMBER_PROFILE_OP("addmm", self, m1, m2);
  check_mm_args(m1, m2, "addmm");
  detail::check_defined(self, "addmm");
  EMBER_CHECK(m1.dim() == 2 && m2.dim() == 2, ShapeError, "addmm", "mat1 and mat2 must be matrices, got shapes ",
              m1.sizes(), " and ", m2.sizes());
  EMBER_CHECK(m1.size(1) == m2.size(0), ShapeError, "addmm", "mat1 and mat2 shapes cannot be multiplied (",
              m1.size(0), "x", m1.size(1), " and ", m2.size(0), "x", m2.size(1), ")");
  EMBER_CHECK(self.dtype() == m1.dtype(), DTypeError, "addmm", "self has dtype ", self.dtype(),
              " but mat1 has dtype ", m1.dtype());
  const int64_t rows = m1.size(0), cols = m2.size(1);
  std::vector<int64_t> shape = detail::broadcast_shapes(self.sizes(), {rows, cols}, "addmm");
  EMBER_CHECK(IntArrayRef(shape) == IntArrayRef({rows, cols}), ShapeError, "addmm", "self of shape ", self.sizes(),
              " cannot be broadcast to the product's shape [", rows, ", ", cols, "]");
  Tensor out = detail::make_tensor({rows, cols}, m1.dtype(), m1.device());
  const double b = beta.toDouble();
  if (b != 0) {
    NoGradGuard ng;
    out.copy_(self.expand({rows, cols}));
  }
  Tensor o3 = detail::make_view(out, {1, rows, cols}, {0, cols, 1}, 0);
  gemm3(detail::make_view(m1, {1, rows, m1.size(1)}, {0, m1.stride(0), m1.stride(1)}, m1.storage_offset()),
        detail::make_view(m2, {1, m2.size(0), cols}, {0, m2.stride(0), m2.stride(1)}, m2.storage_offset()), o3,
        alpha.toDouble(), b);
  if (auto* n = autograd::record("AddmmBackward0", {&self, &m1, &m2},
                                 [bs = DimVector(self.sizes()), beta, alpha](Node& n, variable_list& g) {
                                   variable_list r(3);
                                   Tensor m1 = n.saved(0), m2 = n.saved(1);
                                   const double al = alpha.toDouble(), be = beta.toDouble();
                                   if (n.needs_input_grad(0)) r[0] = grad_for(be == 1 ? g[0] : g[0] * be, bs);
                                   if (n.needs_input_grad(1)) {
                                     r[1] = mm_grad_a(g[0], m2, m1);
                                     if (al != 1) r[1] = r[1] * al;
                                   }
                                   if (n.needs_input_grad(2)) {
                                     r[2] = mm_grad_b(g[0], m1, m2);
                                     if (al != 1) r[2] = r[2] * al;
                                   }
                                   return r;
                                 })) {
    autograd::set_history(out, n);
    n->save(m1);
    n->save(m2);
  }
  return out;
}

Tensor mv(const Tensor& a, const Tensor& v) {
  EMBER_PROFILE_OP("mv", a, v);
  detail::check_defined(a, "mv");
  detail::check_defined(v, "mv", "vec");
  EMBER_CHECK(a.dim() == 2 && v.dim() == 1, ShapeError, "mv", "vector + matrix @ vector expected, got ",
              a.dim(), ", ", v.dim(), " (shapes ", a.sizes(), " and ", v.sizes(), ")");
  EMBER_CHECK(a.size(1) == v.size(0), ShapeError, "mv", "size mismatch, got input (", a.size(0), "), mat (",
              a.size(0), "x", a.size(1), "), vec (", v.size(0), ")");
  return mm(a, v.unsqueeze(1)).squeeze(1);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("dot", a, b);
  detail::check_defined(a, "dot");
  detail::check_defined(b, "dot", "tensor");
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1, ShapeError, "dot", "1D tensors expected, but got ", a.dim(), "D and ",
              b.dim(), "D tensors");
  EMBER_CHECK(a.dtype() == b.dtype(), DTypeError, "dot",
              "expected both vectors to have same dtype, but found ", a.dtype(), " and ", b.dtype());
  EMBER_CHECK(a.size(0) == b.size(0), ShapeError, "dot", "inconsistent tensor size, expected tensor [", a.size(0),
              "] and src [", b.size(0), "] to have the same number of elements, but got ", a.size(0), " and ",
              b.size(0), " elements respectively");
  return mm(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
}

Tensor outer(const Tensor& a, const Tensor& b) {
  detail::check_defined(a, "outer");
  detail::check_defined(b, "outer", "vec2");
  EMBER_CHECK(a.dim() == 1 && b.dim() == 1, ShapeError, "outer", "expected 1-D vectors, got shapes ", a.sizes(),
              " and ", b.sizes());
  return a.unsqueeze(1) * b.unsqueeze(0);
}
Tensor ger(const Tensor& a, const Tensor& b) { return outer(a, b); }

Tensor matmul(const Tensor& a, const Tensor& b) {
  EMBER_PROFILE_OP("matmul", a, b);
  detail::check_defined(a, "matmul");
  detail::check_defined(b, "matmul", "other");
  const int64_t da = a.dim(), db = b.dim();
  EMBER_CHECK(da > 0 && db > 0, ShapeError, "matmul", "both arguments to matmul need to be at least 1D, but they are ",
              da, "D and ", db, "D");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) return mm(a.unsqueeze(0), b).squeeze(0);
  if (da == 2 && db == 2) return mm(a, b);
  const int64_t k = a.size(-1);
  const int64_t kb = db == 1 ? b.size(0) : b.size(-2);
  EMBER_CHECK(k == kb, ShapeError, "matmul", "cannot multiply ", a.sizes(), " by ", b.sizes(), ": inner sizes ", k,
              " and ", kb, " differ");
  if (da >= 3 && db <= 2) {
    // Fold a's batch dims into rows: one GEMM.
    Tensor b2 = db == 1 ? b.unsqueeze(1) : b;
    DimVector out_shape(a.sizes());
    out_shape.back() = b2.size(1);
    Tensor r = mm(a.reshape({-1, k}), b2).view(out_shape);
    return db == 1 ? r.squeeze(-1) : r;
  }
  // Batched with broadcasting of batch dims.
  Tensor a2 = da == 1 ? a.unsqueeze(0) : a;
  Tensor b2 = db == 1 ? b.unsqueeze(1) : b;
  IntArrayRef ab(a2.sizes().data(), a2.dim() - 2), bb(b2.sizes().data(), b2.dim() - 2);
  // Checked here so that the message shows both operands, not just their batch dims.
  for (size_t i = 1; i <= std::min(ab.size(), bb.size()); ++i) {
    const int64_t x = ab[ab.size() - i], y = bb[bb.size() - i];
    EMBER_CHECK(x == y || x == 1 || y == 1, ShapeError, "matmul", "cannot multiply ", a.sizes(), " by ", b.sizes(),
                ": batch dimensions ", ab, " and ", bb, " cannot be broadcast together");
  }
  std::vector<int64_t> batch = detail::broadcast_shapes(ab, bb, "matmul");
  int64_t nb = 1;
  for (int64_t s : batch) nb *= s;
  const int64_t n = a2.size(-2), m = b2.size(-1);
  std::vector<int64_t> ea = batch, eb = batch;
  ea.push_back(n); ea.push_back(k);
  eb.push_back(k); eb.push_back(m);
  Tensor r = bmm(a2.expand(ea).reshape({nb, n, k}), b2.expand(eb).reshape({nb, k, m}));
  std::vector<int64_t> out = batch;
  if (da > 1) out.push_back(n);
  if (db > 1) out.push_back(m);
  return r.view(out);
}

Tensor& mm_out(Tensor& out, const Tensor& a, const Tensor& b) {
  autograd::check_out_arg(out, {&a, &b}, "mm_out");
  Tensor r = mm(a, b);
  detail::resize_out(out, r.sizes(), "mm_out");
  out.copy_(r);
  return out;
}
Tensor& matmul_out(Tensor& out, const Tensor& a, const Tensor& b) {
  autograd::check_out_arg(out, {&a, &b}, "matmul_out");
  Tensor r = matmul(a, b);
  detail::resize_out(out, r.sizes(), "matmul_out");
  out.copy_(r);
  return out;
}
Tensor& bmm_out(Tensor& out, const Tensor& a, const Tensor& b) {
  autograd::check_out_arg(out, {&a, &b}, "bmm_out");
  Tensor r = bmm(a, b);
  detail::resize_out(out, r.sizes(), "bmm_out");
  out.copy_(r);
  return out;
}

Tensor Tensor::mm(const Tensor& o) const { return ember::mm(*this, o); }
Tensor Tensor::mv(const Tensor& o) const { return ember::mv(*this, o); }
Tensor Tensor::dot(const Tensor& o) const { return ember::dot(*this, o); }
Tensor Tensor::matmul(const Tensor& o) const { return ember::matmul(*this, o); }
Tensor Tensor::bmm(const Tensor& o) const { return ember::bmm(*this, o); }
Tensor Tensor::addmm(const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha) const {
  return ember::addmm(*this, m1, m2, beta, alpha);
}
Tensor Tensor::outer(const Tensor& o) const { return ember::outer(*this, o); }

}  // namespace ember
