// Static evaluation: the dispatch through the op table, and the checks and
// helpers the evaluators in ops/ share (StaticCall).
#include "engine/static_eval.h"

#include <cmath>
#include <limits>

namespace xm {

Status StaticCall::error(const std::string& m) const { return Status::error(onnx::node_label(node) + ": " + m); }

Status StaticCall::check_size(const Shape& s) const {
  auto n = shape_checked_numel(s, STATIC_MAX_ELEMENTS);
  if (!n) return error(n.error());
  return Status::ok();
}

Status StaticCall::input(size_t k, const StaticTensor** x) const {
  *x = value(k);
  if (!*x) return error("input " + std::to_string(k) + " must be known before the pass");
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

Status StaticCall::axis(int64_t a, int64_t rank, int64_t* out) const {
  if (a < -rank || a >= rank)
    return error("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
  *out = a < 0 ? a + rank : a;
  return Status::ok();
}

Status StaticCall::ints(const StaticTensor* t, const char* what, std::vector<int64_t>* out) const {
  if (!t) return error(std::string(what) + " must be known before the pass");
  out->clear();
  for (int64_t k = 0; k < t->numel(); ++k) {
    if (t->is_int) {  // exactly: through a double, INT64_MAX ("to the end") did not fit back
      out->push_back(t->i[size_t(k)]);
      continue;
    }
    double v = t->at(k);
    if (v != std::floor(v)) return error(std::string(what) + " must be integers");
    if (!(std::fabs(v) < 9.2e18)) return error(std::string(what) + " is out of range");
    out->push_back(int64_t(v));
  }
  return Status::ok();
}

int64_t StaticCall::attr_int(const char* name, int64_t fallback) const {
  const onnx::Attribute* a = attr(name);
  return a ? a->i : fallback;
}

bool StaticCall::attr_ints(const char* name, std::vector<int64_t>* out) const {
  const onnx::Attribute* a = attr(name);
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
  const StaticCall c{n, opset, in, shapes};
  const OpDef* d = find_op(n.op_type);
  if (!d || !d->eval_static) return c.error("operator " + n.op_type + " is not supported on constant data");
  return d->eval_static(c, out);
}

}  // namespace xm
