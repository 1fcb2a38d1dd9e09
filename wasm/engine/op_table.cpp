// The op table (one entry per operator, pinned by a static_assert like ggml's)
// and OpInit's attribute readers.
#include <algorithm>
#include <cstring>

#include "engine/op.h"

namespace xm {

// Each factory lives in its op's file under ops/.
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

namespace {
const OpDef OP_TABLE[] = {
    {"Conv", make_conv_op},
    {"ConvTranspose", make_conv_transpose_op},
    {"Gemm", make_gemm_op},
    {"MatMul", make_matmul_op},
    {"Relu", make_relu_op},
    {"LeakyRelu", make_leaky_relu_op},
    {"Sigmoid", make_sigmoid_op},
    {"Tanh", make_tanh_op},
    {"Clip", make_clip_op},
    {"Softmax", make_softmax_op},
    {"MaxPool", make_max_pool_op},
    {"AveragePool", make_average_pool_op},
    {"GlobalAveragePool", make_global_average_pool_op},
    {"GlobalMaxPool", make_global_max_pool_op},
    {"BatchNormalization", make_batch_normalization_op},
    {"Add", make_add_op},
    {"Sub", make_sub_op},
    {"Mul", make_mul_op},
    {"Div", make_div_op},
    {"Concat", make_concat_op},
    {"Flatten", make_flatten_op},
    {"Reshape", make_reshape_op},
    {"Squeeze", make_squeeze_op},
    {"Unsqueeze", make_unsqueeze_op},
    {"Transpose", make_transpose_op},
    {"Pad", make_pad_op},
    {"ReduceMean", make_reduce_mean_op},
    {"Resize", make_resize_op},
    {"Upsample", make_upsample_op},
    {"Identity", make_identity_op},
    {"Dropout", make_dropout_op},
};
static_assert(sizeof(OP_TABLE) / sizeof(OP_TABLE[0]) == 31, "op table changed: update tests and docs");
}  // namespace

const std::vector<OpDef>& op_table() {
  static const std::vector<OpDef> t(std::begin(OP_TABLE), std::end(OP_TABLE));
  return t;
}

const OpDef* find_op(const std::string& op_type) {
  for (const OpDef& d : OP_TABLE)
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
