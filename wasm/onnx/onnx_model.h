// ONNX model as plain structs, decoded from protobuf bytes with protozero.
// Hostile bytes never crash the loader: every length and count is bounded, and
// protozero's exceptions are turned into a Status naming the file.
//
//   Result<onnx::Model> m = onnx::load_file("model.onnx");
//   if (!m) return fail(m.error());
//   for (const onnx::Node& n : m->graph.nodes) printf("%s %s\n", n.op_type.c_str(), n.name.c_str());
//   const onnx::Attribute* a = onnx::find_attr(node, "strides");
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "tensor/tensor.h"

namespace xm {
namespace onnx {

// TensorProto.DataType values used here.
enum DataType : int {
  DT_UNDEFINED = 0, DT_FLOAT = 1, DT_UINT8 = 2, DT_INT8 = 3, DT_UINT16 = 4, DT_INT16 = 5, DT_INT32 = 6,
  DT_INT64 = 7, DT_STRING = 8, DT_BOOL = 9, DT_FLOAT16 = 10, DT_DOUBLE = 11, DT_UINT32 = 12, DT_UINT64 = 13,
};
const char* dtype_name(int dtype);
bool dtype_is_float(int dtype);    // float, double
bool dtype_is_integer(int dtype);  // the signed/unsigned ints and bool

// Largest tensor accepted from a file (elements) and largest model file (bytes).
constexpr int64_t MAX_TENSOR_ELEMENTS = int64_t(1) << 28;
constexpr size_t MAX_MODEL_BYTES = size_t(1) << 30;
constexpr int MAX_RANK = 8;

// A decoded TensorProto. Floating types land in `f` (doubles narrowed), integer
// types (and bool) in `i`; `dtype` keeps the file's type.
struct TensorData {
  std::string name;
  int dtype = DT_UNDEFINED;
  Shape dims;
  std::vector<float> f;
  std::vector<int64_t> i;
  bool is_float() const { return dtype_is_float(dtype); }
  int64_t numel() const { return shape_numel(dims); }
};

enum AttrType : int {
  AT_UNDEFINED = 0, AT_FLOAT = 1, AT_INT = 2, AT_STRING = 3, AT_TENSOR = 4, AT_GRAPH = 5, AT_FLOATS = 6,
  AT_INTS = 7, AT_STRINGS = 8, AT_TENSORS = 9, AT_GRAPHS = 10,
};

struct Attribute {
  std::string name;
  int type = AT_UNDEFINED;
  float f = 0;
  int64_t i = 0;
  std::string s;
  TensorData t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
};

struct Node {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;  // "" marks an omitted optional input
  std::vector<Attribute> attributes;
  bool has_subgraph = false;  // If/Loop/Scan bodies are not decoded
};

// A graph input or output: element type and dims; a symbolic or absent
// dimension is -1 with its name (e.g. "batch") in dim_params.
struct ValueInfo {
  std::string name;
  int elem_type = DT_UNDEFINED;
  bool has_shape = false;
  Shape dims;
  std::vector<std::string> dim_params;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::vector<TensorData> initializers;
  std::vector<ValueInfo> inputs, outputs;
};

struct Model {
  int64_t ir_version = 0;
  int64_t opset = 0;  // default ("" or "ai.onnx") domain
  std::string producer_name;
  Graph graph;
};

Result<Model> parse_model(const uint8_t* data, size_t size, const std::string& name);
Result<Model> load_file(const std::string& path);
// One serialized TensorProto (ONNX test data's input_0.pb etc.).
Result<TensorData> parse_tensor(const uint8_t* data, size_t size, const std::string& name);

const Attribute* find_attr(const Node& n, const char* name);
// "node 'NAME' (OpType)" for messages; uses the first output when the node has no name.
std::string node_label(const Node& n);

}  // namespace onnx
}  // namespace xm
