// The op table: one row per operator, pinned by a static_assert like ggml's,
// holding every fact the engine and its explainers need about the op (how it
// is built, evaluated on static data, recomputed incrementally, taken through
// LRP, fused, randomised); and OpInit's attribute readers.
//
// Adding an op touches only its file under ops/ (the Op class, its factory,
// and any static evaluator or fan-in it names), this table (a declaration and
// a row with its facts), and its tests. Nothing else compares op names: code
// that treats ops differently reads a field of OpDef (op.h).
#include <algorithm>
#include <cstring>

#include "engine/op.h"

namespace xm {

// Each factory, evaluator and fan-in lives in its op's file under ops/.
std::unique_ptr<Op> make_conv_op();
std::unique_ptr<Op> make_conv_transpose_op();
std::unique_ptr<Op> make_gemm_op();
std::unique_ptr<Op> make_matmul_op();
std::unique_ptr<Op> make_relu_op();
std::unique_ptr<Op> make_leaky_relu_op();
std::unique_ptr<Op> make_sigmoid_op();
std::unique_ptr<Op> make_tanh_op();
std::unique_ptr<Op> make_clip_op();
std::unique_ptr<Op> make_softmax_op();
std::unique_ptr<Op> make_max_pool_op();
std::unique_ptr<Op> make_average_pool_op();
std::unique_ptr<Op> make_global_average_pool_op();
std::unique_ptr<Op> make_global_max_pool_op();
std::unique_ptr<Op> make_batch_normalization_op();
std::unique_ptr<Op> make_add_op();
std::unique_ptr<Op> make_sub_op();
std::unique_ptr<Op> make_mul_op();
std::unique_ptr<Op> make_div_op();
std::unique_ptr<Op> make_concat_op();
std::unique_ptr<Op> make_flatten_op();
std::unique_ptr<Op> make_reshape_op();
std::unique_ptr<Op> make_squeeze_op();
std::unique_ptr<Op> make_unsqueeze_op();
std::unique_ptr<Op> make_transpose_op();
std::unique_ptr<Op> make_pad_op();
std::unique_ptr<Op> make_reduce_mean_op();
std::unique_ptr<Op> make_resize_op();
std::unique_ptr<Op> make_upsample_op();
std::unique_ptr<Op> make_identity_op();
std::unique_ptr<Op> make_dropout_op();

StaticEval static_eval_concat, static_eval_flatten, static_eval_reshape, static_eval_squeeze, static_eval_unsqueeze,
    static_eval_transpose, static_eval_identity;
// ops/binary.cpp: Add, Sub, Mul, Div by their symbol ('+', '-', '*', '/').
template <char OP>
Status static_eval_binary(const StaticCall& c, std::vector<StaticTensor>* out);
// ops/shape_ops.cpp: the ops that run only on static data.
StaticEval static_eval_constant, static_eval_shape, static_eval_size, static_eval_gather, static_eval_cast,
    static_eval_slice, static_eval_constant_of_shape, static_eval_range, static_eval_neg;

WeightFanIn conv_weight_fan_in, gemm_weight_fan_in, matmul_weight_fan_in;
extern const float BATCH_NORMALIZATION_IDENTITY[5];

namespace {
using IK = IncrementalKind;
using LK = LrpKind;
// The order is that of LRP's message listing its ops (rule layers, then pass-through ones).
const OpDef OP_TABLE[] = {
    OpDef("Conv", make_conv_op).incremental_kind(IK::CONV_WINDOW).lrp_kind(LK::WEIGHTED).weights(1, 2, false, conv_weight_fan_in),
    OpDef("ConvTranspose", make_conv_transpose_op).lrp_kind(LK::WEIGHTED).weights(1, 2, false, conv_weight_fan_in),
    OpDef("Gemm", make_gemm_op).lrp_kind(LK::WEIGHTED).weights(1, 2, true, gemm_weight_fan_in),
    OpDef("MatMul", make_matmul_op).lrp_kind(LK::WEIGHTED).weights(1, -1, true, matmul_weight_fan_in),
    OpDef("BatchNormalization", make_batch_normalization_op)
        .incremental_kind(IK::ELEMENTWISE)
        .lrp_kind(LK::RULE)
        .identity_params(1, BATCH_NORMALIZATION_IDENTITY, 5),
    OpDef("MaxPool", make_max_pool_op).incremental_kind(IK::MAX_WINDOW).lrp_kind(LK::RULE),
    OpDef("GlobalMaxPool", make_global_max_pool_op).lrp_kind(LK::RULE),
    OpDef("AveragePool", make_average_pool_op).incremental_kind(IK::AVERAGE_WINDOW).lrp_kind(LK::RULE),
    OpDef("GlobalAveragePool", make_global_average_pool_op).incremental_kind(IK::GLOBAL_AVERAGE).lrp_kind(LK::RULE),
    OpDef("ReduceMean", make_reduce_mean_op).lrp_kind(LK::RULE),
    OpDef("Add", make_add_op).static_evaluator(static_eval_binary<'+'>).incremental_kind(IK::BROADCAST).lrp_kind(LK::RULE),
    OpDef("Relu", make_relu_op).relu().incremental_kind(IK::ELEMENTWISE).lrp_kind(LK::IDENTITY),
    OpDef("Tanh", make_tanh_op).incremental_kind(IK::ELEMENTWISE).lrp_kind(LK::IDENTITY),
    OpDef("Dropout", make_dropout_op).incremental_kind(IK::ELEMENTWISE).lrp_kind(LK::IDENTITY),
    OpDef("Identity", make_identity_op)
        .static_evaluator(static_eval_identity)
        .incremental_kind(IK::ELEMENTWISE)
        .lrp_kind(LK::IDENTITY),
    OpDef("Reshape", make_reshape_op).static_evaluator(static_eval_reshape).lrp_kind(LK::REINDEX),
    OpDef("Flatten", make_flatten_op).static_evaluator(static_eval_flatten).lrp_kind(LK::REINDEX),
    OpDef("Squeeze", make_squeeze_op).static_evaluator(static_eval_squeeze).lrp_kind(LK::REINDEX),
    OpDef("Unsqueeze", make_unsqueeze_op).static_evaluator(static_eval_unsqueeze).lrp_kind(LK::REINDEX),
    OpDef("Transpose", make_transpose_op).static_evaluator(static_eval_transpose).lrp_kind(LK::REINDEX),
    OpDef("Concat", make_concat_op).static_evaluator(static_eval_concat).incremental_kind(IK::CONCAT).lrp_kind(LK::REINDEX),
    OpDef("Pad", make_pad_op).lrp_kind(LK::REINDEX),
    OpDef("Sub", make_sub_op).static_evaluator(static_eval_binary<'-'>).incremental_kind(IK::BROADCAST),
    OpDef("Mul", make_mul_op).static_evaluator(static_eval_binary<'*'>).incremental_kind(IK::BROADCAST),
    OpDef("Div", make_div_op).static_evaluator(static_eval_binary<'/'>).incremental_kind(IK::BROADCAST),
    OpDef("LeakyRelu", make_leaky_relu_op).incremental_kind(IK::ELEMENTWISE),
    OpDef("Sigmoid", make_sigmoid_op).incremental_kind(IK::ELEMENTWISE),
    OpDef("Clip", make_clip_op).incremental_kind(IK::ELEMENTWISE),
    OpDef("Softmax", make_softmax_op),
    OpDef("Resize", make_resize_op),
    OpDef("Upsample", make_upsample_op),
    // Only on static data: the small ops the PyTorch exporter wraps around shapes.
    OpDef("Constant", nullptr).static_evaluator(static_eval_constant),
    OpDef("Shape", nullptr).static_evaluator(static_eval_shape).reads_shape_only(),
    OpDef("Size", nullptr).static_evaluator(static_eval_size).reads_shape_only(),
    OpDef("Gather", nullptr).static_evaluator(static_eval_gather),
    OpDef("Cast", nullptr).static_evaluator(static_eval_cast),
    OpDef("Slice", nullptr).static_evaluator(static_eval_slice),
    OpDef("ConstantOfShape", nullptr).static_evaluator(static_eval_constant_of_shape),
    OpDef("Range", nullptr).static_evaluator(static_eval_range),
    OpDef("Neg", nullptr).static_evaluator(static_eval_neg),
};
static_assert(sizeof(OP_TABLE) / sizeof(OP_TABLE[0]) == 40, "op table changed: update tests and docs");
}  // namespace

const std::vector<OpDef>& op_table() {
  static const std::vector<OpDef> t(std::begin(OP_TABLE), std::end(OP_TABLE));
  return t;
}

const OpDef* find_op(const std::string& op_type) {
  for (const OpDef& d : op_table())
    if (op_type == d.op_type) return &d;
  return nullptr;
}

Status OpInit::expect_inputs(int lo, int hi) const {
  int n = int(node->inputs.size());
  while (n > 0 && node->inputs[size_t(n - 1)].empty()) --n;
  if (n < lo || n > hi)
    return error("expects " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
                 " inputs, has " + std::to_string(n));
  for (int k = 0; k < lo; ++k)
    if (!present[size_t(k)]) return error("input " + std::to_string(k) + " is missing");
  return Status::ok();
}

Status OpInit::require_static(int k, const char* what) const {
  if (size_t(k) < present.size() && present[size_t(k)] && !is_static[size_t(k)]) {
    if (is_graph_input[size_t(k)]) {
      wants_value[size_t(k)] = true;
      return Status::ok();
    }
    return error(std::string(what) + " must be a constant (or computed from shapes), not an activation");
  }
  return Status::ok();
}

namespace {
Status wrong_type(const OpInit& c, const char* name, const char* want) {
  return c.error(std::string("attribute '") + name + "' must be " + want);
}
}  // namespace

Status OpInit::get_int(const char* name, int64_t fallback, int64_t* out) const {
  const onnx::Attribute* a = attr(name);
  if (!a) {
    *out = fallback;
    return Status::ok();
  }
  if (a->type != onnx::AT_INT) return wrong_type(*this, name, "an integer");
  *out = a->i;
  return Status::ok();
}

Status OpInit::get_float(const char* name, float fallback, float* out) const {
  const onnx::Attribute* a = attr(name);
  if (!a) {
    *out = fallback;
    return Status::ok();
  }
  if (a->type == onnx::AT_INT) *out = float(a->i);
  else if (a->type == onnx::AT_FLOAT) *out = a->f;
  else return wrong_type(*this, name, "a float");
  return Status::ok();
}

Status OpInit::get_string(const char* name, const std::string& fallback, std::string* out) const {
  const onnx::Attribute* a = attr(name);
  if (!a) {
    *out = fallback;
    return Status::ok();
  }
  if (a->type != onnx::AT_STRING) return wrong_type(*this, name, "a string");
  *out = a->s;
  return Status::ok();
}

Status OpInit::get_ints(const char* name, std::vector<int64_t>* out) const {
  const onnx::Attribute* a = attr(name);
  if (!a) return Status::ok();
  if (a->type != onnx::AT_INTS) return wrong_type(*this, name, "a list of integers");
  *out = a->ints;
  return Status::ok();
}

Status OpInit::get_floats(const char* name, std::vector<float>* out) const {
  const onnx::Attribute* a = attr(name);
  if (!a) return Status::ok();
  if (a->type != onnx::AT_FLOATS) return wrong_type(*this, name, "a list of floats");
  *out = a->floats;
  return Status::ok();
}

Status OpInit::allow_attrs(std::initializer_list<const char*> known) const {
  for (const onnx::Attribute& a : node->attributes) {
    bool ok = false;
    for (const char* k : known) ok = ok || a.name == k;
    if (!ok) return error("attribute '" + a.name + "' is not supported");
  }
  return Status::ok();
}

}  // namespace xm
