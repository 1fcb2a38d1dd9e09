// Helpers shared by the ops: numpy broadcasting, axis normalization, the
// 2-D window geometry of Conv, ConvTranspose and the pools (1-D inputs are
// run as H = 1), and UnaryOp, the base of the element-by-element ops.
//
//   Broadcast b;
//   XM_TRY(broadcast_plan(a_shape, b_shape, &b));  // b.out, per-input strides
//   broadcast_for_each(b, [&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t sa, int64_t sb) {...});
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/op.h"
#include "kernels/thread_pool.h"

namespace xm {

struct Broadcast {
  Shape out;
  std::vector<int64_t> sa, sb;  // element strides of a and b over out's dims (0 where broadcast)
};

// numpy broadcasting of two shapes; false when they do not broadcast.
bool broadcast_plan(const Shape& a, const Shape& b, Broadcast* r);

// Calls fn(out_offset, a_offset, b_offset, n, a_step, b_step) for runs of n
// consecutive output elements along the last dimension.
template <class F>
void broadcast_for_each(const Broadcast& b, F&& fn) {
  const int r = int(b.out.size());
  if (r == 0) {
    fn(0, 0, 0, 1, 0, 0);
    return;
  }
  const int64_t inner = b.out[size_t(r - 1)];
  const int64_t total = shape_numel(b.out);
  if (total == 0) return;
  std::vector<int64_t> idx(size_t(r), 0);  // small: rank entries, not per element
  int64_t ia = 0, ib = 0;
  for (int64_t o = 0; o < total; o += inner) {
    fn(o, ia, ib, inner, b.sa[size_t(r - 1)], b.sb[size_t(r - 1)]);
    for (int d = r - 2; d >= 0; --d) {
      ia += b.sa[size_t(d)];
      ib += b.sb[size_t(d)];
      if (++idx[size_t(d)] < b.out[size_t(d)]) break;
      ia -= b.sa[size_t(d)] * b.out[size_t(d)];
      ib -= b.sb[size_t(d)] * b.out[size_t(d)];
      idx[size_t(d)] = 0;
    }
  }
}

// Splits [0,n) over the pool when the work is large enough to pay for it.
template <class F>
void parallel_elements(int64_t n, F&& fn) {
  if (n < (int64_t(1) << 15) || num_threads() == 1) {
    fn(int64_t(0), n);
    return;
  }
  parallel_for(n, [&](int64_t b, int64_t e) { fn(b, e); });
}

// Ops with one input whose output has its shape, element by element (Relu,
// Sigmoid, Tanh, LeakyRelu, Clip; Identity and Dropout through CopyOp).
// init accepts no attribute (ops with some override it); map and accumulate
// write the element loops once.
//
//   void forward(const OpRun& r) override { map(r, [](float v) { return std::tanh(v); }); }
//   void backward(const OpRun& r) override {
//     const float *y = r.out[0], *gy = r.gout[0];
//     accumulate(r, [&](int64_t i) { return gy[i] * (1.0f - y[i] * y[i]); });
//   }
class UnaryOp : public Op {
public:
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({}));
    return c.expect_inputs(1, 1);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    out->push_back(s.in[0]);
    return Status::ok();
  }

protected:
  // y[i] = f(x[i]), split over the pool when large.
  template <class F>
  static void map(const OpRun& r, F&& f) {
    const float* x = r.in[0];
    float* y = r.out[0];
    parallel_elements(shape_numel(r.in_shape[0]), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) y[i] = f(x[i]);
    });
  }
  // gx[i] += g(i), the gradient of element i (g reads gy, x or y at i).
  template <class G>
  static void accumulate(const OpRun& r, G&& g) {
    float* gx = r.gin[0];
    parallel_elements(shape_numel(r.in_shape[0]), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) gx[i] += g(i);
    });
  }
};

inline bool normalize_axis(int64_t a, int64_t rank, int64_t* out) {
  if (a < -rank || a >= rank) return false;
  *out = a < 0 ? a + rank : a;
  return true;
}

// Window geometry in 2-D: x [N,C,H,W] → y [N,M,OH,OW].
struct Window2d {
  int64_t N = 0, C = 0, H = 0, W = 0, OH = 0, OW = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 0, pl = 0, pb = 0, pr = 0;
};

// Window attributes as the ONNX ops spell them, parsed once.
struct WindowAttrs {
  int spatial = 2;  // 1 or 2 (3-D is refused)
  std::vector<int64_t> kernel, strides, pads, dilations;
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;
  // kernel_from_weight: Conv may omit kernel_shape (it comes from W).
  Status parse(const OpInit& c, bool has_dilations, bool has_ceil);
  // Output geometry for input shape x (rank 3 or 4); kernel from `kshape` when attrs lack it.
  Status geometry(const std::string& label, const Shape& x, const std::vector<int64_t>& kshape, Window2d* g) const;
};

Shape window_out_shape(const Shape& x, int64_t channels, const Window2d& g);
// Pools: every pad smaller than the (dilated) window, so no window lies wholly
// in the padding (it would pool nothing: -inf from MaxPool), as ONNX Runtime asks.
Status window_pads_check(const std::string& label, const Window2d& g);

}  // namespace xm
