// A read-only view of an engine's runtime graph for one set of input shapes,
// for algorithms that schedule the ops themselves (engine/incremental.h runs
// them on sub-rectangles). Op pointers and constants stay owned by the engine
// and live as long as it does; plan-time static values are copied here.
//
//   EngineGraphView v;
//   XM_TRY(engine.graph_view({{1, 1, 128, 128}}, &v));
//   for (const EngineGraphView::Node& n : v.nodes)      // topological order
//     printf("%s -> %s\n", n.node->op_type.c_str(), shape_str(v.shapes[n.out[0]]).c_str());
#pragma once
#include <string>
#include <vector>

#include "engine/op.h"
#include "onnx/onnx_model.h"
#include "tensor/tensor.h"

namespace xm {

struct EngineGraphView {
  struct Node {
    const onnx::Node* node = nullptr;
    Op* op = nullptr;
    const OpDef* def = nullptr;  // the op's entry in the op table: its facts
    std::vector<int> in, out;  // value ids, -1 when absent
  };
  std::vector<Node> nodes;                  // runtime nodes only, topological order
  std::vector<std::string> names;           // by value id
  std::vector<Shape> shapes;                // by value id
  std::vector<bool> is_runtime;             // by value id: an activation (or a graph input)
  std::vector<StaticTensor> statics;        // by value id: plan-time static values (shape chains)
  std::vector<const StaticTensor*> value;   // by value id: a known value (constant or static), else null
  std::vector<int> inputs, outputs;         // value ids
  int64_t opset = 0;
};

}  // namespace xm
