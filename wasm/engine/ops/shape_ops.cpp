// The ops that run only on static data (OpDef::eval_static with no factory):
// Constant, Shape, Size, Gather, Cast, Slice, ConstantOfShape, Range, Neg, the
// small ops the PyTorch exporter wraps around shapes (Shape→Gather→Concat
// chains). Integers stay int64; floats go through double.
// ref: ONNX Constant-13, Shape-15, Size-13, Gather-13, Cast-13, Slice-13,
// ConstantOfShape-9, Range-11, Neg-13.
#include <algorithm>
#include <cmath>

#include "engine/static_eval.h"

namespace xm {

Status static_eval_constant(const StaticCall& c, std::vector<StaticTensor>* out) {
  StaticTensor r;
  const onnx::Attribute* a = nullptr;
  if ((a = c.attr("value"))) {
    r = static_from_onnx(a->t);
  } else if ((a = c.attr("value_float"))) {
    r.f = {a->f};
  } else if ((a = c.attr("value_floats"))) {
    r.f = a->floats;
    r.shape = {int64_t(a->floats.size())};
  } else if ((a = c.attr("value_int"))) {
    r.is_int = true;
    r.i = {a->i};
  } else if ((a = c.attr("value_ints"))) {
    r.is_int = true;
    r.i = a->ints;
    r.shape = {int64_t(a->ints.size())};
  } else {
    return c.error("only value, value_float(s) and value_int(s) constants are supported");
  }
  out->push_back(std::move(r));
  return Status::ok();
}

// Shape and Size read only the input's shape, so they are static even on activations.
Status static_eval_shape(const StaticCall& c, std::vector<StaticTensor>* out) {
  if (c.shapes.empty()) return c.error("missing input");
  const Shape& s = c.shapes[0];
  StaticTensor r;
  r.is_int = true;
  int64_t rank = int64_t(s.size()), b = c.attr_int("start", 0), e = c.attr_int("end", rank);
  if (b < 0) b += rank;
  if (e < 0) e += rank;
  b = std::clamp<int64_t>(b, 0, rank);
  e = std::clamp<int64_t>(e, 0, rank);
  for (int64_t k = b; k < e; ++k) r.i.push_back(s[size_t(k)]);
  r.shape = {int64_t(r.i.size())};
  out->push_back(std::move(r));
  return Status::ok();
}

Status static_eval_size(const StaticCall& c, std::vector<StaticTensor>* out) {
  if (c.shapes.empty()) return c.error("missing input");
  StaticTensor r;
  r.is_int = true;
  r.i = {shape_numel(c.shapes[0])};
  out->push_back(std::move(r));
  return Status::ok();
}

Status static_eval_neg(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor* x = nullptr;
  XM_TRY(c.input(0, &x));
  StaticTensor r = *x;
  for (auto& v : r.i) v = -v;
  for (auto& v : r.f) v = -v;
  out->push_back(std::move(r));
  return Status::ok();
}

Status static_eval_cast(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor* x = nullptr;
  XM_TRY(c.input(0, &x));
  int64_t to = c.attr_int("to", 0);
  StaticTensor r;
  r.shape = x->shape;
  if (onnx::dtype_is_float(int(to))) {
    for (int64_t k = 0; k < x->numel(); ++k) r.f.push_back(float(x->at(k)));
  } else if (onnx::dtype_is_integer(int(to))) {
    r.is_int = true;
    for (int64_t k = 0; k < x->numel(); ++k) {
      double v = x->at(k);
      if (!std::isfinite(v)) return c.error("cannot cast a non-finite value to an integer");
      r.i.push_back(to == onnx::DT_BOOL ? int64_t(v != 0) : int64_t(v));
    }
  } else {
    return c.error(std::string("cast to ") + onnx::dtype_name(int(to)) + " is not supported");
  }
  out->push_back(std::move(r));
  return Status::ok();
}

Status static_eval_constant_of_shape(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor* x = nullptr;
  XM_TRY(c.input(0, &x));
  std::vector<int64_t> dims;
  XM_TRY(c.ints(x, "shape", &dims));
  for (int64_t d : dims)
    if (d < 0) return c.error("negative dimension");
  XM_TRY(c.check_size(dims));
  StaticTensor r;
  r.shape = dims;
  const onnx::Attribute* a = c.attr("value");
  int64_t cnt = shape_numel(dims);
  if (a && !a->t.is_float()) {
    r.is_int = true;
    r.i.assign(size_t(cnt), a->t.i.empty() ? 0 : a->t.i[0]);
  } else {
    r.f.assign(size_t(cnt), a && !a->t.f.empty() ? a->t.f[0] : 0.0f);
  }
  out->push_back(std::move(r));
  return Status::ok();
}

Status static_eval_range(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor *x = nullptr, *limit = nullptr, *delta = nullptr;
  XM_TRY(c.input(0, &x));
  XM_TRY(c.input(1, &limit));
  XM_TRY(c.input(2, &delta));
  if (x->numel() != 1 || limit->numel() != 1 || delta->numel() != 1)
    return c.error("start, limit, delta must be scalars");
  double s = x->at(0), l = limit->at(0), d = delta->at(0);
  if (d == 0) return c.error("delta is 0");
  double cnt = std::max(0.0, std::ceil((l - s) / d));
  if (cnt > double(STATIC_MAX_ELEMENTS)) return c.error("range too long");
  StaticTensor r;
  r.is_int = x->is_int;
  r.shape = {int64_t(cnt)};
  for (int64_t k = 0; k < int64_t(cnt); ++k) {
    if (r.is_int) r.i.push_back(int64_t(s) + k * int64_t(d));
    else r.f.push_back(float(s + double(k) * d));
  }
  out->push_back(std::move(r));
  return Status::ok();
}

Status static_eval_gather(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor *x = nullptr, *indices = nullptr;
  XM_TRY(c.input(0, &x));
  XM_TRY(c.input(1, &indices));
  const int64_t rank = x->rank();
  int64_t axis = 0;
  XM_TRY(c.axis(c.attr_int("axis", 0), rank, &axis));
  std::vector<int64_t> idx;
  XM_TRY(c.ints(indices, "indices", &idx));
  Shape os;
  for (int64_t k = 0; k < axis; ++k) os.push_back(x->shape[size_t(k)]);
  for (int64_t d : indices->shape) os.push_back(d);
  for (int64_t k = axis + 1; k < rank; ++k) os.push_back(x->shape[size_t(k)]);
  XM_TRY(c.check_size(os));
  StaticTensor r = static_like(*x, os);
  int64_t outer = 1, inner = 1, dim = x->shape[size_t(axis)];
  for (int64_t k = 0; k < axis; ++k) outer *= x->shape[size_t(k)];
  for (int64_t k = axis + 1; k < rank; ++k) inner *= x->shape[size_t(k)];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j : idx) {
      if (j < -dim || j >= dim) return c.error("index " + std::to_string(j) + " is out of range");
      if (j < 0) j += dim;
      for (int64_t q = 0; q < inner; ++q) static_push(r, *x, (o * dim + j) * inner + q);
    }
  out->push_back(std::move(r));
  return Status::ok();
}

