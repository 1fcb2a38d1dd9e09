// The differentiable engine: an ONNX graph, validated and sorted at load,
// planned once per set of input shapes (shapes, static values, one memory
// arena for every activation, gradient and workspace), then run many times
// without allocating.
//
//   auto e = Engine::load_file("m.onnx");           // Result<std::unique_ptr<Engine>>
//   if (!e) return fail(e.error());
//   RunRequest req;
//   req.inputs = {&x};                              // x: [B,C,H,W]
//   req.seeds = {&seed};                            // omit for forward only
//   req.capture = {"/7/Relu_output_0"};             // activation + gradient there
//   RunResult res;
//   XM_TRY((*e)->run(req, &res));                   // res.outputs[0], res.input_grads[0], res.captured[0]
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "engine/op.h"
#include "onnx/onnx_model.h"
#include "tensor/tensor.h"

namespace xm {

struct RunRequest {
  std::vector<const Tensor*> inputs;   // one per graph input, in order
  std::vector<const Tensor*> seeds;    // one per graph output (null: zero), or empty for forward only
  std::vector<std::string> capture;    // tensor names whose activation (and gradient) to return
  // With seeds: also the gradient with respect to the inputs. Without it the
  // backward stops at the captured tensors (Grad-CAM needs nothing below its layer).
  bool input_grads = true;
};

struct Captured {
  Tensor activation, gradient;  // gradient empty for a forward-only run
};

struct RunResult {
  std::vector<Tensor> outputs;
  std::vector<Tensor> input_grads;  // with seeds and RunRequest::input_grads only
  std::vector<Captured> captured;
};

// One graph input or output as the model declares it (-1: any size, e.g. batch).
struct EngineIo {
  std::string name;
  Shape dims;
};

struct EngineGraphView;  // engine/graph_view.h

struct EngineSummary {
  std::vector<EngineIo> inputs, outputs;
  std::vector<std::string> op_types;   // distinct, sorted
  int64_t opset = 0;
  int num_nodes = 0;
};

class Engine {
public:
  ~Engine();
  static Result<std::unique_ptr<Engine>> load(const onnx::Model& model, const std::string& name);
  static Result<std::unique_ptr<Engine>> load_bytes(const uint8_t* data, size_t size, const std::string& name);
  static Result<std::unique_ptr<Engine>> load_file(const std::string& path);

  const EngineSummary& summary() const { return summary_; }
  Status run(const RunRequest& req, RunResult* res);
  // Shapes of the inputs and of every computed tensor on the way to an output, in topological order.
  Status tensor_shapes(const std::vector<Shape>& input_shapes, std::vector<std::pair<std::string, Shape>>* out);
  // The runtime graph with shapes and static values for these input shapes (engine/graph_view.h).
  Status graph_view(const std::vector<Shape>& input_shapes, EngineGraphView* out);
  // Bytes of arena a pass with these input shapes needs (with gradients or without).
  Result<size_t> plan_bytes(const std::vector<Shape>& input_shapes, bool with_gradients);
  void set_relu_rule(ReluRule r) { relu_rule_ = r; }
  void set_threads(int n);
  int threads() const { return threads_; }
  // Per-node timing (forward, backward seconds since profiling was switched on);
  // also on when the environment variable XMEDIA_PROFILE is set at load.
  void set_profile(bool on);
  std::string profile_report() const;
  // Drops cached plans and the arena (e.g. after a big batch).
  void release_memory();

  struct Impl;

private:
  Engine();
  std::unique_ptr<Impl> impl_;
  EngineSummary summary_;
  ReluRule relu_rule_ = ReluRule::GRADIENT;
  int threads_ = 1;
};

// Every op type the engine knows, for `xmedia info` (runtime and load-time-only ops).
std::vector<std::string> engine_supported_ops();
// Which of a model's op types the engine does not support (empty: all supported).
std::vector<std::string> engine_unsupported_ops(const onnx::Model& model);

}  // namespace xm
