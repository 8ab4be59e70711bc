// einsum: parses the equation into integer labels (A-Z, a-z, and one label per dim of the
// ellipsis, right-aligned across operands), takes diagonals for repeated labels, sums
// labels used by one operand only, then contracts the operands left to right, each pair
// as one bmm over (batch labels, kept labels, contracted labels). All steps are views,
// sums and bmm, so autograd comes from those ops.
#include <algorithm>
#include <string>

#include "src/ops/elementwise_common.h"

namespace ember {
using namespace ops;

namespace {

constexpr const char* kName = "einsum";
constexpr int kLetters = 52;  // A-Z are 0..25, a-z 26..51; ellipsis dims from 52 on

int label_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  return -1;
}
char char_of(int l) { return l < 26 ? static_cast<char>('A' + l) : static_cast<char>('a' + (l - 26)); }

// One side of the equation for one operand: its labels, with -1 marking the ellipsis.
struct Term {
  std::vector<int> labels;
  bool ellipsis = false;
};

Term parse_term(const std::string& s, size_t offset) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      EMBER_CHECK(!t.ellipsis && s.compare(i, 3, "...") == 0, Error, kName,
                  "found '.' for operand that is not part of any ellipsis, or more than one ellipsis, at index ",
                  offset + i, " of the equation");
      t.ellipsis = true;
      t.labels.push_back(-1);
      i += 2;
      continue;
    }
    const int l = label_of(s[i]);
    EMBER_CHECK(l >= 0, Error, kName, "invalid subscript given at index ", offset + i,
                " in the equation string, subscripts must be in [a-zA-Z] (got '", s[i], "')");
    t.labels.push_back(l);
  }
  return t;
}

struct Operand {
  Tensor t;
  std::vector<int> labels;  // one per dim of t
};

// Labels of one operand per dim, the ellipsis expanded to the last `n` of `ell` labels.
std::vector<int> expand_labels(const Term& term, int64_t ndim, int ell_max, size_t index) {
  const int64_t named = static_cast<int64_t>(term.labels.size()) - (term.ellipsis ? 1 : 0);
  if (!term.ellipsis)
    EMBER_CHECK(named == ndim, ShapeError, kName, "the number of subscripts in the equation (", named,
                ") does not match the number of dimensions (", ndim, ") for operand ", index, " and no ellipsis was given");
  else
    EMBER_CHECK(named <= ndim, ShapeError, kName, "the number of subscripts in the equation (", named,
                ") is more than the number of dimensions (", ndim, ") for operand ", index);
  std::vector<int> out;
  const int64_t n_ell = ndim - named;
  for (int l : term.labels) {
    if (l >= 0) {
      out.push_back(l);
      continue;
    }
    for (int64_t k = 0; k < n_ell; ++k) out.push_back(kLetters + ell_max - static_cast<int>(n_ell) + static_cast<int>(k));
  }
  return out;
}

// Removes repeated labels within one operand by taking diagonals.
void take_diagonals(Operand& op, size_t index) {
  for (size_t i = 0; i < op.labels.size(); ++i) {
    for (size_t j = i + 1; j < op.labels.size(); ++j) {
      if (op.labels[i] != op.labels[j]) continue;
      const int64_t a = static_cast<int64_t>(i), b = static_cast<int64_t>(j);
      EMBER_CHECK(op.t.size(a) == op.t.size(b), ShapeError, kName, "subscript ", char_of(op.labels[i]),
                  " is repeated for operand ", index, " but the sizes don't match, ", op.t.size(a), " != ", op.t.size(b));
      const int l = op.labels[i];
      op.t = op.t.diagonal(0, a, b);  // the diagonal becomes the last dim
      op.labels.erase(op.labels.begin() + static_cast<long>(j));
      op.labels.erase(op.labels.begin() + static_cast<long>(i));
      op.labels.push_back(l);
      take_diagonals(op, index);
      return;
    }
  }
}

