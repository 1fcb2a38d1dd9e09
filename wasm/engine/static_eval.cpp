// Static evaluation: the dispatch through the op table, and the helpers the
// evaluators in ops/ share.
#include "engine/static_eval.h"

#include <cmath>

namespace xm {

Status static_error(const onnx::Node& n, const std::string& m) { return Status::error(onnx::node_label(n) + ": " + m); }

Status static_check_size(const onnx::Node& n, const Shape& s) {
  auto c = shape_checked_numel(s, STATIC_MAX_ELEMENTS);
  if (!c) return static_error(n, c.error());
  return Status::ok();
}

Status static_input(const onnx::Node& n, const std::vector<const StaticTensor*>& in, size_t k, const StaticTensor** out) {
  *out = k < in.size() ? in[k] : nullptr;
  if (!*out) return static_error(n, "input " + std::to_string(k) + " must be known before the pass");
  return Status::ok();
}

StaticTensor static_like(const StaticTensor& t, Shape shape) {
  StaticTensor r;
  r.shape = std::move(shape);
  r.is_int = t.is_int;
  return r;
}

void static_push(StaticTensor& r, const StaticTensor& t, int64_t k) {
  if (t.is_int) r.i.push_back(t.i[size_t(k)]);
  else r.f.push_back(t.f[size_t(k)]);
}

Status static_axis(const onnx::Node& n, int64_t a, int64_t rank, int64_t* out) {
  if (a < -rank || a >= rank)
    return static_error(n, "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
  *out = a < 0 ? a + rank : a;
  return Status::ok();
}

Status static_ints(const onnx::Node& n, const StaticTensor* t, const char* what, std::vector<int64_t>* out) {
  if (!t) return static_error(n, std::string(what) + " must be known before the pass");
  out->clear();
  for (int64_t k = 0; k < t->numel(); ++k) {
    double v = t->at(k);
    if (!t->is_int && v != std::floor(v)) return static_error(n, std::string(what) + " must be integers");
    out->push_back(int64_t(v));
  }
  return Status::ok();
}

int64_t static_attr_int(const onnx::Node& n, const char* name, int64_t fallback) {
  const onnx::Attribute* a = onnx::find_attr(n, name);
  return a ? a->i : fallback;
}

bool static_attr_ints(const onnx::Node& n, const char* name, std::vector<int64_t>* out) {
  const onnx::Attribute* a = onnx::find_attr(n, name);
  if (!a) return false;
  *out = a->ints;
  return true;
}

StaticTensor static_from_onnx(const onnx::TensorData& t) {
  StaticTensor s;
  s.shape = t.dims;
  s.is_int = !t.is_float();
  s.f = t.f;
  s.i = t.i;
  return s;
}

Status static_eval(const onnx::Node& n, int64_t opset, const std::vector<const StaticTensor*>& in,
                   const std::vector<Shape>& shapes, std::vector<StaticTensor>* out) {
  out->clear();
  const OpDef* d = find_op(n.op_type);
  if (!d || !d->eval_static) return static_error(n, "operator " + n.op_type + " is not supported on constant data");
  return d->eval_static(n, opset, in, shapes, out);
}

}  // namespace xm
