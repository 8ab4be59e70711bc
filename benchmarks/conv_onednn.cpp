// ember's convolution (im2col + OpenBLAS sgemm), max pooling and batch norm against
// oneDNN primitives, on the layers of the CNN that benchmarks/model_workloads.cpp trains:
// conv 1->32 on 28x28 and conv 32->64 on 14x14 (3x3, padding 1, batch 64, float32),
// max_pool2d 2x2 and training batch norm on their outputs.
//
// oneDNN runs in three ways:
//   plain    primitives created on NCHW / OIHW memory, which is what a drop-in replacement
//            of ember's kernels sees (oneDNN picks an implementation for plain layouts);
//   any+ro   primitives created with format `any` (blocked layouts), fed from and written
//            back to NCHW / OIHW memory, the reorders included in the time;
//   any      the same primitives with the reorders excluded: the best case, for a network
//            that keeps its activations in oneDNN's blocked layouts throughout.
// ember runs through its ops: conv2d forward (no grad) and convolution_backward for the
// input gradient and for the weight and bias gradients; max_pool2d and batch_norm in grad
// mode with backward through autograd. Each row reports the median over --runs timed
// calls after warm-up, the spread (min..max) of wall time, and the median process CPU time,
// then the ratios oneDNN / ember (plain, any+ro, any) of the wall and of the CPU medians.
// Every result of oneDNN is compared with ember's (max abs diff).
//
// Usage: bench_conv_onednn [--threads N] [--runs R] [--only conv|pool|bn]
// oneDNN's threads are OpenMP threads (Debian's build), set with omp_set_num_threads.
#include <ember/ember.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#ifdef BENCH_HAVE_OPENMP
#include <omp.h>
#endif

namespace {

using ember::Tensor;
using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

int runs = 30;
Tensor sink_tensor;  // results assigned here are not optimised away
int warmup = 5;

double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}
double wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

struct Timing {
  double median = 0, min = 0, max = 0, cpu = 0;
};

/// Warms up, then times `fn` `runs` times; `prep` runs untimed before every call.
Timing time_it(const std::function<void()>& fn, const std::function<void()>& prep = {}) {
  for (int i = 0; i < warmup; ++i) {
    if (prep) prep();
    fn();
  }
  std::vector<double> w, c;
  for (int i = 0; i < runs; ++i) {
    if (prep) prep();
    const double c0 = cpu_ms(), w0 = wall_ms();
    fn();
    w.push_back(wall_ms() - w0);
    c.push_back(cpu_ms() - c0);
  }
  std::sort(w.begin(), w.end());
  std::sort(c.begin(), c.end());
  return {w[w.size() / 2], w.front(), w.back(), c[c.size() / 2]};
}

std::string fmt(const Timing& t) {
  char b[96];
  std::snprintf(b, sizeof b, "%8.3f [%7.3f..%8.3f] cpu %8.3f", t.median, t.min, t.max, t.cpu);
  return b;
}

void row(const char* layer, const char* pass, const Timing& e, const Timing& plain, const Timing& any_ro,
         const Timing& any) {
  // ratios oneDNN / ember of the wall medians and of the CPU medians
  std::printf("%-20s %-16s ember %s | plain %s | any+ro %s | any %s | ratio wall %.2f %.2f %.2f cpu %.2f %.2f %.2f\n",
              layer, pass, fmt(e).c_str(), fmt(plain).c_str(), fmt(any_ro).c_str(), fmt(any).c_str(),
              plain.median / e.median, any_ro.median / e.median, any.median / e.median, plain.cpu / e.cpu,
              any_ro.cpu / e.cpu, any.cpu / e.cpu);
  std::fflush(stdout);
}

dnnl::engine& eng() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}
dnnl::stream& strm() {
  static dnnl::stream s(eng());
  return s;
}

/// A plain (NCHW / OIHW / x) buffer and, when the primitive wants another layout, a
/// buffer in that layout with the reorders between the two.
struct Arg {
  memory plain, used;
  bool reorder = false;
  Arg() = default;
  Arg(const memory::desc& plain_md, const memory::desc& used_md) {
    plain = memory(plain_md, eng());
    reorder = !(plain_md == used_md);
    used = reorder ? memory(used_md, eng()) : plain;
  }
  void to_used() {
    if (reorder) dnnl::reorder(plain, used).execute(strm(), plain, used);
  }
  void to_plain() {
    if (reorder) dnnl::reorder(used, plain).execute(strm(), used, plain);
  }
  float* ptr() const { return static_cast<float*>(plain.get_data_handle()); }
};

