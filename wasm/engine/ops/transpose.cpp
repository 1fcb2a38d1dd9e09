// Transpose: y[i_perm] = x[i]; perm defaults to reversing the axes. Backward
// applies the inverse permutation, accumulating. ref: ONNX Transpose-13.
#include "engine/ops/op_util.h"
#include "engine/static_eval.h"

namespace xm {
namespace {
class TransposeOp : public Op {
  std::vector<int64_t> perm_attr_;

  std::vector<int64_t> perm(size_t rank) const {
    if (!perm_attr_.empty()) return perm_attr_;
    std::vector<int64_t> p(rank);
    for (size_t k = 0; k < rank; ++k) p[k] = int64_t(rank - 1 - k);
    return p;
  }
  // Calls fn(out_index, in_index) for every element; x strides permuted into y's order.
  template <class F>
  void walk(const Shape& x, F&& fn) const {
    const size_t r = x.size();
    if (r > size_t(onnx::MAX_RANK)) return;
    int64_t xs[onnx::MAX_RANK] = {}, ys[onnx::MAX_RANK] = {}, st[onnx::MAX_RANK] = {}, idx[onnx::MAX_RANK] = {};
    int64_t s = 1;
    for (size_t k = r; k-- > 0;) {
      xs[k] = s;
      s *= x[k];
    }
    std::vector<int64_t> p = perm(r);  // rank-sized; small
    for (size_t k = 0; k < r; ++k) {
      ys[k] = x[size_t(p[k])];
      st[k] = xs[p[k]];
    }
    const int64_t n = shape_numel(x);
    if (n == 0) return;
    if (r == 0) {
      fn(0, 0);
      return;
    }
    int64_t in = 0;
    for (int64_t o = 0; o < n; ++o) {
      fn(o, in);
      for (size_t d = r; d-- > 0;) {
        in += st[d];
        if (++idx[d] < ys[d]) break;
        in -= st[d] * ys[d];
        idx[d] = 0;
      }
    }
  }

public:
  bool backward_reads_input(int k) const override { return false; }
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"perm"}));
    XM_TRY(c.get_ints("perm", &perm_attr_));
    return c.expect_inputs(1, 1);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    const Shape& x = s.in[0];
    std::vector<int64_t> p = perm(x.size());
    if (p.size() != x.size() || x.size() > size_t(onnx::MAX_RANK))
      return Status::error(label + ": perm does not match the input's rank");
    std::vector<bool> seen(x.size(), false);
    Shape o;
    for (int64_t a : p) {
      if (a < 0 || a >= int64_t(x.size()) || seen[size_t(a)]) return Status::error(label + ": perm is not a permutation");
      seen[size_t(a)] = true;
      o.push_back(x[size_t(a)]);
    }
    out->push_back(o);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    const float* x = r.in[0];
    float* y = r.out[0];
    walk(r.in_shape[0], [&](int64_t o, int64_t i) { y[o] = x[i]; });
  }
  void backward(const OpRun& r) override {
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    walk(r.in_shape[0], [&](int64_t o, int64_t i) { gx[i] += gy[o]; });
  }
};
}  // namespace
std::unique_ptr<Op> make_transpose_op() { return std::make_unique<TransposeOp>(); }

Status static_eval_transpose(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor* x = nullptr;
  XM_TRY(c.input(0, &x));
  const int64_t rank = x->rank();
  std::vector<int64_t> perm;
  if (!c.attr_ints("perm", &perm))
    for (int64_t k = rank - 1; k >= 0; --k) perm.push_back(k);
  if (int64_t(perm.size()) != rank) return c.error("perm does not match the rank");
  Shape os;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank) return c.error("perm is out of range");
    os.push_back(x->shape[size_t(p)]);
  }
  StaticTensor r = static_like(*x, os);
  int64_t cnt = shape_numel(os);
  std::vector<int64_t> xs(size_t(rank), 1);
  for (int64_t d = rank - 2; d >= 0; --d) xs[size_t(d)] = xs[size_t(d + 1)] * x->shape[size_t(d + 1)];
  for (int64_t k = 0; k < cnt; ++k) {
    int64_t rem = k, src = 0;
    for (int64_t d = rank; d-- > 0;) {
      src += (rem % os[size_t(d)]) * xs[size_t(perm[size_t(d)])];
      rem /= os[size_t(d)];
    }
    static_push(r, *x, src);
  }
  out->push_back(std::move(r));
  return Status::ok();
}
}  // namespace xm