void sum_labels(Operand& op, const std::vector<bool>& keep) {
  std::vector<int64_t> dims;
  std::vector<int> left;
  for (size_t i = 0; i < op.labels.size(); ++i) {
    if (keep[static_cast<size_t>(op.labels[i])]) left.push_back(op.labels[i]);
    else dims.push_back(static_cast<int64_t>(i));
  }
  if (dims.empty()) return;
  op.t = op.t.sum(dims);
  op.labels = left;
}

int64_t dim_of(const Operand& op, int l) {
  auto it = std::find(op.labels.begin(), op.labels.end(), l);
  return it == op.labels.end() ? -1 : static_cast<int64_t>(it - op.labels.begin());
}

// a (x) b over their shared labels; labels in `keep` survive (as batch labels when shared).
Operand contract(Operand a, Operand b, const std::vector<bool>& keep) {
  // Labels of one side only that are not needed later are summed first.
  std::vector<bool> keep_a = keep, keep_b = keep;
  for (int l : b.labels) keep_a[static_cast<size_t>(l)] = true;
  for (int l : a.labels) keep_b[static_cast<size_t>(l)] = true;
  sum_labels(a, keep_a);
  sum_labels(b, keep_b);
  std::vector<int> batch, only_a, only_b, contracted;
  for (int l : a.labels) {
    if (dim_of(b, l) < 0) only_a.push_back(l);
    else if (keep[static_cast<size_t>(l)]) batch.push_back(l);
    else contracted.push_back(l);
  }
  for (int l : b.labels)
    if (dim_of(a, l) < 0) only_b.push_back(l);
  // Shared labels broadcast where one side has size 1.
  std::vector<int64_t> ea = a.t.sizes().vec(), eb = b.t.sizes().vec();
  for (const auto* group : {&batch, &contracted})
    for (int l : *group) {
      const int64_t da = dim_of(a, l), db = dim_of(b, l);
      const int64_t sa = ea[static_cast<size_t>(da)], sb = eb[static_cast<size_t>(db)];
      EMBER_CHECK(sa == sb || sa == 1 || sb == 1, ShapeError, kName, "operands do not broadcast: subscript ",
                  l < kLetters ? std::string(1, char_of(l)) : std::string("..."), " has sizes ", sa, " and ", sb,
                  " (operand shapes ", a.t.sizes(), " and ", b.t.sizes(), ")");
      ea[static_cast<size_t>(da)] = eb[static_cast<size_t>(db)] = std::max(sa, sb);
    }
  Tensor ta = a.t.expand(ea), tb = b.t.expand(eb);
  auto size_of = [](const Tensor& t, const Operand& o, int l) { return t.size(dim_of(o, l)); };
  std::vector<int64_t> pa, pb, out_shape;
  int64_t nb = 1, m = 1, k = 1, n = 1;
  for (int l : batch) {
    pa.push_back(dim_of(a, l));
    pb.push_back(dim_of(b, l));
    nb *= size_of(ta, a, l);
    out_shape.push_back(size_of(ta, a, l));
  }
  for (int l : only_a) {
    pa.push_back(dim_of(a, l));
    m *= size_of(ta, a, l);
    out_shape.push_back(size_of(ta, a, l));
  }
  for (int l : contracted) {
    pa.push_back(dim_of(a, l));
    pb.push_back(dim_of(b, l));
    k *= size_of(ta, a, l);
  }
  for (int l : only_b) {
    pb.push_back(dim_of(b, l));
    n *= size_of(tb, b, l);
    out_shape.push_back(size_of(tb, b, l));
  }
  Tensor am = ta.permute(pa).reshape({nb, m, k});
  Tensor bm = tb.permute(pb).reshape({nb, k, n});
  Operand r;
  r.t = bmm(am, bm).reshape(out_shape);
  r.labels = batch;
  r.labels.insert(r.labels.end(), only_a.begin(), only_a.end());
  r.labels.insert(r.labels.end(), only_b.begin(), only_b.end());
  return r;
}

}  // namespace