void fill(const memory& m, const Tensor& t) {
  std::memcpy(m.get_data_handle(), t.contiguous().data_ptr<float>(), t.numel() * sizeof(float));
}

double max_abs_diff(const memory& m, const Tensor& t) {
  const Tensor c = t.contiguous();
  const float* a = static_cast<const float*>(m.get_data_handle());
  const float* b = c.data_ptr<float>();
  double d = 0;
  for (int64_t i = 0; i < c.numel(); ++i) d = std::max(d, static_cast<double>(std::fabs(a[i] - b[i])));
  return d;
}

double max_abs(const Tensor& t) { return t.abs().max().item<double>(); }

/// A primitive with its arguments; `run(true)` includes the reorders from and to plain
/// memory, `run(false)` runs the primitive alone.
struct Prim {
  dnnl::primitive p;
  std::unordered_map<int, Arg*> in, out;
  std::unordered_map<int, memory> extra;  // workspace and the like, not reordered
  void run(bool with_reorders) {
    if (with_reorders)
      for (auto& [k, a] : in) a->to_used();
    std::unordered_map<int, memory> args(extra);
    for (auto& [k, a] : in) args[k] = a->used;
    for (auto& [k, a] : out) args[k] = a->used;
    p.execute(strm(), args);
    if (with_reorders)
      for (auto& [k, a] : out) a->to_plain();
    strm().wait();
  }
  void finish() {  // outputs back to plain memory, for the comparison
    for (auto& [k, a] : out) a->to_plain();
    strm().wait();
  }
};

// Times a forward/backward primitive pair in the given layout (and, for blocked layouts,
// with the reorders to and from NCHW), then leaves their outputs in plain memory.
void time_pair(Prim& pf, Prim& pb, bool blocked, Timing (&tf)[2], Timing (&tb)[2], Timing& tf_ro, Timing& tb_ro) {
  tf[blocked] = time_it([&] { pf.run(false); });
  tb[blocked] = time_it([&] { pb.run(false); });
  if (blocked) {
    tf_ro = time_it([&] { pf.run(true); });
    tb_ro = time_it([&] { pb.run(true); });
  }
  pf.run(false);
  pb.run(false);
  pf.finish();
  pb.finish();
}

memory::desc md(const memory::dims& d, tag t) { return memory::desc(d, dt::f32, t); }

