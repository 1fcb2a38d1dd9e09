// Load-time (and plan-time) evaluation of the ops the PyTorch exporter wraps
// around shapes (Constant, Shape, Gather, Unsqueeze, Concat, Cast, Slice, Range,
// integer arithmetic, ...). They run on StaticTensors only; a pass never sees
// them. Each op's evaluator lives in its file under ops/ (the ones with no
// runtime op in ops/shape_ops.cpp) and is reached through the op table
// (OpDef::eval_static); the helpers below are what those evaluators share.
//
//   std::vector<StaticTensor> out;
//   XM_TRY(static_eval(node, opset, inputs, input_shapes, &out));
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
Status static_error(const onnx::Node& n, const std::string& msg);  // "<node>: msg"
Status static_check_size(const onnx::Node& n, const Shape& s);
// Input k, refused when absent or not known before the pass.
Status static_input(const onnx::Node& n, const std::vector<const StaticTensor*>& in, size_t k, const StaticTensor** out);
// An empty tensor of t's type with this shape, and appending t's element k to r.
StaticTensor static_like(const StaticTensor& t, Shape shape);
void static_push(StaticTensor& r, const StaticTensor& t, int64_t k);
Status static_axis(const onnx::Node& n, int64_t a, int64_t rank, int64_t* out);
// t's values as integers (what names them in messages: "shape", "axes", ...).
Status static_ints(const onnx::Node& n, const StaticTensor* t, const char* what, std::vector<int64_t>* out);
int64_t static_attr_int(const onnx::Node& n, const char* name, int64_t fallback);
bool static_attr_ints(const onnx::Node& n, const char* name, std::vector<int64_t>* out);  // false when absent

}  // namespace xm
