// The op interface: one class per ONNX operator, in wasm/engine/ops/<op>.cpp,
// each holding attribute parsing (init), shape inference (infer), forward and
// backward, and registered in the op table (op_table.cpp).
//
//   class ReluOp : public Op {
//     Status init(const OpInit& c) override { return c.expect_inputs(1, 1); }
//     Status infer(const OpShapes& s, std::vector<Shape>* out) override { out->push_back(s.in[0]); return {}; }
//     void forward(const OpRun& r) override { ... r.in[0] → r.out[0] ... }
//     void backward(const OpRun& r) override { ... r.gout[0] → r.gin[0] (accumulate) ... }
//   };
//
// Backward computes gradients with respect to data inputs only (weights are
// constants here) and ACCUMULATES (+=) into r.gin[i], so a tensor feeding
// several nodes sums their contributions. r.gin[i] is null when input i needs
// no gradient (a weight, a shape). Forward and backward never allocate: the
// workspace they need is declared by workspace_floats and planned once.
//
// Facts about an op that code outside its class needs (is it a Relu that can
// be fused, how incremental inference and LRP treat it, which input is its
// weight, how it is evaluated on static data) are fields of its OpDef in the
// op table, never lists of op names elsewhere:
//
//   const OpDef* d = find_op(node.op_type);
//   if (d && d->lrp == LrpKind::WEIGHTED) { int w = d->params.weight; ... }
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "onnx/onnx_model.h"
#include "tensor/tensor.h"

namespace xm {

// A tensor whose values are known before a pass: an initializer, a Constant,
// or a value computed from shapes (the exporter's Shape→Gather→Concat chains).
// Floating data in `f`, integer data in `i` (exactly one is used).
struct StaticTensor {
  Shape shape;
  bool is_int = false;
  std::vector<float> f;
  std::vector<int64_t> i;
  int64_t numel() const { return shape_numel(shape); }
  int64_t rank() const { return int64_t(shape.size()); }
  double at(int64_t k) const { return is_int ? double(i[size_t(k)]) : double(f[size_t(k)]); }
};

// What an op sees when it is created, once per node at load time.
struct OpInit {
  const onnx::Node* node = nullptr;
  int64_t opset = 0;
  // For each input: is it present, and is it known before a pass (static)?
  std::vector<bool> present, is_static;
  // Load-time constant value of each input (nullptr unless the input is a constant).
  std::vector<const StaticTensor*> constant;
  // Graph inputs may feed a static input (as ONNX's tests feed Resize's scales): then
  // require_static marks them here, and their values key the plan.
  std::vector<bool> is_graph_input;
  mutable std::vector<bool> wants_value;

