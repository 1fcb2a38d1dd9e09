#include "engine/static_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace xm {

namespace {

constexpr int64_t STATIC_MAX_ELEMENTS = int64_t(1) << 24;

Status err(const onnx::Node& n, const std::string& m) { return Status::error(onnx::node_label(n) + ": " + m); }

Status check_size(const onnx::Node& n, const Shape& s) {
  auto c = shape_checked_numel(s, STATIC_MAX_ELEMENTS);
  if (!c) return err(n, c.error());
  return Status::ok();
}

StaticTensor make_like(const StaticTensor& t, Shape shape) {
  StaticTensor r;
  r.shape = std::move(shape);
  r.is_int = t.is_int;
  return r;
}

void push(StaticTensor& r, const StaticTensor& t, int64_t k) {
  if (t.is_int) r.i.push_back(t.i[size_t(k)]);
  else r.f.push_back(t.f[size_t(k)]);
}

Status normalize_axis(const onnx::Node& n, int64_t a, int64_t rank, int64_t* out) {
  if (a < -rank || a >= rank) return err(n, "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
  *out = a < 0 ? a + rank : a;
  return Status::ok();
}

Status ints_of(const onnx::Node& n, const StaticTensor* t, const char* what, std::vector<int64_t>* out) {
  if (!t) return err(n, std::string(what) + " must be known before the pass");
  out->clear();
  for (int64_t k = 0; k < t->numel(); ++k) {
    if (t->is_int) {  // exactly: through a double, INT64_MAX ("to the end") did not fit back
      out->push_back(t->i[size_t(k)]);
      continue;
    }
    double v = t->at(k);
    if (v != std::floor(v)) return err(n, std::string(what) + " must be integers");
    if (!(std::fabs(v) < 9.2e18)) return err(n, std::string(what) + " is out of range");
    out->push_back(int64_t(v));
  }
  return Status::ok();
}

}  // namespace

StaticTensor static_from_onnx(const onnx::TensorData& t) {
  StaticTensor s;
  s.shape = t.dims;
  s.is_int = !t.is_float();
  s.f = t.f;
  s.i = t.i;
  return s;
}

bool static_eval_supports(const std::string& op) {
  static const char* ops[] = {"Constant", "Shape",    "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast",
                              "Slice",    "Reshape",  "Identity", "ConstantOfShape", "Range", "Add", "Sub",
                              "Mul",      "Div",      "Flatten", "Size", "Neg", "Transpose"};
  for (const char* o : ops)
    if (op == o) return true;
  return false;
}

Status static_eval(const onnx::Node& n, int64_t opset, const std::vector<const StaticTensor*>& in,
                   const std::vector<Shape>& shapes, std::vector<StaticTensor>* out) {
  out->clear();
  const std::string& op = n.op_type;
  auto input = [&](size_t k) -> const StaticTensor* { return k < in.size() ? in[k] : nullptr; };
  auto need = [&](size_t k) -> Status {
    if (!input(k)) return err(n, "input " + std::to_string(k) + " must be known before the pass");
    return Status::ok();
  };
  auto attr_ints = [&](const char* name, std::vector<int64_t>* v) -> bool {
    const onnx::Attribute* a = onnx::find_attr(n, name);
    if (!a) return false;
    *v = a->ints;
    return true;
  };
  auto attr_int = [&](const char* name, int64_t fb) -> int64_t {
    const onnx::Attribute* a = onnx::find_attr(n, name);
    return a ? a->i : fb;
  };

  if (op == "Constant") {
    StaticTensor r;
    const onnx::Attribute* a = nullptr;
    if ((a = onnx::find_attr(n, "value"))) {
      r = static_from_onnx(a->t);
    } else if ((a = onnx::find_attr(n, "value_float"))) {
      r.f = {a->f};
    } else if ((a = onnx::find_attr(n, "value_floats"))) {
      r.f = a->floats;
      r.shape = {int64_t(a->floats.size())};
    } else if ((a = onnx::find_attr(n, "value_int"))) {
      r.is_int = true;
      r.i = {a->i};
    } else if ((a = onnx::find_attr(n, "value_ints"))) {
      r.is_int = true;
      r.i = a->ints;
      r.shape = {int64_t(a->ints.size())};
    } else {
      return err(n, "only value, value_float(s) and value_int(s) constants are supported");
    }
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "Shape" || op == "Size") {
    if (shapes.empty()) return err(n, "missing input");
    const Shape& s = shapes[0];
    StaticTensor r;
    r.is_int = true;
    if (op == "Size") {
      r.i = {shape_numel(s)};
    } else {
      int64_t rank = int64_t(s.size()), b = attr_int("start", 0), e = attr_int("end", rank);
      if (b < 0) b += rank;
      if (e < 0) e += rank;
      b = std::clamp<int64_t>(b, 0, rank);
      e = std::clamp<int64_t>(e, 0, rank);
      for (int64_t k = b; k < e; ++k) r.i.push_back(s[size_t(k)]);
      r.shape = {int64_t(r.i.size())};
    }
    out->push_back(std::move(r));
    return Status::ok();
  }
  XM_TRY(need(0));
  const StaticTensor& x = *in[0];
  const int64_t rank = int64_t(x.shape.size());

  if (op == "Identity") {
    out->push_back(x);
    return Status::ok();
  }
  if (op == "Neg") {
    StaticTensor r = x;
    for (auto& v : r.i) v = -v;
    for (auto& v : r.f) v = -v;
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "Cast") {
    int64_t to = attr_int("to", 0);
    StaticTensor r;
    r.shape = x.shape;
    if (onnx::dtype_is_float(int(to))) {
      for (int64_t k = 0; k < x.numel(); ++k) r.f.push_back(float(x.at(k)));
    } else if (onnx::dtype_is_integer(int(to))) {
      r.is_int = true;
      for (int64_t k = 0; k < x.numel(); ++k) {
        double v = x.at(k);
        if (!std::isfinite(v)) return err(n, "cannot cast a non-finite value to an integer");
        r.i.push_back(to == onnx::DT_BOOL ? int64_t(v != 0) : int64_t(v));
      }
    } else {
      return err(n, std::string("cast to ") + onnx::dtype_name(int(to)) + " is not supported");
    }
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "ConstantOfShape") {
    std::vector<int64_t> dims;
    XM_TRY(ints_of(n, &x, "shape", &dims));
    for (int64_t d : dims)
      if (d < 0) return err(n, "negative dimension");
    XM_TRY(check_size(n, dims));
    StaticTensor r;
    r.shape = dims;
    const onnx::Attribute* a = onnx::find_attr(n, "value");
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
  if (op == "Range") {
    XM_TRY(need(1));
    XM_TRY(need(2));
    if (x.numel() != 1 || in[1]->numel() != 1 || in[2]->numel() != 1) return err(n, "start, limit, delta must be scalars");
    double s = x.at(0), l = in[1]->at(0), d = in[2]->at(0);
    if (d == 0) return err(n, "delta is 0");
    double cnt = std::max(0.0, std::ceil((l - s) / d));
    if (cnt > double(STATIC_MAX_ELEMENTS)) return err(n, "range too long");
    StaticTensor r;
    r.is_int = x.is_int;
    r.shape = {int64_t(cnt)};
    for (int64_t k = 0; k < int64_t(cnt); ++k) {
      if (r.is_int) r.i.push_back(int64_t(s) + k * int64_t(d));
      else r.f.push_back(float(s + double(k) * d));
    }
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    XM_TRY(need(1));
    const StaticTensor& y = *in[1];
    // numpy broadcasting
    size_t r = std::max(x.shape.size(), y.shape.size());
    Shape os(r);
    for (size_t k = 0; k < r; ++k) {
      int64_t a = k + x.shape.size() >= r ? x.shape[k + x.shape.size() - r] : 1;
      int64_t b = k + y.shape.size() >= r ? y.shape[k + y.shape.size() - r] : 1;
      if (a != b && a != 1 && b != 1) return err(n, "shapes " + shape_str(x.shape) + " and " + shape_str(y.shape) + " do not broadcast");
      os[k] = a == 1 ? b : a;
    }
    XM_TRY(check_size(n, os));
    StaticTensor res;
    res.shape = os;
    res.is_int = x.is_int && y.is_int;
    int64_t cnt = shape_numel(os);
    for (int64_t k = 0; k < cnt; ++k) {
      int64_t ix = 0, iy = 0, sx = 1, sy = 1, rem = k;
      for (size_t d = r; d-- > 0;) {
        int64_t c = rem % os[d];
        rem /= os[d];
        if (d + x.shape.size() >= r) {
          int64_t dim = x.shape[d + x.shape.size() - r];
          if (dim != 1) ix += c * sx;
          sx *= dim;
        }
        if (d + y.shape.size() >= r) {
          int64_t dim = y.shape[d + y.shape.size() - r];
          if (dim != 1) iy += c * sy;
          sy *= dim;
        }
      }
      if (res.is_int) {
        int64_t a = x.i[size_t(ix)], b = y.i[size_t(iy)], v = 0;
        if (op == "Add") v = a + b;
        else if (op == "Sub") v = a - b;
        else if (op == "Mul") v = a * b;
        else {
          if (b == 0) return err(n, "integer division by zero");
          v = a / b;
        }
        res.i.push_back(v);
      } else {
        double a = x.at(ix), b = y.at(iy), v = 0;
        if (op == "Add") v = a + b;
        else if (op == "Sub") v = a - b;
        else if (op == "Mul") v = a * b;
        else v = a / b;
        res.f.push_back(float(v));
      }
    }
    out->push_back(std::move(res));
    return Status::ok();
  }
  if (op == "Gather") {
    XM_TRY(need(1));
    int64_t axis = 0;
    XM_TRY(normalize_axis(n, attr_int("axis", 0), rank, &axis));
    std::vector<int64_t> idx;
    XM_TRY(ints_of(n, in[1], "indices", &idx));
    Shape os;
    for (int64_t k = 0; k < axis; ++k) os.push_back(x.shape[size_t(k)]);
    for (int64_t d : in[1]->shape) os.push_back(d);
    for (int64_t k = axis + 1; k < rank; ++k) os.push_back(x.shape[size_t(k)]);
    XM_TRY(check_size(n, os));
    StaticTensor r = make_like(x, os);
    int64_t outer = 1, inner = 1, dim = x.shape[size_t(axis)];
    for (int64_t k = 0; k < axis; ++k) outer *= x.shape[size_t(k)];
    for (int64_t k = axis + 1; k < rank; ++k) inner *= x.shape[size_t(k)];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j : idx) {
        if (j < -dim || j >= dim) return err(n, "index " + std::to_string(j) + " is out of range");
        if (j < 0) j += dim;
        for (int64_t q = 0; q < inner; ++q) push(r, x, (o * dim + j) * inner + q);
      }
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    std::vector<int64_t> axes;
    bool has_axes = false;
    if (opset >= 13) {
      if (in.size() > 1 && in[1]) {
        XM_TRY(ints_of(n, in[1], "axes", &axes));
        has_axes = true;
      }
    } else {
      has_axes = attr_ints("axes", &axes);
    }
    Shape os;
    if (op == "Unsqueeze") {
      if (!has_axes) return err(n, "axes missing");
      int64_t orank = rank + int64_t(axes.size());
      std::vector<bool> ins(size_t(orank), false);
      for (int64_t a : axes) {
        int64_t na = 0;
        XM_TRY(normalize_axis(n, a, orank, &na));
        if (ins[size_t(na)]) return err(n, "repeated axis");
        ins[size_t(na)] = true;
      }
      size_t src = 0;
      for (int64_t k = 0; k < orank; ++k) os.push_back(ins[size_t(k)] ? 1 : x.shape[src++]);
    } else {
      std::vector<bool> drop(size_t(rank), false);
      if (!has_axes) {
        for (int64_t k = 0; k < rank; ++k) drop[size_t(k)] = x.shape[size_t(k)] == 1;
      }
      for (int64_t a : axes) {
        int64_t na = 0;
        XM_TRY(normalize_axis(n, a, rank, &na));
        if (x.shape[size_t(na)] != 1) return err(n, "cannot squeeze a dimension that is not 1");
        drop[size_t(na)] = true;
      }
      for (int64_t k = 0; k < rank; ++k)
        if (!drop[size_t(k)]) os.push_back(x.shape[size_t(k)]);
    }
    StaticTensor r = x;
    r.shape = os;
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "Flatten") {
    int64_t axis = attr_int("axis", 1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank) return err(n, "axis is out of range");
    int64_t a = 1, b = 1;
    for (int64_t k = 0; k < rank; ++k) (k < axis ? a : b) *= x.shape[size_t(k)];
    StaticTensor r = x;
    r.shape = {a, b};
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "Reshape") {
    XM_TRY(need(1));
    std::vector<int64_t> dims;
    XM_TRY(ints_of(n, in[1], "shape", &dims));
    bool allowzero = attr_int("allowzero", 0) != 0;
    Shape os;
    int64_t known = 1, infer = -1;
    for (size_t k = 0; k < dims.size(); ++k) {
      int64_t d = dims[k];
      if (d == 0 && !allowzero) {
        if (k >= x.shape.size()) return err(n, "0 in shape refers past the input's rank");
        d = x.shape[k];
      }
      if (d == -1) {
        if (infer >= 0) return err(n, "two -1 in shape");
        infer = int64_t(k);
        os.push_back(1);
        continue;
      }
      if (d < 0) return err(n, "negative dimension in shape");
      if (d > 0 && known > std::numeric_limits<int64_t>::max() / d) return err(n, "shape " + shape_str(dims) + " is too large");
      os.push_back(d);
      known *= d;
    }
    if (infer >= 0) {
      if (known == 0 || x.numel() % known) return err(n, "cannot infer -1");
      os[size_t(infer)] = x.numel() / known;
    }
    if (shape_numel(os) != x.numel()) return err(n, "cannot reshape " + shape_str(x.shape) + " to " + shape_str(os));
    StaticTensor r = x;
    r.shape = os;
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "Concat") {
    int64_t axis = 0;
    XM_TRY(normalize_axis(n, attr_int("axis", 0), std::max<int64_t>(rank, 1), &axis));
    Shape os = x.shape;
    if (os.empty()) return err(n, "cannot concatenate scalars");
    int64_t total = 0;
    for (size_t k = 0; k < in.size(); ++k) {
      XM_TRY(need(k));
      const StaticTensor& t = *in[k];
      if (t.shape.size() != x.shape.size() || t.is_int != x.is_int) return err(n, "inputs differ in rank or type");
      for (size_t d = 0; d < os.size(); ++d)
        if (int64_t(d) != axis && t.shape[d] != os[d]) return err(n, "input shapes differ outside the axis");
      total += t.shape[size_t(axis)];
    }
    os[size_t(axis)] = total;
    XM_TRY(check_size(n, os));
    StaticTensor r = make_like(x, os);
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k) outer *= os[size_t(k)];
    for (int64_t o = 0; o < outer; ++o)
      for (size_t k = 0; k < in.size(); ++k) {
        const StaticTensor& t = *in[k];
        int64_t chunk = t.numel() / std::max<int64_t>(outer, 1);
        for (int64_t q = 0; q < chunk; ++q) push(r, t, o * chunk + q);
      }
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "Transpose") {
    std::vector<int64_t> perm;
    if (!attr_ints("perm", &perm))
      for (int64_t k = rank - 1; k >= 0; --k) perm.push_back(k);
    if (int64_t(perm.size()) != rank) return err(n, "perm does not match the rank");
    Shape os;
    for (int64_t p : perm) {
      if (p < 0 || p >= rank) return err(n, "perm is out of range");
      os.push_back(x.shape[size_t(p)]);
    }
    StaticTensor r = make_like(x, os);
    int64_t cnt = shape_numel(os);
    std::vector<int64_t> xs(size_t(rank), 1);
    for (int64_t d = rank - 2; d >= 0; --d) xs[size_t(d)] = xs[size_t(d + 1)] * x.shape[size_t(d + 1)];
    for (int64_t k = 0; k < cnt; ++k) {
      int64_t rem = k, src = 0;
      for (int64_t d = rank; d-- > 0;) {
        src += (rem % os[size_t(d)]) * xs[size_t(perm[size_t(d)])];
        rem /= os[size_t(d)];
      }
      push(r, x, src);
    }
    out->push_back(std::move(r));
    return Status::ok();
  }
  if (op == "Slice") {
    std::vector<int64_t> starts, ends, axes, steps;
    if (opset < 10) {
      attr_ints("starts", &starts);
      attr_ints("ends", &ends);
      attr_ints("axes", &axes);
    } else {
      XM_TRY(ints_of(n, input(1), "starts", &starts));
      XM_TRY(ints_of(n, input(2), "ends", &ends));
      if (input(3)) XM_TRY(ints_of(n, input(3), "axes", &axes));
      if (input(4)) XM_TRY(ints_of(n, input(4), "steps", &steps));
    }
    if (axes.empty())
      for (size_t k = 0; k < starts.size(); ++k) axes.push_back(int64_t(k));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
      return err(n, "starts, ends, axes and steps differ in length");
    std::vector<int64_t> b(size_t(rank), 0), st(size_t(rank), 1);
    Shape os = x.shape;
    for (size_t k = 0; k < starts.size(); ++k) {
      int64_t a = 0;
      XM_TRY(normalize_axis(n, axes[k], rank, &a));
      int64_t dim = x.shape[size_t(a)], s = starts[k], e = ends[k], step = steps[k];
      if (step == 0) return err(n, "step 0");
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
    StaticTensor r = make_like(x, os);
    int64_t cnt = shape_numel(os);
    for (int64_t k = 0; k < cnt; ++k) {
      int64_t rem = k, src = 0, stride = 1;
      for (int64_t d = rank; d-- > 0;) {
        int64_t c = rem % os[size_t(d)];
        rem /= os[size_t(d)];
        src += (b[size_t(d)] + c * st[size_t(d)]) * stride;
        stride *= x.shape[size_t(d)];
      }
      push(r, x, src);
    }
    out->push_back(std::move(r));
    return Status::ok();
  }
  return err(n, "operator " + op + " is not supported on constant data");
}

}  // namespace xm
