// What an ONNX Runtime Web backend says about a model before ORT is loaded:
// read from the ONNX file by our own parser, which accepts any op.
#include <set>

#include "image/npy.h"
#include "onnx/onnx_model.h"
#include "platform/ort_backend.h"

namespace xm {

Result<BackendInfo> ort_backend_describe(const uint8_t* data, size_t size, const std::string& name) {
  auto m = onnx::parse_model(data, size, name);
  if (!m) return m.status();
  const onnx::Graph& g = m->graph;
  std::set<std::string> inits;
  for (auto& t : g.initializers) inits.insert(t.name);
  std::vector<const onnx::ValueInfo*> inputs;
  for (auto& v : g.inputs)
    if (!inits.count(v.name)) inputs.push_back(&v);
  if (inputs.size() != 1)
    return Status::error(name + ": the ONNX Runtime Web backend needs a model with one input, this one has " +
                         std::to_string(inputs.size()));
  if (g.outputs.empty()) return Status::error(name + ": the model has no outputs");
  const onnx::ValueInfo& in = *inputs[0];
  const onnx::ValueInfo& out = g.outputs[0];
  if (in.elem_type != onnx::DT_FLOAT || out.elem_type != onnx::DT_FLOAT)
    return Status::error(name + ": the ONNX Runtime Web backend needs a float32 input and output");
  if (!in.has_shape || in.dims.size() < 2)
    return Status::error(name + ": input '" + in.name + "' has no usable shape");
  for (size_t i = 1; i < in.dims.size(); ++i)
    if (in.dims[i] <= 0)
      return Status::error(name + ": input '" + in.name + "' has an unknown size in dimension " + std::to_string(i));
  // K may be symbolic (e.g. after a Reshape): num_outputs 0 = ask ORT (ort_backend_web.cpp).
  if (out.has_shape && out.dims.size() != 2)
    return Status::error(name + ": output '" + out.name + "' must be [N,K], got " + shape_str(out.dims));
  BackendInfo info;
  info.name = "ort";
  info.input_shape = in.dims;
  info.input_shape[0] = 1;
  info.num_outputs = out.has_shape && out.dims[1] > 0 ? int(out.dims[1]) : 0;
  info.can_differentiate = false;
  info.max_batch = 64;
  return info;
}

Result<std::unique_ptr<Backend>> ort_backend_from_file(const std::string& path, int threads) {
  auto bytes = read_file_bytes(path, onnx::MAX_MODEL_BYTES);
  if (!bytes) return bytes.status();
  return ort_backend_from_bytes(bytes->data(), bytes->size(), path, threads);
}

}  // namespace xm
