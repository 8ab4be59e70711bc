// Elementwise plumbing shared by the binary, unary and comparison front-ends.
#include "src/ops/elementwise_common.h"

#include "autograd/autograd_meta.h"

namespace ember {

// ---- type promotion (libtorch's result_type state machine) -------------------------
namespace {
ScalarType combine_categories(ScalarType higher, ScalarType lower) {
  if (higher == ScalarType::Undefined) return lower;
  if (lower == ScalarType::Undefined) return higher;
  if (isFloatingType(higher)) return higher;
  if (higher == kBool || isFloatingType(lower)) return promote_types(higher, lower);
  return higher;
}
ScalarType promote_opt(ScalarType a, ScalarType b) {
  if (a == ScalarType::Undefined) return b;
  if (b == ScalarType::Undefined) return a;
  return promote_types(a, b);
}
ScalarType wrapped_type(const Scalar& s) {
  return s.isFloatingPoint() ? get_default_dtype() : s.type();
}
}  // namespace

ScalarType result_type(const Tensor& a, const Tensor& b) {
  ScalarType dim_r = ScalarType::Undefined, zero_r = ScalarType::Undefined;
  for (const Tensor* t : {&a, &b}) {
    if (t->dim() > 0) dim_r = promote_opt(dim_r, t->dtype());
    else zero_r = promote_opt(zero_r, t->dtype());
  }
  return combine_categories(dim_r, zero_r);
}

ScalarType result_type(const Tensor& a, const Scalar& b) {
  ScalarType dim_r = ScalarType::Undefined, zero_r = ScalarType::Undefined;
  if (a.dim() > 0) dim_r = a.dtype(); else zero_r = a.dtype();
  return combine_categories(dim_r, combine_categories(zero_r, wrapped_type(b)));
}

bool can_cast(ScalarType from, ScalarType to) {
  if (isFloatingType(from) && isIntegralType(to, true)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

std::vector<int64_t> infer_size(IntArrayRef a, IntArrayRef b) {
  const size_t n = std::max(a.size(), b.size());
  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(da == db || da == 1 || db == 1, ShapeError, "broadcast",
                "The size of tensor a (", da, ") must match the size of tensor b (", db,
                ") at non-singleton dimension ", i, ": shapes ", a, " and ", b, " cannot be broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

namespace detail {
std::vector<int64_t> broadcast_shapes(IntArrayRef a, IntArrayRef b, const char* op) {
  if (a == b) return a.vec();
  try {
    return infer_size(a, b);
  } catch (const ShapeError& e) {
    const std::string why = e.what();
    const auto close = why.find("] ");
    throw_error<ShapeError>(op, "shapes ", a, " and ", b, " cannot be broadcast together (",
                            close == std::string::npos ? why : why.substr(close + 2), ")");
  }
}
}  // namespace detail

namespace ops {

void check_can_cast(ScalarType result, ScalarType dest, const char* name) {
  EMBER_CHECK(can_cast(result, dest), DTypeError, name, "result type ", result,
              " can't be cast to the desired output type ", dest);
}

namespace {
std::vector<int64_t> broadcast_shape(const Tensor& a, const Tensor& b, const char* name) {
  return detail::broadcast_shapes(a.sizes(), b.sizes(), name);
}
}  // namespace

void binary_kernel_into(Tensor& out, BinaryOp op, const Tensor& a, const Tensor& b,
                        ScalarType compute, const Scalar& alpha, const char* name) {
  // References, not copies, when no cast is needed: a copy costs two atomic refcounts.
  Tensor ac_tmp, bc_tmp;
  const Tensor& ac = a.dtype() == compute ? a : (ac_tmp = a.to(compute));
  const Tensor& bc = b.dtype() == compute ? b : (bc_tmp = b.to(compute));
  const auto be = detail::backend_of(out);
  if (ac.sizes() == out.sizes() && bc.sizes() == out.sizes()) {
    be->binary(op, detail::arg(ac), detail::arg(bc), detail::arg(out), alpha);
  } else {
    auto x = detail::broadcast_arg(ac, out.sizes());
    auto y = detail::broadcast_arg(bc, out.sizes());
    be->binary(op, x.arg, y.arg, detail::arg(out), alpha);
  }
  (void)name;
}

Tensor binary_kernel(BinaryOp op, const Tensor& a, const Tensor& b, ScalarType compute,
                     ScalarType out_dtype, const Scalar& alpha, const char* name) {
  detail::check_defined(a, name);
  detail::check_defined(b, name, "other");
  detail::check_same_device(a, b, name);
  Tensor out = a.sizes() == b.sizes()
                   ? detail::make_tensor(a.sizes(), out_dtype, a.device())
                   : detail::make_tensor(broadcast_shape(a, b, name), out_dtype, a.device());
  binary_kernel_into(out, op, a, b, compute, alpha, name);
  return out;
}

Tensor unary_kernel(UnaryOp op, const Tensor& a, ScalarType out_dtype, backend::UnaryParams p) {
  Tensor out = detail::make_tensor(a.sizes(), out_dtype, a.device());
  const bool to_bool = op >= UnaryOp::LogicalNot;
  Tensor cast_tmp;
  const Tensor& in = (!to_bool && a.dtype() != out_dtype) ? (cast_tmp = a.to(out_dtype)) : a;
  detail::backend_of(out)->unary(op, detail::arg(in), detail::arg(out), p);
  return out;
}

void rebase_history(Tensor& self, const Tensor& result) {
  auto* rm = result.unsafeGetTensorImpl()->autograd();
  if (!rm || !rm->grad_fn) return;
  // Through the autograd helper: a retain_grad registration must follow self's history,
  // and a view's in-place op rebases its base's history.
  autograd::impl::rebase_history(self, autograd::Edge{rm->grad_fn, rm->output_nr});
}

}  // namespace ops
}  // namespace ember
