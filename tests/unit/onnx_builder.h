// Building small ONNX models in memory for the engine's tests (no files, no PyTorch).
//
//   std::vector<In> ins = {{"x", {1, 3, 8, 8}}, {"w", {4, 3, 3, 3}, false, weights}};
//   onnx::Model m = one_node("Conv", ins, {ints("pads", {1, 1, 1, 1})});
#pragma once
#include <string>
#include <vector>

#include "onnx/onnx_model.h"

namespace xm {
namespace test {

struct In {
  std::string name;
  Shape shape;
  bool data = true;              // a graph input (differentiated) or an initializer
  std::vector<float> f;          // initializer values (float)
  std::vector<int64_t> i;        // initializer values (int64)
  In(std::string n, Shape s, bool d = true, std::vector<float> fv = {}, std::vector<int64_t> iv = {})
      : name(std::move(n)), shape(std::move(s)), data(d), f(std::move(fv)), i(std::move(iv)) {}
};

inline onnx::Attribute ints(const char* n, std::vector<int64_t> v) {
  onnx::Attribute a;
  a.name = n;
  a.type = onnx::AT_INTS;
  a.ints = std::move(v);
  return a;
}
inline onnx::Attribute one_int(const char* n, int64_t v) {
  onnx::Attribute a;
  a.name = n;
  a.type = onnx::AT_INT;
  a.i = v;
  return a;
}
inline onnx::Attribute one_float(const char* n, float v) {
  onnx::Attribute a;
  a.name = n;
  a.type = onnx::AT_FLOAT;
  a.f = v;
  return a;
}
inline onnx::Attribute str(const char* n, const char* v) {
  onnx::Attribute a;
  a.name = n;
  a.type = onnx::AT_STRING;
  a.s = v;
  return a;
}

inline onnx::Model one_node(const std::string& op, const std::vector<In>& ins, std::vector<onnx::Attribute> attrs, int64_t opset = 13) {
  onnx::Model m;
  m.ir_version = 8;
  m.opset = opset;
  onnx::Node n;
  n.name = "n0";
  n.op_type = op;
  n.attributes = std::move(attrs);
  for (const In& in : ins) {
    n.inputs.push_back(in.name);
    if (in.name.empty()) continue;
    if (in.data) {
      onnx::ValueInfo v;
      v.name = in.name;
      v.elem_type = onnx::DT_FLOAT;
      m.graph.inputs.push_back(v);
    } else {
      onnx::TensorData t;
      t.name = in.name;
      t.dims = in.shape;
      t.dtype = in.i.empty() ? onnx::DT_FLOAT : onnx::DT_INT64;
      t.f = in.f;
      t.i = in.i;
      m.graph.initializers.push_back(t);
    }
  }
  n.outputs = {"y"};
  m.graph.nodes.push_back(n);
  onnx::ValueInfo y;
  y.name = "y";
  y.elem_type = onnx::DT_FLOAT;
  m.graph.outputs.push_back(y);
  return m;
}

}  // namespace test
}  // namespace xm