  std::string label() const { return onnx::node_label(*node); }
  Status error(const std::string& msg) const { return Status::error(label() + ": " + msg); }
  Status expect_inputs(int lo, int hi) const;
  // Refuses the node when input k is present but not known before a pass.
  Status require_static(int k, const char* what) const;
  const onnx::Attribute* attr(const char* name) const { return onnx::find_attr(*node, name); }
  // Typed attribute readers: fallback when absent, an error when of the wrong type.
  Status get_int(const char* name, int64_t fallback, int64_t* out) const;
  Status get_float(const char* name, float fallback, float* out) const;
  Status get_string(const char* name, const std::string& fallback, std::string* out) const;
  Status get_ints(const char* name, std::vector<int64_t>* out) const;  // left unchanged when absent
  Status get_floats(const char* name, std::vector<float>* out) const;
  // Refuses attributes not in `known` (an unknown attribute may change the meaning).
  Status allow_attrs(std::initializer_list<const char*> known) const;
};

// Shapes of a pass (and static values), for shape inference.
struct OpShapes {
  std::vector<Shape> in;                  // empty shape for an absent input
  std::vector<bool> present;
  std::vector<const StaticTensor*> value;  // non-null for static inputs
};

struct OpRun {
  const float* const* in = nullptr;   // input data (null for absent/int inputs)
  const Shape* in_shape = nullptr;
  const StaticTensor* const* value = nullptr;  // static inputs' values (null otherwise)
  float* const* out = nullptr;
  const Shape* out_shape = nullptr;
  const float* const* gout = nullptr;  // gradient of each output (null: no gradient flows there)
  float* const* gin = nullptr;         // gradient of each input to accumulate into (null: not needed)
  // gin_fresh[k]: gin[k] holds garbage and this op writes it first: it must
  // assign every element (only for ops whose backward_assigns(k) is true).
  const bool* gin_fresh = nullptr;
  float* workspace = nullptr;          // `threads` blocks of workspace_stride floats
  size_t workspace_stride = 0;         // >= workspace_floats() of this op
  int threads = 1;
  ReluRule relu_rule = ReluRule::GRADIENT;
  bool fuse_relu = false;  // forward only: apply max(0, .) to the output (a following Relu was fused)
  // backward only: input 0 is a Relu's output and gin[0] the gradient of that
  // Relu's input: apply the Relu's backward (relu_rule) too (backward_folds_relu).
  bool fold_relu = false;
  int num_in = 0, num_out = 0;
};

class Op {
public:
  virtual ~Op() = default;
  virtual Status init(const OpInit& c) = 0;
  virtual Status infer(const OpShapes& s, std::vector<Shape>* out) = 0;
  virtual void forward(const OpRun& r) = 0;
  virtual void backward(const OpRun& r) = 0;
  // Floats of scratch per thread for these shapes (forward and backward share it).
  virtual size_t workspace_floats(const std::vector<Shape>& in, const std::vector<Shape>& out) const { return 0; }
  // Can backward give the gradient with respect to input k? Weights are
  // constants here; a model that feeds a weight from a graph input is run
  // forward, but its gradient there is refused rather than answered wrongly.
  virtual bool differentiable(int k) const { return true; }
  // What backward reads besides gradients: the plan frees other activations
  // right after their last forward use.
  virtual bool backward_reads_input(int k) const { return true; }
  virtual bool backward_reads_output() const { return true; }
  // Can backward assign (rather than add to) the gradient of input k when it
  // is the first to write it (OpRun::gin_fresh)? Saves zeroing big buffers.
  virtual bool backward_assigns(int k) const { return false; }
  // Can forward apply a following Relu itself (OpRun::fuse_relu)? Used by forward-only plans.
  virtual bool can_fuse_relu() const { return false; }
  // Can backward, for these shapes, also do the backward of a Relu that feeds
  // input 0 (OpRun::fold_relu), assigning every element of gin[0]? Saves a
  // pass over the Relu's gradient.
  virtual bool backward_folds_relu(const std::vector<Shape>& in, const std::vector<Shape>& out) const { return false; }
  std::string label;  // node label for messages
};

using OpFactory = std::unique_ptr<Op> (*)();
// Evaluates the op on values known before a pass: StaticCall (engine/static_eval.h)
// holds the node, its opset and its inputs' values and shapes.
// (A function type: op_table.cpp declares the evaluators with it.)
struct StaticCall;
using StaticEval = Status(const StaticCall& c, std::vector<StaticTensor>* out);
// Fan-in of a weight of dims w (evaluate/sanity.cpp draws U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
using WeightFanIn = int64_t(const onnx::Node& n, const Shape& w);

// How incremental inference (incremental.cpp) recomputes the op when a
// rectangle of its 4-D input changed.
enum class IncrementalKind {
  GENERIC,         // the whole op, on patched copies of its inputs
  CONV_WINDOW,     // a window op with a weight (Conv): the output rectangle the change reaches
  MAX_WINDOW,      // a window op padding with -inf (MaxPool)
  AVERAGE_WINDOW,  // a window op padding with 0, no dilations (AveragePool)
  ELEMENTWISE,     // y[c,h,w] depends on x[c,h,w] only (fixed other inputs): the rectangle
  BROADCAST,       // a binary op with numpy broadcasting (Add, Sub, Mul, Div): the inputs' rectangles' union
  CONCAT,          // Concat: on channels, the inputs' rectangles' union
  GLOBAL_AVERAGE,  // the mean over H,W: updated by the rectangle's change in sum
};

// How LRP (lrp.cpp) hands relevance from the op's output to its inputs.
enum class LrpKind {
  NONE,      // refused: the op has no LRP rule
  IDENTITY,  // passed on unchanged (activations, Identity, Dropout)
  REINDEX,   // moved by the op's gradient (reshapes, transposes, concatenation, padding)
  RULE,      // the epsilon rule through the op's backward
  WEIGHTED,  // RULE, and alpha-beta splits it by the sign of its weight (OpParams)
};

// The op's learned parameters: which input holds them (LRP's alpha-beta
// clamps it) and how cascading randomisation (evaluate/sanity.cpp) replaces them.
struct OpParams {
  int weight = -1;  // input holding the weight (-1: none)
  int bias = -1;    // input holding the bias (-1: none)
  // The weight may be either operand (Gemm, MatMul): input 0 when input 1 is
  // computed and input 0 constant.
  bool either_operand = false;
  WeightFanIn* fan_in = nullptr;  // null: no random re-initialisation
  // Instead of random values: value per input (from 0, count entries) that
  // makes the op the identity (BatchNormalization's scale 1, shift 0, mean 0, var 1).
  const float* identity = nullptr;
  int identity_count = 0;
};

// An operator and every fact about it, one entry of the op table (op_table.cpp).
// The chained setters keep a table row readable: OpDef("Relu", make_relu_op).lrp_kind(LrpKind::IDENTITY).
struct OpDef {
  const char* op_type = nullptr;
  OpFactory make = nullptr;            // null: only evaluated on static data (eval_static)
  StaticEval* eval_static = nullptr;  // evaluates the op when its inputs are known before a pass
  bool shape_only = false;             // reads only its input's shape (Shape, Size): static even on activations
  bool fuses_as_relu = false;          // a Relu: Op::can_fuse_relu / backward_folds_relu may do its work
  IncrementalKind incremental = IncrementalKind::GENERIC;
  LrpKind lrp = LrpKind::NONE;
  OpParams params;

  constexpr OpDef(const char* type, OpFactory f) : op_type(type), make(f) {}
  constexpr OpDef& static_evaluator(StaticEval* f) { eval_static = f; return *this; }
  constexpr OpDef& reads_shape_only() { shape_only = true; return *this; }
  constexpr OpDef& relu() { fuses_as_relu = true; return *this; }
  constexpr OpDef& incremental_kind(IncrementalKind k) { incremental = k; return *this; }
  constexpr OpDef& lrp_kind(LrpKind k) { lrp = k; return *this; }
  constexpr OpDef& weights(int w, int b, bool either, WeightFanIn* fan) {
    params.weight = w;
    params.bias = b;
    params.either_operand = either;
    params.fan_in = fan;
    return *this;
  }
  constexpr OpDef& identity_params(int w, const float* v, int count) {
    params.weight = w;
    params.identity = v;
    params.identity_count = count;
    return *this;
  }
};
// The op table: every operator the engine runs or evaluates on static data (op_table.cpp).
const std::vector<OpDef>& op_table();
const OpDef* find_op(const std::string& op_type);

}  // namespace xm