// ---- convolution --------------------------------------------------------------------
void bench_conv(const char* name, int64_t c_in, int64_t c_out, int64_t hw) {
  const int64_t n = 64;
  ember::manual_seed(0);
  Tensor x = ember::rand({n, c_in, hw, hw});
  Tensor w = ember::rand({c_out, c_in, 3, 3}) - 0.5;
  Tensor b = ember::rand({c_out}) - 0.5;
  Tensor gy = ember::rand({n, c_out, hw, hw}) - 0.5;
  const std::vector<int64_t> one{1, 1}, zero{0, 0}, bias_sizes{c_out};

  // ember
  Tensor y, gx, gw, gb;
  auto e_fwd = [&] {
    ember::NoGradGuard g;
    y = ember::conv2d(x, w, b, one, one);
  };
  auto e_bwd_data = [&] {
    gx = std::get<0>(ember::convolution_backward(gy, x, w, ember::IntArrayRef(bias_sizes), one, one, one, false,
                                                 zero, 1, {true, false, false}));
  };
  auto e_bwd_weights = [&] {
    auto r = ember::convolution_backward(gy, x, w, ember::IntArrayRef(bias_sizes), one, one, one, false, zero, 1,
                                         {false, true, true});
    gw = std::get<1>(r);
    gb = std::get<2>(r);
  };
  const Timing te_f = time_it(e_fwd), te_bd = time_it(e_bwd_data), te_bw = time_it(e_bwd_weights);
  // ember through autograd, as the conv2d rows of bench_ember run it (gradient of .sum()).
  Tensor xa = x.detach().requires_grad_(c_in > 1), wa = w.detach().requires_grad_(), ba = b.detach().requires_grad_();
  const Timing te_auto = time_it(
      [&] { ember::conv2d(xa, wa, ba, one, one).sum().backward(); },
      [&] {
        wa.mutable_grad() = Tensor();
        ba.mutable_grad() = Tensor();
        if (xa.requires_grad()) xa.mutable_grad() = Tensor();
      });

  // oneDNN
  const memory::dims src_d{n, c_in, hw, hw}, wei_d{c_out, c_in, 3, 3}, bias_d{c_out}, dst_d{n, c_out, hw, hw},
      st{1, 1}, pad{1, 1};
  const auto alg = dnnl::algorithm::convolution_direct;
  struct Mode {
    const char* name;
    Timing f, bd, bw;
    std::string impl_f, impl_bd, impl_bw;
    double d_y, d_gx, d_gw, d_gb;
  };
  std::vector<Mode> modes;
  Timing any_ro_f, any_ro_bd, any_ro_bw;
  for (bool blocked : {false, true}) {
    const tag s_t = blocked ? tag::any : tag::nchw, w_t = blocked ? tag::any : tag::oihw;
    const auto src_md = md(src_d, s_t), wei_md = md(wei_d, w_t), dst_md = md(dst_d, s_t), bias_md = md(bias_d, tag::x);
    dnnl::convolution_forward::primitive_desc fpd(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, src_md, wei_md, bias_md, dst_md, st,
                                        pad, pad),
        eng());
    dnnl::convolution_backward_data::primitive_desc bdpd(
        dnnl::convolution_backward_data::desc(alg, src_md, wei_md, dst_md, st, pad, pad), eng(), fpd);
    dnnl::convolution_backward_weights::primitive_desc bwpd(
        dnnl::convolution_backward_weights::desc(alg, src_md, wei_md, bias_md, dst_md, st, pad, pad), eng(), fpd);

    Arg f_src(md(src_d, tag::nchw), fpd.src_desc()), f_wei(md(wei_d, tag::oihw), fpd.weights_desc()),
        f_bias(md(bias_d, tag::x), fpd.bias_desc()), f_dst(md(dst_d, tag::nchw), fpd.dst_desc());
    Arg d_ddst(md(dst_d, tag::nchw), bdpd.diff_dst_desc()), d_wei(md(wei_d, tag::oihw), bdpd.weights_desc()),
        d_dsrc(md(src_d, tag::nchw), bdpd.diff_src_desc());
    Arg w_src(md(src_d, tag::nchw), bwpd.src_desc()), w_ddst(md(dst_d, tag::nchw), bwpd.diff_dst_desc()),
        w_dwei(md(wei_d, tag::oihw), bwpd.diff_weights_desc()), w_dbias(md(bias_d, tag::x), bwpd.diff_bias_desc());
    fill(f_src.plain, x);
    fill(f_wei.plain, w);
    fill(f_bias.plain, b);
    fill(d_ddst.plain, gy);
    fill(d_wei.plain, w);
    fill(w_src.plain, x);
    fill(w_ddst.plain, gy);

    Prim pf{dnnl::convolution_forward(fpd),
            {{DNNL_ARG_SRC, &f_src}, {DNNL_ARG_WEIGHTS, &f_wei}, {DNNL_ARG_BIAS, &f_bias}},
            {{DNNL_ARG_DST, &f_dst}},
            {}};
    Prim pbd{dnnl::convolution_backward_data(bdpd),
             {{DNNL_ARG_DIFF_DST, &d_ddst}, {DNNL_ARG_WEIGHTS, &d_wei}},
             {{DNNL_ARG_DIFF_SRC, &d_dsrc}},
             {}};
    Prim pbw{dnnl::convolution_backward_weights(bwpd),
             {{DNNL_ARG_SRC, &w_src}, {DNNL_ARG_DIFF_DST, &w_ddst}},
             {{DNNL_ARG_DIFF_WEIGHTS, &w_dwei}, {DNNL_ARG_DIFF_BIAS, &w_dbias}},
             {}};
    // the inputs in the primitive's layout once, for the runs without reorders
    for (Arg* a : {&f_src, &f_wei, &f_bias, &d_ddst, &d_wei, &w_src, &w_ddst}) a->to_used();
    strm().wait();

    Mode m{blocked ? "any" : "plain", {}, {}, {}, fpd.impl_info_str(), bdpd.impl_info_str(), bwpd.impl_info_str(),
           0, 0, 0, 0};
    m.f = time_it([&] { pf.run(false); });
    m.bd = time_it([&] { pbd.run(false); });
    m.bw = time_it([&] { pbw.run(false); });
    if (blocked) {
      any_ro_f = time_it([&] { pf.run(true); });
      any_ro_bd = time_it([&] { pbd.run(true); });
      any_ro_bw = time_it([&] { pbw.run(true); });
    }
    pf.finish();
    pbd.finish();
    pbw.finish();
    m.d_y = max_abs_diff(f_dst.plain, y);
    m.d_gx = max_abs_diff(d_dsrc.plain, gx);
    m.d_gw = max_abs_diff(w_dwei.plain, gw);
    m.d_gb = max_abs_diff(w_dbias.plain, gb);
    std::printf("# %s oneDNN %-5s layouts: src %s wei %s dst %s | impl fwd %s, bwd_data %s, bwd_weights %s\n", name,
                m.name, fpd.src_desc() == md(src_d, tag::nchw) ? "nchw" : "blocked",
                fpd.weights_desc() == md(wei_d, tag::oihw) ? "oihw" : "blocked",
                fpd.dst_desc() == md(dst_d, tag::nchw) ? "nchw" : "blocked", m.impl_f.c_str(), m.impl_bd.c_str(),
                m.impl_bw.c_str());
    std::printf("# %s oneDNN %-5s max abs diff vs ember: y %.3g (|y| max %.3g), grad_input %.3g (max %.3g), "
                "grad_weight %.3g (max %.3g), grad_bias %.3g (max %.3g)\n",
                name, m.name, m.d_y, max_abs(y), m.d_gx, max_abs(gx), m.d_gw, max_abs(gw), m.d_gb, max_abs(gb));
    modes.push_back(m);
  }
  const Mode &p = modes[0], &a = modes[1];
  row(name, "fwd", te_f, p.f, any_ro_f, a.f);
  row(name, "bwd data", te_bd, p.bd, any_ro_bd, a.bd);
  row(name, "bwd weights+bias", te_bw, p.bw, any_ro_bw, a.bw);
  auto sum = [](std::initializer_list<Timing> ts) {
    Timing s;
    for (const Timing& t : ts) {
      s.median += t.median;
      s.min += t.min;
      s.max += t.max;
      s.cpu += t.cpu;
    }
    return s;
  };
  // the training step of the layer: the first layer needs no input gradient
  const bool data = c_in > 1;
  const Timing e_tot = data ? sum({te_f, te_bd, te_bw}) : sum({te_f, te_bw});
  const Timing p_tot = data ? sum({p.f, p.bd, p.bw}) : sum({p.f, p.bw});
  const Timing r_tot = data ? sum({any_ro_f, any_ro_bd, any_ro_bw}) : sum({any_ro_f, any_ro_bw});
  const Timing a_tot = data ? sum({a.f, a.bd, a.bw}) : sum({a.f, a.bw});
  row(name, data ? "step (f+bd+bw)" : "step (f+bw)", e_tot, p_tot, r_tot, a_tot);
  std::printf("# %s ember conv2d(...).sum().backward() (autograd, as bench_ember): %s\n", name,
              fmt(te_auto).c_str());
}

