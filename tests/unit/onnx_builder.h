// Building small ONNX models in memory for the engine's tests (no files, no PyTorch).
//
//   std::vector<In> ins = {{"x", {1, 3, 8, 8}}, {"w", {4, 3, 3, 3}, false, weights}};
//   onnx::Model m = one_node("Conv", ins, {ints("pads", {1, 1, 1, 1})});
//
//   onnx::Model g = empty_model();                     // several nodes, by hand
//   add_input(g, "x");
//   add_initializer(g, "b", {1, 4, 1, 1}, bias);
//   add_node(g, "Add", {"x", "b"}, "z");
//   add_node(g, "Relu", {"z"}, "y");
//   add_output(g, "y");
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

inline onnx::Attribute attr(const char* n, onnx::AttrType t) {
  onnx::Attribute a;
  a.name = n;
  a.type = t;
  return a;
}
inline onnx::Attribute ints(const char* n, std::vector<int64_t> v) {
  onnx::Attribute a = attr(n, onnx::AT_INTS);
  a.ints = std::move(v);
  return a;
}
inline onnx::Attribute one_int(const char* n, int64_t v) {
  onnx::Attribute a = attr(n, onnx::AT_INT);
  a.i = v;
  return a;
}
inline onnx::Attribute one_float(const char* n, float v) {
  onnx::Attribute a = attr(n, onnx::AT_FLOAT);
  a.f = v;
  return a;
}
inline onnx::Attribute str(const char* n, const char* v) {
  onnx::Attribute a = attr(n, onnx::AT_STRING);
  a.s = v;
  return a;
}

inline onnx::Model empty_model(int64_t opset = 13) {
  onnx::Model m;
  m.ir_version = 8;
  m.opset = opset;
  return m;
}
inline void add_input(onnx::Model& m, const std::string& name) {
  onnx::ValueInfo v;
  v.name = name;
  v.elem_type = onnx::DT_FLOAT;
  m.graph.inputs.push_back(v);
}
inline void add_output(onnx::Model& m, const std::string& name) {
  onnx::ValueInfo v;
  v.name = name;
  v.elem_type = onnx::DT_FLOAT;
  m.graph.outputs.push_back(v);
}
// A float tensor, or an int64 one when `i` is given.
inline onnx::TensorData tensor_data(const std::string& name, Shape dims, std::vector<float> f, std::vector<int64_t> i = {}) {
  onnx::TensorData t;
  t.name = name;
  t.dims = std::move(dims);
  t.dtype = i.empty() ? onnx::DT_FLOAT : onnx::DT_INT64;
  t.f = std::move(f);
  t.i = std::move(i);
  return t;
}
inline void add_initializer(onnx::Model& m, const std::string& name, Shape dims, std::vector<float> f,
                            std::vector<int64_t> i = {}) {
  m.graph.initializers.push_back(tensor_data(name, std::move(dims), std::move(f), std::move(i)));
}
// A node named "n_<output>".
inline void add_node(onnx::Model& m, const std::string& op, std::vector<std::string> inputs, const std::string& output,
                     std::vector<onnx::Attribute> attrs = {}) {
  onnx::Node n;
  n.name = "n_" + output;
  n.op_type = op;
  n.attributes = std::move(attrs);
  n.inputs = std::move(inputs);
  n.outputs = {output};
  m.graph.nodes.push_back(n);
}

inline onnx::Model one_node(const std::string& op, const std::vector<In>& ins, std::vector<onnx::Attribute> attrs, int64_t opset = 13) {
  onnx::Model m = empty_model(opset);
  std::vector<std::string> names;
  for (const In& in : ins) {
    names.push_back(in.name);
    if (in.name.empty()) continue;
    if (in.data) add_input(m, in.name);
    else add_initializer(m, in.name, in.shape, in.f, in.i);
  }
  add_node(m, op, std::move(names), "y", std::move(attrs));
  m.graph.nodes.back().name = "n0";
  add_output(m, "y");
  return m;
}

}  // namespace test
}  // namespace xm
