// Load-time (and plan-time) evaluation of the small ops the PyTorch exporter
// wraps around shapes: Constant, Shape, Gather, Unsqueeze, Squeeze, Concat,
// Cast, Slice, Reshape, Identity, ConstantOfShape, Range and integer
// arithmetic. They run on StaticTensors only; a pass never sees them.
//
//   std::vector<StaticTensor> out;
//   XM_TRY(static_eval(node, opset, inputs, input_shapes, &out));
#pragma once
#include <vector>

#include "engine/op.h"

namespace xm {

// Can static_eval handle this op type (when its inputs are static)?
bool static_eval_supports(const std::string& op_type);
// inputs[k]: the value of input k (null when absent, or when only its shape is
// known, which is all Shape needs); shapes[k]: its shape.
Status static_eval(const onnx::Node& node, int64_t opset, const std::vector<const StaticTensor*>& inputs,
                   const std::vector<Shape>& shapes, std::vector<StaticTensor>* out);
StaticTensor static_from_onnx(const onnx::TensorData& t);

}  // namespace xm
