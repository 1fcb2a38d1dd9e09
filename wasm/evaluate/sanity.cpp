// Randomisation sanity checks (see sanity.h).
#include "evaluate/sanity.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/engine.h"
#include "engine/engine_backend.h"
#include "engine/op.h"
#include "explain/rng.h"

namespace xm {

namespace {

onnx::TensorData* find_init(onnx::Model& m, const std::string& name) {
  for (auto& t : m.graph.initializers)
    if (t.name == name) return &t;
  return nullptr;
}
const onnx::TensorData* find_init(const onnx::Model& m, const std::string& name) {
  for (auto& t : m.graph.initializers)
    if (t.name == name) return &t;
  return nullptr;
}

// A layer's short name for tables and the UI: the node's name, else its first output.
std::string layer_label(const onnx::Node& n) { return !n.name.empty() ? n.name : n.outputs.empty() ? n.op_type : n.outputs[0]; }

const onnx::Node* find_node(const onnx::Model& m, const std::string& label) {
  for (auto& n : m.graph.nodes)
    if (layer_label(n) == label) return &n;
  return nullptr;
}

}  // namespace

std::vector<SanityLayer> sanity_layers(const onnx::Model& model) {
  std::vector<SanityLayer> out;
  for (const onnx::Node& n : model.graph.nodes) {
    // The layers with learned parameters: the op table's OpParams::weight.
    const OpDef* def = find_op(n.op_type);
    if (!def || def->params.weight < 0) continue;
    const size_t wi = size_t(def->params.weight);
    SanityLayer l;
    l.node = layer_label(n);
    l.op_type = n.op_type;
    for (size_t i = 1; i < n.inputs.size(); ++i) {
      const onnx::TensorData* t = find_init(model, n.inputs[i]);
      if (t && t->is_float()) l.initializers.push_back(t->name);
    }
    // A MatMul of two activations has nothing to randomise; a layer needs its weight.
    if (n.inputs.size() > wi && find_init(model, n.inputs[wi]) && !l.initializers.empty()) out.push_back(l);
  }
  return out;
}

Status sanity_randomize_layer(onnx::Model& model, const SanityLayer& layer, uint64_t seed) {
  const onnx::Node* n = find_node(model, layer.node);
  if (!n) return Status::error("sanity: no node " + layer.node + " in the model");
  const OpDef* def = find_op(layer.op_type);
  if (!def || def->params.weight < 0)
    return Status::error("sanity: " + layer.node + " (" + layer.op_type + ") has no parameters to randomise");
  const OpParams& par = def->params;
  Rng rng(seed);
  if (par.identity) {
    for (size_t i = 1; i < n->inputs.size() && i < size_t(par.identity_count); ++i)
      if (onnx::TensorData* t = find_init(model, n->inputs[i])) std::fill(t->f.begin(), t->f.end(), par.identity[i]);
    return Status::ok();
  }
  const size_t wi = size_t(par.weight);
  onnx::TensorData* w = wi < n->inputs.size() ? find_init(model, n->inputs[wi]) : nullptr;
  if (!w || w->dims.empty()) return Status::error("sanity: " + layer.node + " has no weight initializer");
  XM_ASSERT(par.fan_in);
  const int64_t fan_in = par.fan_in(*n, w->dims);
  const double bound = 1.0 / std::sqrt(double(std::max<int64_t>(1, fan_in)));
  for (size_t i = 1; i < n->inputs.size(); ++i) {
    onnx::TensorData* t = find_init(model, n->inputs[i]);
    if (!t || !t->is_float()) continue;
    for (float& v : t->f) v = float(bound * (2.0 * rng.uniform() - 1.0));
  }
  return Status::ok();
}

Status SanityJob::begin(const onnx::Model& model, const Tensor& x, int target, const SanityOptions& o) {
  model_ = model;
  x_ = x;
  target_ = target;
  o_ = o;
  layers_ = sanity_layers(model_);
  if (layers_.empty()) return Status::error("sanity: the model has no layer with parameters to randomise");
  std::reverse(layers_.begin(), layers_.end());  // top (output side) first
  if (o.max_layers > 0 && int(layers_.size()) > o.max_layers) layers_.resize(size_t(o.max_layers));
  next_ = 0;
  result_ = SanityResult();
  auto e = Engine::load(model_, "original");
  if (!e) return e.status();
  auto b = native_backend_from_engine(e.take(), "original");
  if (!b) return b.status();
  (*b)->set_threads(o.threads);
  auto a = explain_run_to_end(**b, o.method, o.params, x_, target_);
  if (!a) return a.status();
  result_.original = a->attribution;
  return Status::ok();
}

Status SanityJob::step() {
  if (done()) return Status::ok();
  const SanityLayer& l = layers_[size_t(next_)];
  XM_TRY(sanity_randomize_layer(model_, l, o_.seed + uint64_t(next_)));
  auto e = Engine::load(model_, "randomised");
  if (!e) return e.status();
  auto b = native_backend_from_engine(e.take(), "randomised");
  if (!b) return b.status();
  (*b)->set_threads(o_.threads);
  auto a = explain_run_to_end(**b, o_.method, o_.params, x_, target_);
  if (!a) return a.status();
  SanityStep s;
  s.layer = l.node;
  s.attribution = a->attribution;
  auto sim = eval_map_similarity(result_.original, s.attribution);
  if (!sim) return sim.status();
  s.similarity = *sim;
  result_.steps.push_back(std::move(s));
  ++next_;
  return Status::ok();
}

Result<SanityResult> sanity_cascading(const onnx::Model& model, const Tensor& x, int target, const SanityOptions& o) {
  SanityJob job;
  XM_TRY(job.begin(model, x, target, o));
  while (!job.done()) XM_TRY(job.step());
  return job.result();
}

Result<MapSimilarity> sanity_compare_models(Backend& a, Backend& b, const Tensor& x, int target, const std::string& method,
                                            const ParamList& params, Tensor* map_a, Tensor* map_b) {
  auto ra = explain_run_to_end(a, method, params, x, target);
  if (!ra) return ra.status();
  auto rb = explain_run_to_end(b, method, params, x, target);
  if (!rb) return rb.status();
  if (map_a) *map_a = ra->attribution;
  if (map_b) *map_b = rb->attribution;
  return eval_map_similarity(ra->attribution, rb->attribution);
}

}  // namespace xm
