// Upsampling (nearest, bilinear) and reflect/replicate/circular padding on CUDA, with their
// adjoints. The per-axis tables come from backends/common/resample_taps.h, the ones the CPU
// kernels use, computed on the host and copied to the device; one thread per output
// element then applies them with the CPU kernel's arithmetic (float and double; float16 and
// bfloat16 in float, rounded once). The adjoints scatter each output's gradient with
// atomics (pixels receive from several outputs), or with deterministic algorithms on,
// through sorted_scatter; 16-bit gradients are summed in float and rounded once.
#include <vector>

#include "backends/common/resample_taps.h"
#include "backends/cuda/loops.cuh"
#include "backends/cuda/sorted_scatter.cuh"

namespace ember::backend::cuda {
namespace {

using resample::Tap;

// A host table copied into stream-ordered device scratch.
template <class T>
struct DeviceTable {
  explicit DeviceTable(const std::vector<T>& host) : scratch(std::max<size_t>(host.size(), 1) * sizeof(T)) {
    if (!host.empty())
      EMBER_CUDA_CHECK(cudaMemcpyAsync(scratch.get(), host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice,
                                       current_stream()));
  }
  const T* get() const { return static_cast<const T*>(scratch.get()); }
  Scratch scratch;
};

struct Planes {
  int64_t h, w, oh, ow;
};

Planes planes_of(const TensorArg& image, const TensorArg& out) {
  EMBER_ASSERT(image.ndim == 4 && out.ndim == 4 && image.contiguous && out.contiguous,
               "upsample2d/pad2d: expected contiguous 4-D operands");
  return {image.sizes[2], image.sizes[3], out.sizes[2], out.sizes[3]};
}

// Upsampling: output pixel k blends its four taps; weights and sums in A (opmath_t<T>:
// float for 16-bit T), rounded once to T. Nearest taps copy their one source pixel, so
// infinities stay infinite instead of meeting a zero weight.
template <class T, class A>
struct ApplyTaps {
  const Tap<A>* ty;
  const Tap<A>* tx;
  const T* image;
  T* resampled;
  Planes s;
  bool nearest;
  __device__ void operator()(int64_t k, int64_t) const {
    const int64_t x = k % s.ow, y = (k / s.ow) % s.oh, q = k / (s.ow * s.oh);
    const Tap<A> a = ty[y], b = tx[x];
    const T* r0 = image + (q * s.h + a.i0) * s.w;
    const T* r1 = image + (q * s.h + a.i1) * s.w;
    if (nearest) {
      resampled[k] = r0[b.i0];
      return;
    }
    resampled[k] = static_cast<T>(a.w0 * (b.w0 * static_cast<A>(r0[b.i0]) + b.w1 * static_cast<A>(r0[b.i1])) +
                                  a.w1 * (b.w0 * static_cast<A>(r1[b.i0]) + b.w1 * static_cast<A>(r1[b.i1])));
  }
};

// The adjoint: output pixel k sends its gradient to its four taps, slots 4k..4k+3 of a
// scatter_add sink (several outputs share a tap); with nearest taps (one source pixel of
// weight 1) to that one pixel, slot k.
template <class T, class A, class Sink>
struct ApplyTapsAdjoint {
  const Tap<A>* ty;
  const Tap<A>* tx;
  const T* resampled;
  Sink sink;
  Planes s;
  bool nearest;
  __device__ void operator()(int64_t k, int64_t) const {
    const int64_t x = k % s.ow, y = (k / s.ow) % s.oh, q = k / (s.ow * s.oh);
    const Tap<A> a = ty[y], b = tx[x];
    const int64_t r0 = (q * s.h + a.i0) * s.w, r1 = (q * s.h + a.i1) * s.w;
    const A g = static_cast<A>(resampled[k]);
    if (nearest) return sink(k, r0 + b.i0, g);
    sink(4 * k, r0 + b.i0, a.w0 * b.w0 * g);
    sink(4 * k + 1, r0 + b.i1, a.w0 * b.w1 * g);
    sink(4 * k + 2, r1 + b.i0, a.w1 * b.w0 * g);
    sink(4 * k + 3, r1 + b.i1, a.w1 * b.w1 * g);
  }
};

template <bool Adjoint>
void upsample(Backend::UpsampleMode mode, const TensorArg& image, const TensorArg& res,
              const Backend::UpsampleParams& p, const char* name) {
  const Planes s = planes_of(image, res);
  dispatch_floating_with_16bit(image.dtype, name, [&](auto t) {
    using T = decltype(t);
    using A = math::opmath_t<T>;
    std::vector<Tap<A>> ty, tx;
    if (mode == Backend::UpsampleMode::Nearest) {
      ty = resample::cast_taps<A>(resample::nearest_taps(s.h, s.oh, p.scale_h));
      tx = resample::cast_taps<A>(resample::nearest_taps(s.w, s.ow, p.scale_w));
    } else {
      ty = resample::linear_taps<A>(s.h, s.oh, p.align_corners, p.scale_h);
      tx = resample::linear_taps<A>(s.w, s.ow, p.align_corners, p.scale_w);
    }
    const DeviceTable<Tap<A>> dy(ty), dx(tx);
    const bool nearest = mode == Backend::UpsampleMode::Nearest;
    if constexpr (Adjoint) {
      zero_and_scatter_add(static_cast<T*>(image.data), image.numel, (nearest ? 1 : 4) * res.numel, [&](auto sink) {
        launch_indexed(res.numel, ApplyTapsAdjoint<T, A, decltype(sink)>{
                                      dy.get(), dx.get(), static_cast<const T*>(res.data), sink, s, nearest});
      });
    } else {
      launch_indexed(res.numel, ApplyTaps<T, A>{dy.get(), dx.get(), static_cast<const T*>(image.data),
                                                static_cast<T*>(res.data), s, nearest});
    }
  });
}

// Padding copies image pixels (reflect and replicate copy one to several places).
template <class T>
struct PadGather {
  const int64_t* my;
  const int64_t* mx;
  const T* image;
  T* padded;
  Planes s;
  __device__ void operator()(int64_t k, int64_t) const {
    const int64_t x = k % s.ow, y = (k / s.ow) % s.oh, q = k / (s.ow * s.oh);
    padded[k] = image[(q * s.h + my[y]) * s.w + mx[x]];
  }
};

// The adjoint of PadGather: padded pixel k adds to the image pixel it copies, slot k of a
// scatter_add sink, in A.
template <class T, class A, class Sink>
struct PadScatter {
  const int64_t* my;
  const int64_t* mx;
  const T* padded;
  Sink sink;
  Planes s;
  __device__ void operator()(int64_t k, int64_t) const {
    const int64_t x = k % s.ow, y = (k / s.ow) % s.oh, q = k / (s.ow * s.oh);
    sink(k, (q * s.h + my[y]) * s.w + mx[x], static_cast<A>(padded[k]));
  }
};

template <bool Adjoint>
void pad(Backend::PadMode mode, const TensorArg& image, const TensorArg& padded, int64_t top, int64_t left,
         const char* name) {
  const Planes s = planes_of(image, padded);
  const DeviceTable<int64_t> my(resample::pad_map(mode, s.h, s.oh, top)), mx(resample::pad_map(mode, s.w, s.ow, left));
  if constexpr (Adjoint) {
    auto run = [&](auto t) {
      using T = decltype(t);
      using A = math::opmath_t<T>;
      zero_and_scatter_add(static_cast<T*>(image.data), image.numel, padded.numel, [&](auto sink) {
        launch_indexed(padded.numel, PadScatter<T, A, decltype(sink)>{my.get(), mx.get(),
                                                                      static_cast<const T*>(padded.data), sink, s});
      });
    };
    switch (image.dtype) {
      case kFloat: return run(float{});
      case kDouble: return run(double{});
      case kHalf: return run(math::Half{});
      case kBFloat16: return run(math::BFloat16{});
      case kInt: return run(int32_t{});
      case kLong: return run(int64_t{});
      default:
        ::ember::detail::throw_error<DTypeError>(name, "not implemented for dtype ", image.dtype, " on CUDA");
    }
  } else {
    dispatch_with_16bit(image.dtype, name, [&](auto t) {
      using T = decltype(t);
      launch_indexed(padded.numel, PadGather<T>{my.get(), mx.get(), static_cast<const T*>(image.data),
                                                 static_cast<T*>(padded.data), s});
    });
  }
}

}  // namespace

void CudaBackend::upsample2d(UpsampleMode mode, const TensorArg& in, const TensorArg& out, const UpsampleParams& p) {
  upsample<false>(mode, in, out, p, "upsample2d");
}
void CudaBackend::upsample2d_backward(UpsampleMode mode, const TensorArg& grad_out, const TensorArg& grad_in,
                                      const UpsampleParams& p) {
  upsample<true>(mode, grad_in, grad_out, p, "upsample2d_backward");
}
void CudaBackend::pad2d(PadMode mode, const TensorArg& in, const TensorArg& out, int64_t top, int64_t left) {
  pad<false>(mode, in, out, top, left, "pad2d");
}
void CudaBackend::pad2d_backward(PadMode mode, const TensorArg& grad_out, const TensorArg& grad_in, int64_t top,
                                 int64_t left) {
  pad<true>(mode, grad_in, grad_out, top, left, "pad2d_backward");
}

}  // namespace ember::backend::cuda
