// ReduceMean over `axes` (all when absent), keeping them as size 1 when
// keepdims. Axes are an attribute before opset 18 and a (constant) input from
// 18. Backward spreads dy / count over the reduced elements. ref: ONNX ReduceMean-13/18.
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class ReduceMeanOp : public Op {
  std::vector<int64_t> axes_attr_;
  bool axes_input_ = false, keepdims_ = true, noop_empty_ = false;

  // Which dims are reduced, as a bit mask (rank <= MAX_RANK).
  Status mask_for(const Shape& x, const StaticTensor* ax, uint32_t* mask) const {
    std::vector<int64_t> axes = axes_attr_;
    if (axes_input_ && ax) {
      axes.clear();
      for (int64_t k = 0; k < ax->numel(); ++k) axes.push_back(int64_t(ax->at(k)));
    }
    *mask = 0;
    if (axes.empty()) {
      if (!noop_empty_) *mask = (1u << x.size()) - 1;
      return Status::ok();
    }
    for (int64_t a : axes) {
      int64_t na = 0;
      if (!normalize_axis(a, int64_t(x.size()), &na)) return Status::error(label + ": axis out of range");
      *mask |= 1u << na;
    }
    return Status::ok();
  }
  // fn(in_index, out_index) over every input element.
  template <class F>
  static void walk(const Shape& x, uint32_t mask, F&& fn) {
    const size_t r = x.size();
    int64_t ost[onnx::MAX_RANK] = {}, idx[onnx::MAX_RANK] = {};
    int64_t s = 1;
    for (size_t d = r; d-- > 0;) {
      ost[d] = (mask >> d) & 1 ? 0 : s;
      if (!((mask >> d) & 1)) s *= x[d];
    }
    const int64_t n = shape_numel(x);
    int64_t o = 0;
    for (int64_t i = 0; i < n; ++i) {
      fn(i, o);
      for (size_t d = r; d-- > 0;) {
        o += ost[d];
        if (++idx[d] < x[d]) break;
        o -= ost[d] * x[d];
        idx[d] = 0;
      }
    }
  }

public:
  bool backward_reads_input(int k) const override { return k != 0; }
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"axes", "keepdims", "noop_with_empty_axes"}));
    int64_t kd = 1, ne = 0;
    XM_TRY(c.get_int("keepdims", 1, &kd));
    XM_TRY(c.get_int("noop_with_empty_axes", 0, &ne));
    keepdims_ = kd != 0;
    noop_empty_ = ne != 0;
    if (c.opset >= 18) {
      XM_TRY(c.expect_inputs(1, 2));
      axes_input_ = c.present.size() > 1 && c.present[1];
      return c.require_static(1, "axes");
    }
    XM_TRY(c.get_ints("axes", &axes_attr_));
    return c.expect_inputs(1, 1);
  }
  bool differentiable(int k) const override { return k == 0; }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    const Shape& x = s.in[0];
    if (x.size() > size_t(onnx::MAX_RANK)) return Status::error(label + ": rank is too high");
    uint32_t mask;
    XM_TRY(mask_for(x, axes_input_ ? s.value[1] : nullptr, &mask));
    Shape o;
    for (size_t d = 0; d < x.size(); ++d) {
      if ((mask >> d) & 1) {
        if (x[d] == 0) return Status::error(label + ": cannot take the mean of an empty axis");
        if (keepdims_) o.push_back(1);
      } else {
        o.push_back(x[d]);
      }
    }
    out->push_back(o);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    const Shape& x = r.in_shape[0];
    uint32_t mask = 0;
    mask_for(x, axes_input_ && r.num_in > 1 ? r.value[1] : nullptr, &mask);
    const int64_t on = shape_numel(r.out_shape[0]);
    const float cnt = float(shape_numel(x) / std::max<int64_t>(on, 1));
    float* y = r.out[0];
    const float* in = r.in[0];
    std::fill(y, y + on, 0.0f);
    walk(x, mask, [&](int64_t i, int64_t o) { y[o] += in[i]; });
    for (int64_t k = 0; k < on; ++k) y[k] /= cnt;
  }
  void backward(const OpRun& r) override {
    const Shape& x = r.in_shape[0];
    uint32_t mask = 0;
    mask_for(x, axes_input_ && r.num_in > 1 ? r.value[1] : nullptr, &mask);
    const int64_t on = shape_numel(r.out_shape[0]);
    const float cnt = float(shape_numel(x) / std::max<int64_t>(on, 1));
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    walk(x, mask, [&](int64_t i, int64_t o) { gx[i] += gy[o] / cnt; });
  }
};
}  // namespace
std::unique_ptr<Op> make_reduce_mean_op() { return std::make_unique<ReduceMeanOp>(); }
}  // namespace xm
