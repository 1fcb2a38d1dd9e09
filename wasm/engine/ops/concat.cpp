// Concat along an axis: each input is copied into its slab of the output;
// backward adds each slab of dy back to its input. ref: ONNX Concat-13.
#include <cstring>

#include "engine/ops/op_util.h"
#include "engine/static_eval.h"

namespace xm {
namespace {
class ConcatOp : public Op {
  int64_t axis_attr_ = 0;

  int64_t axis(const Shape& s) const { return axis_attr_ < 0 ? axis_attr_ + int64_t(s.size()) : axis_attr_; }

public:
  bool backward_reads_input(int k) const override { return false; }
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"axis"}));
    if (!c.attr("axis")) return c.error("attribute 'axis' is required");
    XM_TRY(c.get_int("axis", 0, &axis_attr_));
    if (c.node->inputs.empty()) return c.error("needs at least one input");
    for (bool p : c.present)
      if (!p) return c.error("an input is missing");
    return Status::ok();
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    Shape o = s.in[0];
    int64_t a = 0;
    if (!normalize_axis(axis_attr_, int64_t(o.size()), &a)) return Status::error(label + ": axis is out of range");
    o[size_t(a)] = 0;
    for (const Shape& x : s.in) {
      if (x.size() != o.size()) return Status::error(label + ": inputs differ in rank");
      for (size_t d = 0; d < o.size(); ++d)
        if (int64_t(d) != a && x[d] != o[d])
          return Status::error(label + ": input shapes " + shape_str(s.in[0]) + " and " + shape_str(x) + " differ outside the axis");
      o[size_t(a)] += x[size_t(a)];
    }
    for (size_t k = 0; k < s.in.size(); ++k)
      if (s.value[k] && s.value[k]->is_int) return Status::error(label + ": integer inputs are not supported here");
    out->push_back(o);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    const Shape& os = r.out_shape[0];
    const int64_t a = axis(os);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < a; ++d) outer *= os[size_t(d)];
    for (size_t d = size_t(a) + 1; d < os.size(); ++d) inner *= os[d];
    const int64_t orow = os[size_t(a)] * inner;
    int64_t at = 0;
    for (int k = 0; k < r.num_in; ++k) {
      const int64_t row = r.in_shape[k][size_t(a)] * inner;
      for (int64_t o = 0; o < outer; ++o) std::memcpy(r.out[0] + o * orow + at, r.in[k] + o * row, size_t(row) * 4);
      at += row;
    }
  }
  void backward(const OpRun& r) override {
    const Shape& os = r.out_shape[0];
    const int64_t a = axis(os);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < a; ++d) outer *= os[size_t(d)];
    for (size_t d = size_t(a) + 1; d < os.size(); ++d) inner *= os[d];
    const int64_t orow = os[size_t(a)] * inner;
    int64_t at = 0;
    for (int k = 0; k < r.num_in; ++k) {
      const int64_t row = r.in_shape[k][size_t(a)] * inner;
      if (float* g = r.gin[k])
        for (int64_t o = 0; o < outer; ++o) {
          const float* src = r.gout[0] + o * orow + at;
          float* dst = g + o * row;
          for (int64_t i = 0; i < row; ++i) dst[i] += src[i];
        }
      at += row;
    }
  }
};
}  // namespace
std::unique_ptr<Op> make_concat_op() { return std::make_unique<ConcatOp>(); }

Status static_eval_concat(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor* x = nullptr;
  XM_TRY(c.input(0, &x));
  int64_t axis = 0;
  XM_TRY(c.axis(c.attr_int("axis", 0), std::max<int64_t>(x->rank(), 1), &axis));
  Shape os = x->shape;
  if (os.empty()) return c.error("cannot concatenate scalars");
  int64_t total = 0;
  for (size_t k = 0; k < c.in.size(); ++k) {
    const StaticTensor* t = nullptr;
    XM_TRY(c.input(k, &t));
    if (t->shape.size() != os.size() || t->is_int != x->is_int) return c.error("inputs differ in rank or type");
    for (size_t d = 0; d < os.size(); ++d)
      if (int64_t(d) != axis && t->shape[d] != os[d]) return c.error("input shapes differ outside the axis");
    total += t->shape[size_t(axis)];
  }
  os[size_t(axis)] = total;
  XM_TRY(c.check_size(os));
  StaticTensor r = static_like(*x, os);
  int64_t outer = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= os[size_t(k)];
  for (int64_t o = 0; o < outer; ++o)
    for (const StaticTensor* t : c.in) {
      int64_t chunk = t->numel() / std::max<int64_t>(outer, 1);
      for (int64_t q = 0; q < chunk; ++q) static_push(r, *t, o * chunk + q);
    }
  out->push_back(std::move(r));
  return Status::ok();
}
}  // namespace xm
