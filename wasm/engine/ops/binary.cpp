// Add, Sub, Mul, Div with numpy broadcasting; either input may be an
// activation. Backward reduces the output gradient over each input's
// broadcast dimensions. ref: ONNX Add-14, Sub-14, Mul-14, Div-14.
#include "engine/ops/op_util.h"
#include "engine/static_eval.h"

namespace xm {
namespace {
enum class BinKind { ADD, SUB, MUL, DIV };

class BinaryOp : public Op {
  BinKind kind_;

public:
  bool backward_reads_input(int k) const override { return kind_ == BinKind::MUL || kind_ == BinKind::DIV; }
  bool backward_reads_output() const override { return false; }
  explicit BinaryOp(BinKind k) : kind_(k) {}
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"axis", "broadcast"}));
    if (c.attr("axis")) return c.error("legacy broadcasting with 'axis' is not supported");
    return c.expect_inputs(2, 2);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    Broadcast b;
    if (!broadcast_plan(s.in[0], s.in[1], &b))
      return Status::error(label + ": shapes " + shape_str(s.in[0]) + " and " + shape_str(s.in[1]) + " do not broadcast");
    out->push_back(b.out);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    const float* A = r.in[0];
    const float* B = r.in[1];
    float* y = r.out[0];
    if (r.in_shape[0] == r.in_shape[1]) {
      parallel_elements(shape_numel(r.in_shape[0]), [&](int64_t b, int64_t e) {
        switch (kind_) {
          case BinKind::ADD: for (int64_t i = b; i < e; ++i) y[i] = A[i] + B[i]; break;
          case BinKind::SUB: for (int64_t i = b; i < e; ++i) y[i] = A[i] - B[i]; break;
          case BinKind::MUL: for (int64_t i = b; i < e; ++i) y[i] = A[i] * B[i]; break;
          case BinKind::DIV: for (int64_t i = b; i < e; ++i) y[i] = A[i] / B[i]; break;
        }
      });
      return;
    }
    Broadcast br;
    broadcast_plan(r.in_shape[0], r.in_shape[1], &br);
    broadcast_for_each(br, [&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t sa, int64_t sb) {
      for (int64_t k = 0; k < n; ++k) {
        float a = A[ia + k * sa], b = B[ib + k * sb];
        float v = kind_ == BinKind::ADD ? a + b : kind_ == BinKind::SUB ? a - b : kind_ == BinKind::MUL ? a * b : a / b;
        y[o + k] = v;
      }
    });
  }
  void backward(const OpRun& r) override {
    const float* A = r.in[0];
    const float* B = r.in[1];
    const float* gy = r.gout[0];
    float* ga = r.gin[0];
    float* gb = r.gin[1];
    Broadcast br;
    broadcast_plan(r.in_shape[0], r.in_shape[1], &br);
    broadcast_for_each(br, [&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t sa, int64_t sb) {
      for (int64_t k = 0; k < n; ++k) {
        const float g = gy[o + k];
        const int64_t pa = ia + k * sa, pb = ib + k * sb;
        switch (kind_) {
          case BinKind::ADD:
            if (ga) ga[pa] += g;
            if (gb) gb[pb] += g;
            break;
          case BinKind::SUB:
            if (ga) ga[pa] += g;
            if (gb) gb[pb] -= g;
            break;
          case BinKind::MUL:
            if (ga) ga[pa] += g * B[pb];
            if (gb) gb[pb] += g * A[pa];
            break;
          case BinKind::DIV:
            if (ga) ga[pa] += g / B[pb];
            if (gb) gb[pb] -= g * A[pa] / (B[pb] * B[pb]);
            break;
        }
      }
    });
  }
};
}  // namespace
std::unique_ptr<Op> make_add_op() { return std::make_unique<BinaryOp>(BinKind::ADD); }
std::unique_ptr<Op> make_sub_op() { return std::make_unique<BinaryOp>(BinKind::SUB); }
std::unique_ptr<Op> make_mul_op() { return std::make_unique<BinaryOp>(BinKind::MUL); }
std::unique_ptr<Op> make_div_op() { return std::make_unique<BinaryOp>(BinKind::DIV); }

// On static data (shape arithmetic): integers stay int64 (division truncates),
// floats go through double. OP is the op's symbol: '+' (Add), '-', '*', '/'.
template <char OP>
Status static_eval_binary(const StaticCall& c, std::vector<StaticTensor>* out) {
  static_assert(OP == '+' || OP == '-' || OP == '*' || OP == '/', "Add, Sub, Mul or Div");
  constexpr BinKind kind = OP == '+' ? BinKind::ADD : OP == '-' ? BinKind::SUB : OP == '*' ? BinKind::MUL : BinKind::DIV;
  const StaticTensor *xp = nullptr, *yp = nullptr;
  XM_TRY(c.input(0, &xp));
  XM_TRY(c.input(1, &yp));
  const StaticTensor& x = *xp;
  const StaticTensor& y = *yp;
  // numpy broadcasting
  size_t r = std::max(x.shape.size(), y.shape.size());
  Shape os(r);
  for (size_t k = 0; k < r; ++k) {
    int64_t a = k + x.shape.size() >= r ? x.shape[k + x.shape.size() - r] : 1;
    int64_t b = k + y.shape.size() >= r ? y.shape[k + y.shape.size() - r] : 1;
    if (a != b && a != 1 && b != 1)
      return c.error("shapes " + shape_str(x.shape) + " and " + shape_str(y.shape) + " do not broadcast");
    os[k] = a == 1 ? b : a;
  }
  XM_TRY(c.check_size(os));
  StaticTensor res;
  res.shape = os;
  res.is_int = x.is_int && y.is_int;
  int64_t cnt = shape_numel(os);
  for (int64_t k = 0; k < cnt; ++k) {
    int64_t ix = 0, iy = 0, sx = 1, sy = 1, rem = k;
    for (size_t d = r; d-- > 0;) {
      int64_t q = rem % os[d];
      rem /= os[d];
      if (d + x.shape.size() >= r) {
        int64_t dim = x.shape[d + x.shape.size() - r];
        if (dim != 1) ix += q * sx;
        sx *= dim;
      }
      if (d + y.shape.size() >= r) {
        int64_t dim = y.shape[d + y.shape.size() - r];
        if (dim != 1) iy += q * sy;
        sy *= dim;
      }
    }
    if (res.is_int) {
      int64_t a = x.i[size_t(ix)], b = y.i[size_t(iy)], v = 0;
      if (kind == BinKind::ADD) v = a + b;
      else if (kind == BinKind::SUB) v = a - b;
      else if (kind == BinKind::MUL) v = a * b;
      else {
        if (b == 0) return c.error("integer division by zero");
        v = a / b;
      }
      res.i.push_back(v);
    } else {
      double a = x.at(ix), b = y.at(iy), v = 0;
      if (kind == BinKind::ADD) v = a + b;
      else if (kind == BinKind::SUB) v = a - b;
      else if (kind == BinKind::MUL) v = a * b;
      else v = a / b;
      res.f.push_back(float(v));
    }
  }
  out->push_back(std::move(res));
  return Status::ok();
}
// The op table's rows name these.
template Status static_eval_binary<'+'>(const StaticCall&, std::vector<StaticTensor>*);
template Status static_eval_binary<'-'>(const StaticCall&, std::vector<StaticTensor>*);
template Status static_eval_binary<'*'>(const StaticCall&, std::vector<StaticTensor>*);
template Status static_eval_binary<'/'>(const StaticCall&, std::vector<StaticTensor>*);
}  // namespace xm
