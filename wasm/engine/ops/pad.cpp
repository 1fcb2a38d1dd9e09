// Pad in constant mode: pads = [x1_begin, x2_begin, ..., x1_end, x2_end, ...]
// (negative values crop). pads and the constant are attributes before opset 11
// and (constant) inputs from 11; opset 18's axes input is honoured.
// Backward copies the gradient of the kept region. ref: ONNX Pad-18 (mode "constant").
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class PadOp : public Op {
  std::vector<int64_t> attr_pads_;
  float attr_value_ = 0;
  bool inputs_ = false;

  Status pads_for(const OpShapes& s, std::vector<int64_t>* pads) const {
    const size_t r = s.in[0].size();
    if (!inputs_) {
      *pads = attr_pads_;
    } else {
      const StaticTensor* p = s.value[1];
      if (!p) return Status::error(label + ": pads are not known before the pass");
      std::vector<int64_t> raw;
      for (int64_t k = 0; k < p->numel(); ++k) raw.push_back(int64_t(p->at(k)));
      if (s.present.size() > 3 && s.present[3]) {
        const StaticTensor* ax = s.value[3];
        if (!ax) return Status::error(label + ": axes are not known before the pass");
        pads->assign(2 * r, 0);
        if (raw.size() != size_t(2 * ax->numel())) return Status::error(label + ": pads do not match axes");
        for (int64_t k = 0; k < ax->numel(); ++k) {
          int64_t a = 0;
          if (!normalize_axis(int64_t(ax->at(k)), int64_t(r), &a)) return Status::error(label + ": axis out of range");
          (*pads)[size_t(a)] = raw[size_t(k)];
          (*pads)[size_t(a) + r] = raw[size_t(k + ax->numel())];
        }
        return Status::ok();
      }
      *pads = raw;
    }
    if (pads->size() != 2 * r) return Status::error(label + ": pads must have " + std::to_string(2 * r) + " values");
    return Status::ok();
  }
  template <class F>
  static void walk(const Shape& x, const Shape& y, const int64_t* pads, F&& fn) {
    // fn(out_index, in_index) for output elements inside the input; others are the constant.
    const size_t r = y.size();
    const int64_t n = shape_numel(y);
    for (int64_t o = 0; o < n; ++o) {
      int64_t rem = o, in = 0, stride = 1;
      bool inside = true;
      for (size_t d = r; d-- > 0;) {
        int64_t c = rem % y[d] - pads[d];
        rem /= y[d];
        if (c < 0 || c >= x[d]) {
          inside = false;
          break;
        }
        in += c * stride;
        stride *= x[d];
      }
      fn(o, inside ? in : -1);
    }
  }

public:
  bool backward_reads_input(int k) const override { return k != 0; }
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"mode", "pads", "value"}));
    std::string mode;
    XM_TRY(c.get_string("mode", "constant", &mode));
    if (mode != "constant") return c.error("mode '" + mode + "' is not supported (only constant)");
    if (c.opset < 11) {
      XM_TRY(c.get_ints("pads", &attr_pads_));
      XM_TRY(c.get_float("value", 0.0f, &attr_value_));
      return c.expect_inputs(1, 1);
    }
    inputs_ = true;
    XM_TRY(c.expect_inputs(2, 4));
    XM_TRY(c.require_static(1, "pads"));
    XM_TRY(c.require_static(2, "the constant value"));
    return c.require_static(3, "axes");
  }
  bool differentiable(int k) const override { return k == 0; }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    if (s.in[0].size() > size_t(onnx::MAX_RANK)) return Status::error(label + ": rank is too high");
    std::vector<int64_t> pads;
    XM_TRY(pads_for(s, &pads));
    for (int64_t p : pads)
      if (p < -onnx::MAX_TENSOR_ELEMENTS || p > onnx::MAX_TENSOR_ELEMENTS) return Status::error(label + ": pads are out of range");
    const Shape& x = s.in[0];
    Shape y = x;
    for (size_t d = 0; d < x.size(); ++d) {
      y[d] = x[d] + pads[d] + pads[d + x.size()];
      if (y[d] < 0) return Status::error(label + ": pads crop more than the input has");
    }
    out->push_back(y);
    return Status::ok();
  }
  // The begin pads, recomputed from the static inputs into a stack array (a pass allocates nothing).
  void pads_run(const OpRun& r, int64_t* pads) const {
    const size_t rank = r.in_shape[0].size();
    for (size_t d = 0; d < rank; ++d) pads[d] = 0;
    if (!inputs_) {
      for (size_t d = 0; d < rank; ++d) pads[d] = attr_pads_[d];
      return;
    }
    const StaticTensor* p = r.value[1];
    if (r.num_in > 3 && r.value[3]) {
      const StaticTensor* ax = r.value[3];
      for (int64_t k = 0; k < ax->numel(); ++k) {
        int64_t a = 0;
        normalize_axis(int64_t(ax->at(k)), int64_t(rank), &a);
        pads[a] = int64_t(p->at(k));
      }
      return;
    }
    for (size_t d = 0; d < rank; ++d) pads[d] = int64_t(p->at(int64_t(d)));
  }
  void forward(const OpRun& r) override {
    int64_t pads[onnx::MAX_RANK];
    pads_run(r, pads);
    float value = attr_value_;
    if (inputs_ && r.num_in > 2 && r.in[2]) value = r.in[2][0];
    const float* x = r.in[0];
    float* y = r.out[0];
    walk(r.in_shape[0], r.out_shape[0], pads, [&](int64_t o, int64_t i) { y[o] = i >= 0 ? x[i] : value; });
  }
  void backward(const OpRun& r) override {
    int64_t pads[onnx::MAX_RANK];
    pads_run(r, pads);
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    walk(r.in_shape[0], r.out_shape[0], pads, [&](int64_t o, int64_t i) {
      if (i >= 0) gx[i] += gy[o];
    });
  }
};
}  // namespace
std::unique_ptr<Op> make_pad_op() { return std::make_unique<PadOp>(); }
}  // namespace xm
