// The C++ tensor indexing API, spelled as libtorch's at::indexing: t.index({...}) and
// t.index_put_({...}, v). Integers, slices, None and Ellipsis become views (select,
// slice, unsqueeze); tensor entries are collected and applied by advanced indexing.
// Unlike libtorch 1.13, a multi-dim bool mask consumes as many dims as it has (NumPy's
// rule), so entries after it index the dims that follow the mask.
#include <cstring>

#include "src/ops/index_common.h"

namespace ember {
using namespace ops;
using indexing::TensorIndex;
using OptionalTensorList = std::vector<std::optional<Tensor>>;

namespace indexing {

Slice::Slice(std::optional<int64_t> start_index, std::optional<int64_t> stop_index, std::optional<int64_t> step_index) {
  step_ = step_index.value_or(1);
  EMBER_CHECK(step_ != 0, Error, "Slice", "slice step cannot be zero");
  if (step_ < -INDEX_MAX) step_ = -INDEX_MAX;  // so that -step never overflows
  start_ = start_index ? *start_index : (step_ < 0 ? INDEX_MAX : 0);
  stop_ = stop_index ? *stop_index : (step_ < 0 ? INDEX_MIN : INDEX_MAX);
}

std::ostream& operator<<(std::ostream& os, const Slice& s) {
  return os << s.start() << ":" << s.stop() << ":" << s.step();
}

TensorIndex::TensorIndex(const char* str) : type_(TensorIndexType::Ellipsis) {
  EMBER_CHECK(std::strcmp(str, "...") == 0, Error, "index", "expected \"...\" to represent an ellipsis index, but got \"",
              str, "\"");
}

std::ostream& operator<<(std::ostream& os, const TensorIndex& i) {
  if (i.is_none()) return os << "None";
  if (i.is_ellipsis()) return os << "...";
  if (i.is_integer()) return os << i.integer();
  if (i.is_boolean()) return os << (i.boolean() ? "true" : "false");
  if (i.is_slice()) return os << i.slice();
  return os << i.tensor();
}

std::ostream& operator<<(std::ostream& os, const std::vector<TensorIndex>& indices) {
  os << "(";
  for (size_t i = 0; i < indices.size(); ++i) os << (i ? ", " : "") << indices[i];
  return os << ")";
}

}  // namespace indexing

namespace {

// One view-producing step of an index list, replayable on any tensor of self's shape
// (the forward result, and the gradient in backward).
struct Step {
  enum Kind : uint8_t { Select, SliceDim, Unsqueeze } kind;
  int64_t dim, a = 0, b = 0, c = 1;
};
using Steps = std::vector<Step>;

Tensor replay(Tensor t, const Steps& steps) {
  for (const Step& s : steps) {
    switch (s.kind) {
      case Step::Select: t = t.select(s.dim, s.a); break;
      case Step::SliceDim: t = t.slice(s.dim, s.a, s.b, s.c); break;
      case Step::Unsqueeze: t = t.unsqueeze(s.dim); break;
    }
  }
  return t;
}

int64_t count_specified_dims(ArrayRef<TensorIndex> indices) {
  int64_t count = 0;
  for (const TensorIndex& i : indices) {
    if (i.is_tensor()) {
      const Tensor& t = i.tensor();
      count += (t.dtype() == kBool || t.dtype() == kByte) ? t.dim() : 1;
    } else if (!i.is_none() && !i.is_ellipsis() && !i.is_boolean()) {
      ++count;
    }
  }
  return count;
}

// An index list resolved against self: the view steps, the tensor indices of the
// viewed result (nullopt = full slice), and the view's shape.
struct Resolved {
  Steps steps;
  OptionalTensorList tensors;
  bool identity() const { return steps.empty() && tensors.empty(); }
};

Resolved resolve(const Tensor& self, ArrayRef<TensorIndex> indices, const char* op) {
  Resolved r;
  const int64_t specified = count_specified_dims(indices);
  EMBER_CHECK(specified <= self.dim(), IndexError, op, "too many indices for tensor of dimension ", self.dim(),
              " (got ", specified, ")");
  DimVector shape(self.sizes());  // shape of the view so far
  int64_t dim = 0, covered = 0;   // covered: result dims spoken for by r.tensors
  auto add_tensor = [&](const Tensor& t, int64_t consumed) {
    for (; covered < dim; ++covered) r.tensors.emplace_back();
    r.tensors.emplace_back(t);
    covered += consumed;
    dim += consumed;
  };
  auto select = [&](int64_t index, size_t pos) {
    EMBER_CHECK(shape.size() > 0, IndexError, op, "invalid index of a 0-dim tensor; use item<T>() to read its value");
    const int64_t n = shape[static_cast<size_t>(dim)];
    EMBER_CHECK(index >= -n && index < n, IndexError, op, "index ", index, " is out of bounds for dimension ", pos,
                " with size ", n);
    r.steps.push_back({Step::Select, dim, index});
    shape.erase(static_cast<size_t>(dim));
  };
  auto unsqueeze = [&] {
    r.steps.push_back({Step::Unsqueeze, dim});
    shape.insert(static_cast<size_t>(dim), 1);
  };
  auto bool_index = [&](bool v) {
    unsqueeze();
    add_tensor(v ? zeros({1}, TensorOptions(kLong).device(self.device()))
                 : empty({0}, TensorOptions(kLong).device(self.device())),
               1);
  };
  for (size_t i = 0; i < indices.size(); ++i) {
    const TensorIndex& e = indices[i];
    if (e.is_integer()) {
      select(e.integer(), i);
    } else if (e.is_slice()) {
      const indexing::Slice& s = e.slice();
      EMBER_CHECK(s.step() > 0, IndexError, op, "step must be greater than zero, got ", s.step());
      const int64_t n = shape[static_cast<size_t>(dim)];
      if (!(s.start() == 0 && s.stop() >= n && s.step() == 1)) {
        r.steps.push_back({Step::SliceDim, dim, s.start(), s.stop(), s.step()});
        int64_t a = s.start() < 0 ? std::max<int64_t>(s.start() + n, 0) : std::min(s.start(), n);
        int64_t b = s.stop() < 0 ? std::max<int64_t>(s.stop() + n, 0) : std::min(s.stop(), n);
        b = std::max(a, b);
        shape[static_cast<size_t>(dim)] = (b - a + s.step() - 1) / s.step();
      }
      ++dim;
    } else if (e.is_ellipsis()) {
      dim += self.dim() - specified;
    } else if (e.is_none()) {
      unsqueeze();
      ++dim;
    } else if (e.is_boolean()) {
      bool_index(e.boolean());
    } else {
      const Tensor& t = e.tensor();
      detail::check_defined(t, op, "index");
      const bool is_mask = t.dtype() == kBool || t.dtype() == kByte;
      if (t.dim() == 0 && isIntegralType(t.dtype(), true)) {
        if (is_mask) bool_index(t.item<bool>());
        else select(t.item<int64_t>(), i);
      } else {
        add_tensor(t, is_mask ? t.dim() : 1);
      }
    }
  }
  return r;
}

// An alias of self (a new handle sharing storage, recorded as a view).
Tensor alias(const Tensor& self) { return self.view(self.sizes()); }

// value with its leading size-1 dims dropped (NumPy's rule for assignment).
Tensor strip_leading_ones(const Tensor& value) {
  int64_t k = 0;
  while (k < value.dim() && value.size(k) == 1) ++k;
  if (k == 0) return value;
  return value.view(IntArrayRef(value.sizes().data() + k, static_cast<size_t>(value.dim() - k)));
}

// Writes value into the region `view` of a tensor (no autograd: callers record).
void write_region(Tensor view, const OptionalTensorList& tensors, const Tensor& value, const char* op) {
  NoGradGuard ng;
  if (tensors.empty()) {
    EMBER_CHECK(IntArrayRef(infer_size(view.sizes(), value.sizes())) == view.sizes(), ShapeError, op,
                "shape mismatch: value tensor of shape ", value.sizes(), " cannot be broadcast to indexing result of shape ",
                view.sizes());
    view.copy_(value);
  } else {
    index_put_(view, tensors, value);
  }
}

// self with self[indices] = value, out of place, with its backward formula.
Tensor set_item(const Tensor& self, const Resolved& r, const Tensor& value, const char* op) {
  Tensor v = strip_leading_ones(value);
  Tensor out = detached_clone(self);
  write_region(replay(out, r.steps), r.tensors, v.detach(), op);
  if (auto* n = autograd::record("IndexPutBackward0", {&self, &value},
                                 [r, vs = DimVector(v.sizes()), value_sizes = DimVector(value.sizes()), op](
                                     Node& n, variable_list& g) {
                                   variable_list res(2);
                                   if (n.needs_input_grad(0)) {
                                     Tensor keep = ones_like(g[0]);
                                     write_region(replay(keep, r.steps), r.tensors, zeros({}, keep.options()), op);
                                     res[0] = g[0] * keep;
                                   }
                                   if (n.needs_input_grad(1)) {
                                     Tensor gv = replay(g[0], r.steps);
                                     if (!r.tensors.empty()) gv = index(gv, r.tensors);
                                     res[1] = sum_to(gv, vs).reshape(value_sizes);
                                   }
                                   return res;
                                 }))
    autograd::set_history(out, n);
  return out;
}

}  // namespace

Tensor Tensor::index(ArrayRef<TensorIndex> indices) const {
  const char* op = "index";
  detail::check_defined(*this, op);
  Resolved r = resolve(*this, indices, op);
  if (r.identity()) return alias(*this);
  Tensor v = replay(*this, r.steps);
  return r.tensors.empty() ? v : ember::index(v, r.tensors);
}
Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return index(ArrayRef<TensorIndex>(indices.begin(), indices.size()));
}
Tensor Tensor::operator[](const Tensor& index) const { return this->index({TensorIndex(index)}); }

Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Tensor& rhs) const {
  const char* op = "index_put_";
  detail::check_defined(*this, op);
  detail::check_defined(rhs, op, "value");
  detail::check_same_device(*this, rhs, op);
  Resolved r = resolve(*this, indices, op);
  return inplace(mut(), op, {&rhs}, [&] { return set_item(*this, r, rhs, op); },
                 [&] { write_region(replay(*this, r.steps), r.tensors, strip_leading_ones(rhs), op); });
}
Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Scalar& v) const {
  detail::check_defined(*this, "index_put_");
  return index_put_(indices, value_tensor(v, dtype(), device()));
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& rhs) const {
  return index_put_(ArrayRef<TensorIndex>(indices.begin(), indices.size()), rhs);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Scalar& v) const {
  return index_put_(ArrayRef<TensorIndex>(indices.begin(), indices.size()), v);
}

}  // namespace ember