Status static_eval_slice(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor* x = nullptr;
  XM_TRY(c.input(0, &x));
  const int64_t rank = x->rank();
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.opset < 10) {
    c.attr_ints("starts", &starts);
    c.attr_ints("ends", &ends);
    c.attr_ints("axes", &axes);
  } else {
    XM_TRY(c.ints(c.value(1), "starts", &starts));
    XM_TRY(c.ints(c.value(2), "ends", &ends));
    if (c.value(3)) XM_TRY(c.ints(c.value(3), "axes", &axes));
    if (c.value(4)) XM_TRY(c.ints(c.value(4), "steps", &steps));
  }
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(int64_t(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return c.error("starts, ends, axes and steps differ in length");
  std::vector<int64_t> b(size_t(rank), 0), st(size_t(rank), 1);
  Shape os = x->shape;
  for (size_t k = 0; k < starts.size(); ++k) {
    int64_t a = 0;
    XM_TRY(c.axis(axes[k], rank, &a));
    int64_t dim = x->shape[size_t(a)], s = starts[k], e = ends[k], step = steps[k];
    if (step == 0) return c.error("step 0");
    step = std::clamp<int64_t>(step, -(dim + 1), dim + 1);  // the same slice, and no overflow below
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      os[size_t(a)] = e > s ? (e - s + step - 1) / step : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      os[size_t(a)] = s > e ? (s - e - step - 1) / (-step) : 0;
    }
    b[size_t(a)] = s;
    st[size_t(a)] = step;
  }
  StaticTensor r = static_like(*x, os);
  int64_t cnt = shape_numel(os);
  for (int64_t k = 0; k < cnt; ++k) {
    int64_t rem = k, src = 0, stride = 1;
    for (int64_t d = rank; d-- > 0;) {
      int64_t q = rem % os[size_t(d)];
      rem /= os[size_t(d)];
      src += (b[size_t(d)] + q * st[size_t(d)]) * stride;
      stride *= x->shape[size_t(d)];
    }
    static_push(r, *x, src);
  }
  out->push_back(std::move(r));
  return Status::ok();
}
}  // namespace xm
