// Printing in libtorch's layout: a formatted block of values (fixed, scaled or
// scientific, chosen from the value range as ATen does), then "[ CPUFloatType{2,3} ]".
// Unlike libtorch, tensors above the print threshold are summarised with "...".
#include <cmath>
#include <iomanip>
#include <mutex>
#include <sstream>

#include "ember/autograd.h"
#include "src/core/internal.h"

namespace ember {
namespace {

struct PrintOptions {
  int precision = 4;
  int64_t threshold = 1000;
  int edgeitems = 3;
  int linewidth = 80;
  std::optional<bool> sci_mode;
};
PrintOptions g_opts;

// Saves and restores a stream's formatting state.
struct FormatGuard {
  explicit FormatGuard(std::ostream& os) : os_(os), saved_(nullptr) { saved_.copyfmt(os); }
  ~FormatGuard() { os_.copyfmt(saved_); }
  std::ostream& os_;
  std::ios saved_;
};

// Chooses the number format for a block of values: returns (scale, width).
std::pair<double, int> choose_format(std::ostream& os, const std::vector<double>& v) {
  if (v.empty()) return {1.0, 0};
  bool int_mode = true;
  for (double z : v)
    if (std::isfinite(z) && z != std::ceil(z)) { int_mode = false; break; }
  double exp_min = 1, exp_max = 1;
  bool any_finite = false;
  for (double z : v) {
    if (!std::isfinite(z)) continue;
    const double a = std::fabs(z);
    if (!any_finite) { exp_min = exp_max = a; any_finite = true; }
    exp_min = std::min(exp_min, a);
    // libtorch compares the signed value here, so a negative element only sets the
    // magnitude when it comes first; kept so that the layout is byte-for-byte the same.
    if (z > exp_max) exp_max = a;
  }
  if (any_finite) {
    exp_min = exp_min != 0 ? std::floor(std::log10(exp_min)) + 1 : 1;
    exp_max = exp_max != 0 ? std::floor(std::log10(exp_max)) + 1 : 1;
  }
  const int prec = g_opts.precision;
  double scale = 1;
  int width;
  const bool force_sci = g_opts.sci_mode.value_or(false);
  const bool never_sci = g_opts.sci_mode.has_value() && !*g_opts.sci_mode;
  if (force_sci) {
    width = prec + 7;
    os << std::scientific << std::setprecision(prec);
  } else if (int_mode) {
    if (exp_max > 9 && !never_sci) {
      width = prec + 7;
      os << std::scientific << std::setprecision(prec);
    } else {
      width = static_cast<int>(exp_max) + 1;
      os << std::defaultfloat;
    }
  } else if (exp_max - exp_min > 4 && !never_sci) {
    width = prec + 7;
    if (std::fabs(exp_max) > 99 || std::fabs(exp_min) > 99) ++width;
    os << std::scientific << std::setprecision(prec);
  } else if ((exp_max > 5 || exp_max < 0) && !never_sci) {
    width = prec + 3;
    scale = std::pow(10, exp_max - 1);
    os << std::fixed << std::setprecision(prec);
  } else {
    width = exp_max <= 0 ? prec + 3 : static_cast<int>(exp_max) + prec + 2;
    os << std::fixed << std::setprecision(prec);
  }
  return {scale, width};
}

// The "scale *" line: libtorch prints the factor in default float notation with the
// precision the value format chose.
void print_scale(std::ostream& os, double scale) {
  FormatGuard g(os);
  os << std::defaultfloat << scale << " *\n";
}

// Indices of one dim to show: all, or the first and last edgeitems (-1 marks the gap).
std::vector<int64_t> shown(int64_t n, bool summarize) {
  std::vector<int64_t> r;
  const int64_t e = g_opts.edgeitems;
  if (!summarize || n <= 2 * e) {
    for (int64_t i = 0; i < n; ++i) r.push_back(i);
  } else {
    for (int64_t i = 0; i < e; ++i) r.push_back(i);
    r.push_back(-1);
    for (int64_t i = n - e; i < n; ++i) r.push_back(i);
  }
  return r;
}

std::vector<double> values_of(const Tensor& t) {
  Tensor d = t.to(TensorOptions().dtype(kDouble).device(kCPU)).contiguous();
  const double* p = d.data_ptr<double>();
  return std::vector<double>(p, p + d.numel());
}

void print_matrix(std::ostream& os, const Tensor& m, int indent, bool summarize) {
  const std::vector<double> all = values_of(m);
  auto [scale, width] = choose_format(os, all);
  const int64_t rows = m.size(0), cols = m.size(1);
  const std::vector<int64_t> rsel = shown(rows, summarize), csel = shown(cols, summarize);
  const std::string pad(static_cast<size_t>(indent), ' ');
  os << pad;
  const int64_t per_line = std::max<int64_t>(1, (g_opts.linewidth - indent) / (width + 1));
  const int64_t ncols = static_cast<int64_t>(csel.size());
  for (int64_t first = 0; first < ncols; first += per_line) {
    const int64_t last = std::min(ncols, first + per_line) - 1;
    if (per_line < ncols) {
      // As libtorch: the header is followed by the indent, not a line break.
      if (first != 0) os << '\n';
      os << "Columns " << first + 1 << " to " << last + 1 << pad;
    }
    if (scale != 1) {
      print_scale(os, scale);
      os << pad;
    }
    for (size_t ri = 0; ri < rsel.size(); ++ri) {
      for (int64_t ci = first; ci <= last; ++ci) {
        const int64_t r = rsel[ri], c = csel[static_cast<size_t>(ci)];
        if (r < 0 || c < 0) os << std::setw(width) << "...";
        else os << std::setw(width) << all[static_cast<size_t>(r * cols + c)] / scale;
        if (ci == last) {
          os << '\n';
          if (ri + 1 != rsel.size()) os << pad << (scale != 1 ? " " : "");
        } else {
          os << ' ';
        }
      }
    }
  }
}

void print_body(std::ostream& os, const Tensor& t) {
  const bool summarize = t.numel() > g_opts.threshold;
  if (t.dim() == 0) {
    const double v = values_of(t)[0];
    // libtorch prints a 0-dim tensor with the stream's own precision; once the precision
    // or the notation was set, a floating value follows them as elements do.
    const bool as_set = isFloatingType(t.dtype()) && (g_opts.precision != 4 || g_opts.sci_mode.has_value());
    if (!as_set) os << std::defaultfloat << v << '\n';
    else if (g_opts.sci_mode.value_or(false)) os << std::scientific << std::setprecision(g_opts.precision) << v << '\n';
    else os << std::fixed << std::setprecision(g_opts.precision) << v << '\n';
  } else if (t.dim() == 1) {
    if (t.numel() > 0) {
      const std::vector<double> v = values_of(t);
      auto [scale, width] = choose_format(os, v);
      if (scale != 1) print_scale(os, scale);
      for (int64_t i : shown(t.numel(), summarize)) {
        if (i < 0) os << std::setw(width) << "..." << '\n';
        else os << std::setw(width) << v[static_cast<size_t>(i)] / scale << '\n';
      }
    }
  } else if (t.numel() == 0) {
    // libtorch prints only the footer for empty matrices and higher-dim tensors.
  } else if (t.dim() == 2) {
    print_matrix(os, t, 0, summarize);
  } else {
    // Slices (i,j,.,.) with the first index varying fastest, as libtorch prints them.
    const int64_t outer = t.dim() - 2;
    std::vector<std::vector<int64_t>> sel;
    for (int64_t d = 0; d < outer; ++d) sel.push_back(shown(t.size(d), summarize));
    std::vector<size_t> counter(static_cast<size_t>(outer), 0);
    bool first = true;
    for (;;) {
      bool gap = false;
      for (int64_t d = 0; d < outer; ++d) gap = gap || sel[static_cast<size_t>(d)][counter[static_cast<size_t>(d)]] < 0;
      if (!first) os << '\n';
      first = false;
      if (gap) {
        os << "...\n";
      } else {
        Tensor m = t;
        os << '(';
        for (int64_t d = 0; d < outer; ++d) {
          const int64_t i = sel[static_cast<size_t>(d)][counter[static_cast<size_t>(d)]];
          m = m.select(0, i);
          os << i + 1 << ',';
        }
        os << ".,.) = \n";
        print_matrix(os, m, 1, summarize);
      }
      int64_t d = 0;
      for (; d < outer; ++d) {
        if (++counter[static_cast<size_t>(d)] < sel[static_cast<size_t>(d)].size()) break;
        counter[static_cast<size_t>(d)] = 0;
      }
      if (d == outer) break;
    }
  }
}

}  // namespace

void set_printoptions(int precision, int64_t threshold, int edgeitems, int linewidth, std::optional<bool> sci_mode) {
  if (precision >= 0) g_opts.precision = precision;
  if (threshold >= 0) g_opts.threshold = threshold;
  if (edgeitems >= 0) g_opts.edgeitems = edgeitems;
  if (linewidth > 0) g_opts.linewidth = linewidth;
  g_opts.sci_mode = sci_mode;
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "[ Tensor (undefined) ]";
  NoGradGuard ng;
  FormatGuard fg(os);
  print_body(os, t);
  os << "[ " << t.toString() << '{';
  for (int64_t i = 0; i < t.dim(); ++i) os << (i ? "," : "") << t.size(i);
  os << "} ]";
  return os;
}

std::string to_string(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

}  // namespace ember