// ---- max pooling 2x2 ----------------------------------------------------------------
void bench_pool(const char* name, int64_t c, int64_t hw) {
  const int64_t n = 64, ho = hw / 2;
  ember::manual_seed(0);
  Tensor x = ember::randn({n, c, hw, hw});
  Tensor gy = ember::rand({n, c, ho, ho}) - 0.5;
  Tensor xa = x.detach().requires_grad_();
  Tensor y;
  const Timing te_f = time_it([&] { y = ember::max_pool2d(xa, 2); });
  const Timing te_b = time_it([&] { y.backward(gy); },
                              [&] {
                                xa.mutable_grad() = Tensor();
                                y = ember::max_pool2d(xa, 2);
                              });
  const Timing te_f_nograd = time_it([&] {
    ember::NoGradGuard g;
    sink_tensor = ember::max_pool2d(x, 2);
  });

  const memory::dims src_d{n, c, hw, hw}, dst_d{n, c, ho, ho}, k{2, 2}, pad{0, 0};
  Timing tf[2], tb[2], tf_ro, tb_ro;
  double d_y[2], d_gx[2];
  std::string impl[2];
  for (int blocked = 0; blocked < 2; ++blocked) {
    // pooling takes a defined source layout: the blocked one is what a oneDNN convolution
    // with format `any` writes for these channels (nChw8c with AVX2, nChw16c with AVX-512)
    memory::desc src_used = md(src_d, tag::nchw);
    if (blocked) {
      dnnl::convolution_forward::primitive_desc cpd(
          dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                          md({n, c, hw, hw}, tag::any), md({c, c, 3, 3}, tag::any),
                                          md({n, c, hw, hw}, tag::any), {1, 1}, {1, 1}, {1, 1}),
          eng());
      src_used = cpd.dst_desc();
    }
    const auto dst_md = md(dst_d, blocked ? tag::any : tag::nchw);
    dnnl::pooling_forward::primitive_desc fpd(
        dnnl::pooling_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::pooling_max, src_used, dst_md,
                                    k, k, pad, pad),
        eng());
    dnnl::pooling_backward::primitive_desc bpd(
        dnnl::pooling_backward::desc(dnnl::algorithm::pooling_max, src_used, dst_md, k, k, pad, pad), eng(), fpd);
    Arg src(md(src_d, tag::nchw), fpd.src_desc()), dst(md(dst_d, tag::nchw), fpd.dst_desc());
    Arg ddst(md(dst_d, tag::nchw), bpd.diff_dst_desc()), dsrc(md(src_d, tag::nchw), bpd.diff_src_desc());
    memory ws(fpd.workspace_desc(), eng());
    fill(src.plain, x);
    fill(ddst.plain, gy);
    src.to_used();
    ddst.to_used();
    strm().wait();
    Prim pf{dnnl::pooling_forward(fpd), {{DNNL_ARG_SRC, &src}}, {{DNNL_ARG_DST, &dst}}, {{DNNL_ARG_WORKSPACE, ws}}};
    Prim pb{dnnl::pooling_backward(bpd),
            {{DNNL_ARG_DIFF_DST, &ddst}},
            {{DNNL_ARG_DIFF_SRC, &dsrc}},
            {{DNNL_ARG_WORKSPACE, ws}}};
    time_pair(pf, pb, blocked, tf, tb, tf_ro, tb_ro);
    d_y[blocked] = max_abs_diff(dst.plain, y);
    d_gx[blocked] = max_abs_diff(dsrc.plain, xa.grad());
    impl[blocked] = fpd.impl_info_str() + std::string("/") + bpd.impl_info_str();
  }
  std::printf("# %s oneDNN impl plain %s, blocked %s; max abs diff vs ember: plain y %.3g grad_input %.3g, "
              "blocked y %.3g grad_input %.3g\n",
              name, impl[0].c_str(), impl[1].c_str(), d_y[0], d_gx[0], d_y[1], d_gx[1]);
  row(name, "fwd", te_f, tf[0], tf_ro, tf[1]);
  row(name, "bwd", te_b, tb[0], tb_ro, tb[1]);
  std::printf("# %s ember max_pool2d forward without grad mode: %s\n", name, fmt(te_f_nograd).c_str());
}