Tensor einsum(std::string_view equation, TensorList tensors, std::optional<IntArrayRef> path) {
  (void)path;
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq.push_back(c);
  EMBER_CHECK(!tensors.empty(), Error, kName, "must provide at least one operand");
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<Term> terms;
  size_t start = 0;
  for (;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(parse_term(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start), start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  EMBER_CHECK(terms.size() <= tensors.size(), Error, kName, "fewer operands were provided than specified in the equation (",
              terms.size(), " terms in '", std::string(equation), "', ", tensors.size(), " operands)");
  EMBER_CHECK(terms.size() >= tensors.size(), Error, kName, "more operands were provided than specified in the equation (",
              terms.size(), " terms in '", std::string(equation), "', ", tensors.size(), " operands)");

  int ell_max = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    detail::check_defined(tensors[i], kName, "operand");
    EMBER_CHECK(tensors[i].dtype() == tensors[0].dtype(), DTypeError, kName, "operands must have the same dtype, got ",
                tensors[0].dtype(), " and ", tensors[i].dtype());
    if (terms[i].ellipsis)
      ell_max = std::max<int>(ell_max, static_cast<int>(tensors[i].dim() - (static_cast<int64_t>(terms[i].labels.size()) - 1)));
  }
  std::vector<Operand> ops(terms.size());
  std::vector<int> count(static_cast<size_t>(kLetters + ell_max), 0);
  for (size_t i = 0; i < terms.size(); ++i) {
    ops[i].t = tensors[i];
    ops[i].labels = expand_labels(terms[i], tensors[i].dim(), ell_max, i);
    for (int l : ops[i].labels) ++count[static_cast<size_t>(l)];
  }

  // The output labels: explicit after "->", else the ellipsis then the letters used once.
  std::vector<int> out;
  if (arrow != std::string::npos) {
    Term o = parse_term(eq.substr(arrow + 2), arrow + 2);
    std::vector<bool> seen(static_cast<size_t>(kLetters), false);
    for (int l : o.labels) {
      if (l < 0) {
        for (int k = 0; k < ell_max; ++k) out.push_back(kLetters + k);
        continue;
      }
      EMBER_CHECK(!seen[static_cast<size_t>(l)], Error, kName, "output subscript ", char_of(l),
                  " appears more than once in the output");
      EMBER_CHECK(count[static_cast<size_t>(l)] > 0, Error, kName, "output subscript ", char_of(l),
                  " does not appear in the equation for any input operand");
      seen[static_cast<size_t>(l)] = true;
      out.push_back(l);
    }
  } else {
    for (int k = 0; k < ell_max; ++k) out.push_back(kLetters + k);
    for (int l = 0; l < kLetters; ++l)
      if (count[static_cast<size_t>(l)] == 1) out.push_back(l);
  }
  std::vector<bool> in_out(count.size(), false);
  for (int l : out) in_out[static_cast<size_t>(l)] = true;

  for (size_t i = 0; i < ops.size(); ++i) take_diagonals(ops[i], i);
  // Labels still needed after operand i: the output's and those of operands after i.
  std::vector<std::vector<bool>> needed_after(ops.size(), in_out);
  for (size_t i = ops.size(); i-- > 1;) {
    needed_after[i - 1] = needed_after[i];
    for (int l : ops[i].labels) needed_after[i - 1][static_cast<size_t>(l)] = true;
  }
  Operand acc = ops[0];
  if (ops.size() == 1) {
    sum_labels(acc, in_out);
  } else {
    // Labels used only by the first operand are summed before the first contraction.
    std::vector<bool> keep0 = needed_after[0];
    sum_labels(acc, keep0);
    for (size_t i = 1; i < ops.size(); ++i) acc = contract(acc, ops[i], needed_after[i]);
  }
  std::vector<int64_t> perm;
  for (int l : out) {
    const int64_t d = dim_of(acc, l);
    EMBER_ASSERT(d >= 0, "einsum lost output label");
    perm.push_back(d);
  }
  return acc.t.permute(perm);
}

}  // namespace ember
