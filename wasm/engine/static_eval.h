// Load-time (and plan-time) evaluation of the ops the PyTorch exporter wraps
// around shapes (Constant, Shape, Gather, Unsqueeze, Concat, Cast, Slice, Range,
// integer arithmetic, ...). They run on StaticTensors only; a pass never sees
// them. Each op's evaluator lives in its file under ops/ (the ones with no
// runtime op in ops/shape_ops.cpp) and is reached through the op table
// (OpDef::eval_static). An evaluator takes one StaticCall, which holds the node
// and its inputs and the checks evaluators share:
//
//   std::vector<StaticTensor> out;
//   XM_TRY(static_eval(node, opset, inputs, input_shapes, &out));
//
//   Status static_eval_neg(const StaticCall& c, std::vector<StaticTensor>* out) {
//     const StaticTensor* x = nullptr;
//     XM_TRY(c.input(0, &x));  // "<node>: input 0 must be known before the pass"
//     ... out->push_back(r);
//   }
#pragma once
#include <string>
#include <vector>

#include "engine/op.h"

namespace xm {

// Evaluates node through its op's OpDef::eval_static (an error for an op without one).
// inputs[k]: the value of input k (null when absent, or when only its shape is
// known, which is all Shape needs); shapes[k]: its shape.
Status static_eval(const onnx::Node& node, int64_t opset, const std::vector<const StaticTensor*>& inputs,
                   const std::vector<Shape>& shapes, std::vector<StaticTensor>* out);
StaticTensor static_from_onnx(const onnx::TensorData& t);

// For the evaluators: results are capped at STATIC_MAX_ELEMENTS elements.
constexpr int64_t STATIC_MAX_ELEMENTS = int64_t(1) << 24;

// What an evaluator sees: the node, its opset, each input's value (null when
// absent or when only its shape is known) and shape. Messages name the node.
struct StaticCall {
  const onnx::Node& node;
  int64_t opset;
  const std::vector<const StaticTensor*>& in;
  const std::vector<Shape>& shapes;

  Status error(const std::string& msg) const;  // "<node>: msg"
  // Input k, refused when absent or not known before the pass.
  Status input(size_t k, const StaticTensor** x) const;
  // Input k's value, null when absent or not known (for optional inputs).
  const StaticTensor* value(size_t k) const { return k < in.size() ? in[k] : nullptr; }
  Status check_size(const Shape& s) const;  // at most STATIC_MAX_ELEMENTS elements
  Status axis(int64_t a, int64_t rank, int64_t* out) const;  // a in [-rank, rank): its index
  // t's values as integers (what names them in messages: "shape", "axes", ...).
  Status ints(const StaticTensor* t, const char* what, std::vector<int64_t>* out) const;
  const onnx::Attribute* attr(const char* name) const { return onnx::find_attr(node, name); }
  int64_t attr_int(const char* name, int64_t fallback) const;
  bool attr_ints(const char* name, std::vector<int64_t>* out) const;  // false when absent
};

// An empty tensor of t's type with this shape, and appending t's element k to r.
StaticTensor static_like(const StaticTensor& t, Shape shape);
void static_push(StaticTensor& r, const StaticTensor& t, int64_t k);

}  // namespace xm