// ---- batch norm, training -----------------------------------------------------------
void bench_bn(const char* name, int64_t c, int64_t hw) {
  const int64_t n = 64;
  const double eps = 1e-5;
  ember::manual_seed(0);
  Tensor x = ember::randn({n, c, hw, hw}) * 2 + 1;
  Tensor gy = ember::rand({n, c, hw, hw}) - 0.5;
  Tensor wa = (ember::rand({c}) + 0.5).requires_grad_(), ba = (ember::rand({c}) - 0.5).requires_grad_();
  Tensor rm = ember::zeros({c}), rv = ember::ones({c});
  Tensor xa = x.detach().requires_grad_();
  Tensor y;
  auto fwd = [&] { y = ember::batch_norm(xa, wa, ba, rm, rv, true, 0.1, eps, false); };
  const Timing te_f = time_it(fwd);
  const Timing te_b = time_it([&] { y.backward(gy); },
                              [&] {
                                xa.mutable_grad() = Tensor();
                                wa.mutable_grad() = Tensor();
                                ba.mutable_grad() = Tensor();
                                fwd();
                              });

  const memory::dims d{n, c, hw, hw}, cd{c};
  const auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
  Timing tf[2], tb[2], tf_ro, tb_ro;
  double d_y[2], d_gx[2], d_gw[2], d_gb[2];
  std::string impl[2];
  for (int blocked = 0; blocked < 2; ++blocked) {
    memory::desc used = md(d, tag::nchw);
    if (blocked) {
      dnnl::convolution_forward::primitive_desc cpd(
          dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                          md(d, tag::any), md({c, c, 3, 3}, tag::any), md(d, tag::any), {1, 1},
                                          {1, 1}, {1, 1}),
          eng());
      used = cpd.dst_desc();
    }
    dnnl::batch_normalization_forward::primitive_desc fpd(
        dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training, used, static_cast<float>(eps),
                                                flags),
        eng());
    dnnl::batch_normalization_backward::primitive_desc bpd(
        dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, used, used, static_cast<float>(eps),
                                                 flags),
        eng(), fpd);
    Arg src(md(d, tag::nchw), fpd.src_desc()), dst(md(d, tag::nchw), fpd.dst_desc());
    Arg ddst(md(d, tag::nchw), bpd.diff_dst_desc()), dsrc(md(d, tag::nchw), bpd.diff_src_desc());
    Arg scale(md(cd, tag::x), md(cd, tag::x)), shift(md(cd, tag::x), md(cd, tag::x)),
        dscale(md(cd, tag::x), md(cd, tag::x)), dshift(md(cd, tag::x), md(cd, tag::x));
    memory mean(fpd.mean_desc(), eng()), var(fpd.variance_desc(), eng());
    fill(src.plain, x);
    fill(ddst.plain, gy);
    fill(scale.plain, wa.detach());
    fill(shift.plain, ba.detach());
    src.to_used();
    ddst.to_used();
    strm().wait();
    Prim pf{dnnl::batch_normalization_forward(fpd),
            {{DNNL_ARG_SRC, &src}, {DNNL_ARG_SCALE, &scale}, {DNNL_ARG_SHIFT, &shift}},
            {{DNNL_ARG_DST, &dst}},
            {{DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, var}}};
    Prim pb{dnnl::batch_normalization_backward(bpd),
            {{DNNL_ARG_SRC, &src}, {DNNL_ARG_DIFF_DST, &ddst}, {DNNL_ARG_SCALE, &scale}, {DNNL_ARG_SHIFT, &shift}},
            {{DNNL_ARG_DIFF_SRC, &dsrc}, {DNNL_ARG_DIFF_SCALE, &dscale}, {DNNL_ARG_DIFF_SHIFT, &dshift}},
            {{DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, var}}};
    time_pair(pf, pb, blocked, tf, tb, tf_ro, tb_ro);
    d_y[blocked] = max_abs_diff(dst.plain, y);
    d_gx[blocked] = max_abs_diff(dsrc.plain, xa.grad());
    d_gw[blocked] = max_abs_diff(dscale.plain, wa.grad());
    d_gb[blocked] = max_abs_diff(dshift.plain, ba.grad());
    impl[blocked] = fpd.impl_info_str() + std::string("/") + bpd.impl_info_str();
  }
  std::printf("# %s oneDNN impl plain %s, blocked %s; max abs diff vs ember: plain y %.3g grad_input %.3g "
              "grad_weight %.3g grad_bias %.3g, blocked y %.3g grad_input %.3g grad_weight %.3g grad_bias %.3g\n",
              name, impl[0].c_str(), impl[1].c_str(), d_y[0], d_gx[0], d_gw[0], d_gb[0], d_y[1], d_gx[1], d_gw[1],
              d_gb[1]);
  row(name, "fwd", te_f, tf[0], tf_ro, tf[1]);
  row(name, "bwd", te_b, tb[0], tb_ro, tb[1]);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--threads N] [--runs R] [--only conv|pool|bn]\n", argv[0]);
      return 2;
    }
  }
  ember::set_num_threads(threads);
#ifdef BENCH_HAVE_OPENMP
  omp_set_num_threads(threads);
#endif
  const dnnl::version_t* v = dnnl::version();
  std::printf("# oneDNN %d.%d.%d (%s), threads %d, %d runs after %d warm-up; times in ms: median [min..max] "
              "wall, median process CPU\n",
              v->major, v->minor, v->patch, v->hash, threads, runs, warmup);
  if (only.empty() || only == "conv") {
    bench_conv("conv 1->32 28x28", 1, 32, 28);
    bench_conv("conv 32->64 14x14", 32, 64, 14);
  }
  if (only.empty() || only == "pool") {
    bench_pool("maxpool 32x28x28", 32, 28);
    bench_pool("maxpool 64x14x14", 64, 14);
  }
  if (only.empty() || only == "bn") {
    bench_bn("batchnorm 32x28x28", 32, 28);
    bench_bn("batchnorm 64x14x14", 64, 14);
  }
  return 0;
}
