// [SECTION] load: values, topological order, static folding, op creation
// [SECTION] plan: shapes, static values, lifetimes, one arena
// [SECTION] run: forward, backward, copy-out
#include "engine/engine.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "engine/graph_view.h"
#include "engine/static_eval.h"
#include "image/npy.h"
#include "kernels/thread_pool.h"

namespace xm {

namespace {
constexpr size_t NONE = std::numeric_limits<size_t>::max();
// Largest arena a pass may plan (floats): 1 GiB.
constexpr size_t MAX_ARENA_FLOATS = size_t(1) << 28;
constexpr size_t ALIGN_FLOATS = 16;
}  // namespace

// ---------------------------------------------------------------------------
// [SECTION] load
// ---------------------------------------------------------------------------

struct Engine::Impl {
  enum Kind { INPUT, CONSTANT, PLAN_STATIC, RUNTIME };
  struct Value {
    std::string name;
    Kind kind = RUNTIME;
    int producer = -1;  // index into nodes
    std::vector<int> consumers;
    StaticTensor constant;
    int input_index = -1, output_index = -1;
    bool reaches_output = false;
    bool value_input = false;  // a graph input read as a static value (its data keys the plan)
  };
  struct NodeRt {
    onnx::Node node;
    const OpDef* def = nullptr;  // the op table's entry (null for an op the table lacks)
    bool is_static = false;  // evaluated by static_eval at plan time (load-time ones are folded away)
    std::unique_ptr<Op> op;
    std::vector<int> in, out;  // value ids, -1 absent
  };
  struct Step {  // one runtime node in a plan
    int node = 0;
    std::vector<const float*> in;
    std::vector<Shape> in_shape;
    std::vector<const StaticTensor*> value;
    // Per input: an integer constant's values as floats, for an op that reads
    // it as data (a Conv weight stored as INT64 would otherwise reach the
    // kernel as a null pointer; found by tests/fuzz/onnx_engine).
    std::vector<std::vector<float>> int_as_float;
    std::vector<float*> out;
    std::vector<Shape> out_shape;
    std::vector<const float*> gout;
    std::vector<float*> gin;
    std::unique_ptr<bool[]> gin_fresh;  // per input: first writer of a gradient that was not zeroed
    bool backward = false;
    bool fuse_relu = false;  // forward applies the following Relu
    bool skip = false;       // a Relu fused into the step before
    bool fold_relu = false;  // backward also does the Relu's before it (Op::backward_folds_relu)
    int gin0_value = -1;     // with fold_relu: the value whose gradient gin[0] is (the Relu's input)
  };
  struct Plan {
    std::vector<Shape> shapes;
    std::vector<StaticTensor> statics;  // by value id (PLAN_STATIC ones filled)
    std::vector<size_t> act, grad;      // offsets in floats, NONE if none
    size_t total = 0, workspace = 0, workspace_per_thread = 0;
    bool with_grad = false;
    bool input_grads = true;  // with_grad: down to the inputs, not only to the captures
    int threads = 1;
    std::vector<std::vector<int>> zero_before;  // backward step k → value ids whose gradient to zero
    std::vector<int> captures;
    std::vector<Step> steps;
    float* built_for = nullptr;
    uint64_t last_used = 0;
  };

  std::string name;
  int64_t opset = 0;
  std::vector<Value> values;
  std::map<std::string, int> by_name;
  std::vector<NodeRt> nodes;  // topological order, static ones included
  std::vector<int> runtime_nodes;
  std::vector<int> inputs, outputs;  // value ids
  std::map<std::string, std::unique_ptr<Plan>> plans;
  // The arena is not zero-filled: every buffer is written before it is read
  // (gradients are zeroed at the start of their lifetime).
  std::unique_ptr<float[]> arena;
  size_t arena_size = 0;
  uint64_t clock = 0;
  // Per-node seconds when XMEDIA_PROFILE is set (printed by print_profile).
  bool profile = false;
  std::vector<double> prof_fwd, prof_bwd;

  int value_id(const std::string& n) {
    auto it = by_name.find(n);
    if (it != by_name.end()) return it->second;
    int id = int(values.size());
    values.push_back(Value{});
    values.back().name = n;
    by_name[n] = id;
    return id;
  }

  Status load(const onnx::Model& m);
  Result<Plan*> get_plan(const std::vector<Shape>& in_shapes, bool with_grad, bool input_grads,
                         const std::vector<std::string>& capture, int threads, const std::vector<const Tensor*>* in_data);
  Status build_plan(Plan* p, const std::vector<Shape>& in_shapes, const std::vector<int>& captures,
                    const std::vector<const Tensor*>* in_data);
  void bind(Plan* p);
};

Status Engine::Impl::load(const onnx::Model& m) {
  opset = m.opset;
  if (opset == 0) return Status::error(name + ": the model imports no default-domain (ai.onnx) opset; its operators are not supported");
  if (opset < 1 || opset > 21)
    return Status::error(name + ": opset " + std::to_string(opset) + " is not supported (1 to 21 are)");
  const onnx::Graph& g = m.graph;
  for (const onnx::TensorData& t : g.initializers) {
    if (t.name.empty()) return Status::error(name + ": an initializer has no name");
    int id = value_id(t.name);
    values[size_t(id)].kind = CONSTANT;
    values[size_t(id)].constant = static_from_onnx(t);
  }
  for (const onnx::ValueInfo& vi : g.inputs) {
    int id = value_id(vi.name);
    if (values[size_t(id)].kind == CONSTANT) continue;  // older exporters list initializers as inputs
    if (vi.elem_type != onnx::DT_FLOAT)
      return Status::error(name + ": input '" + vi.name + "' is " + onnx::dtype_name(vi.elem_type) +
                           "; only float32 inputs are supported");
    values[size_t(id)].kind = INPUT;
    values[size_t(id)].input_index = int(inputs.size());
    inputs.push_back(id);
  }
  if (inputs.empty()) return Status::error(name + ": the graph has no (non-constant) input");
  // Index producers, then sort topologically (Kahn) so unsorted files work too.
  std::map<std::string, int> producer_of;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const onnx::Node& n = g.nodes[k];
    if (!n.domain.empty() && n.domain != "ai.onnx")
      return Status::error(onnx::node_label(n) + ": operator " + n.domain + "." + n.op_type + " is not supported");
    for (const std::string& o : n.outputs) {
      if (o.empty()) continue;
      if (producer_of.count(o) || (by_name.count(o) && values[size_t(by_name[o])].kind != RUNTIME))
        return Status::error(onnx::node_label(n) + ": tensor '" + o + "' is defined twice");
      producer_of[o] = int(k);
    }
  }
  std::vector<int> indeg(g.nodes.size(), 0);
  std::vector<std::vector<int>> users(g.nodes.size());
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    for (const std::string& i : g.nodes[k].inputs) {
      if (i.empty()) continue;
      auto it = producer_of.find(i);
      if (it != producer_of.end()) {
        indeg[k]++;
        users[size_t(it->second)].push_back(int(k));
      } else if (!by_name.count(i)) {
        return Status::error(onnx::node_label(g.nodes[k]) + ": input '" + i + "' is not defined anywhere");
      }
    }
  }
  std::vector<int> order, ready;
  for (size_t k = g.nodes.size(); k-- > 0;)
    if (!indeg[k]) ready.push_back(int(k));
  while (!ready.empty()) {
    int k = ready.back();
    ready.pop_back();
    order.push_back(k);
    for (auto it = users[size_t(k)].rbegin(); it != users[size_t(k)].rend(); ++it)
      if (--indeg[size_t(*it)] == 0) ready.push_back(*it);
  }
  if (order.size() != g.nodes.size()) return Status::error(name + ": the graph has a cycle");

  for (int k : order) {
    const onnx::Node& n = g.nodes[size_t(k)];
    NodeRt rt;
    rt.node = n;
    if (n.has_subgraph) return Status::error(onnx::node_label(n) + ": operator " + n.op_type + " is not supported");
    bool all_static = true, all_constant = true;
    for (const std::string& i : n.inputs) {
      if (i.empty()) {
        rt.in.push_back(-1);
        continue;
      }
      int id = value_id(i);
      rt.in.push_back(id);
      Kind kd = values[size_t(id)].kind;
      all_static = all_static && (kd == CONSTANT || kd == PLAN_STATIC);
      all_constant = all_constant && kd == CONSTANT;
    }
    for (const std::string& o : n.outputs) rt.out.push_back(o.empty() ? -1 : value_id(o));
    const OpDef* def = find_op(n.op_type);
    rt.def = def;
    const bool shape_op = def && def->shape_only;
    bool static_node = def && def->eval_static && (all_static || shape_op);
    if (static_node) {
      for (int o : rt.out)
        if (o >= 0) values[size_t(o)].kind = PLAN_STATIC;
      if (all_constant && !shape_op) {
        // Fold now: the value never changes.
        std::vector<const StaticTensor*> vin;
        std::vector<Shape> sh;
        for (int i : rt.in) {
          vin.push_back(i >= 0 ? &values[size_t(i)].constant : nullptr);
          sh.push_back(i >= 0 ? values[size_t(i)].constant.shape : Shape{});
        }
        std::vector<StaticTensor> res;
        XM_TRY(static_eval(n, opset, vin, sh, &res));
        for (size_t j = 0; j < rt.out.size() && j < res.size(); ++j) {
          if (rt.out[j] < 0) continue;
          values[size_t(rt.out[j])].kind = CONSTANT;
          values[size_t(rt.out[j])].constant = std::move(res[j]);
        }
        continue;  // folded: not kept as a node
      }
      rt.is_static = true;
    } else {
      if (!def || !def->make) {
        if (def && def->eval_static)
          return Status::error(onnx::node_label(n) + ": operator " + n.op_type +
                               " is supported only on constant or shape data, not on activations");
        return Status::error(onnx::node_label(n) + ": operator " + n.op_type + " is not supported");
      }
      OpInit c;
      c.node = &rt.node;
      c.opset = opset;
      for (int i : rt.in) {
        c.present.push_back(i >= 0);
        Kind kd = i >= 0 ? values[size_t(i)].kind : CONSTANT;
        c.is_static.push_back(i < 0 || kd == CONSTANT || kd == PLAN_STATIC);
        c.constant.push_back(i >= 0 && kd == CONSTANT ? &values[size_t(i)].constant : nullptr);
        c.is_graph_input.push_back(i >= 0 && kd == INPUT);
      }
      c.wants_value.assign(rt.in.size(), false);
      rt.op = def->make();
      rt.op->label = onnx::node_label(n);
      XM_TRY(rt.op->init(c));
      for (size_t k = 0; k < rt.in.size(); ++k)
        if (c.wants_value[k]) values[size_t(rt.in[k])].value_input = true;
      for (int o : rt.out)
        if (o >= 0) values[size_t(o)].kind = RUNTIME;
    }
    int idx = int(nodes.size());
    for (int i : rt.in)
      if (i >= 0) values[size_t(i)].consumers.push_back(idx);
    for (int o : rt.out)
      if (o >= 0) values[size_t(o)].producer = idx;
    if (!rt.is_static) runtime_nodes.push_back(idx);
    nodes.push_back(std::move(rt));
  }
  if (g.outputs.empty()) return Status::error(name + ": the graph has no output");
  for (const onnx::ValueInfo& vi : g.outputs) {
    auto it = by_name.find(vi.name);
    if (it == by_name.end()) return Status::error(name + ": output '" + vi.name + "' is not produced by any node");
    const Value& v = values[size_t(it->second)];
    if (v.kind != RUNTIME && v.kind != INPUT)
      return Status::error(name + ": output '" + vi.name + "' is a constant or a shape; only computed float outputs are supported");
    if (vi.elem_type != onnx::DT_FLOAT && vi.elem_type != onnx::DT_UNDEFINED)
      return Status::error(name + ": output '" + vi.name + "' is " + onnx::dtype_name(vi.elem_type) +
                           "; only float32 outputs are supported");
    values[size_t(it->second)].output_index = int(outputs.size());
    outputs.push_back(it->second);
  }
  // A value reaches an output when a gradient can flow back to it.
  for (int o : outputs) values[size_t(o)].reaches_output = true;
  for (size_t k = nodes.size(); k-- > 0;) {
    NodeRt& n = nodes[k];
    if (n.is_static) continue;
    bool r = false;
    for (int o : n.out) r = r || (o >= 0 && values[size_t(o)].reaches_output);
    if (!r) continue;
    for (int i : n.in)
      if (i >= 0 && (values[size_t(i)].kind == RUNTIME || values[size_t(i)].kind == INPUT))
        values[size_t(i)].reaches_output = true;
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------
// [SECTION] plan
// ---------------------------------------------------------------------------

namespace {

struct Interval {
  int id;        // buffer index
  size_t size;   // floats
  int begin, end;  // inclusive time steps
};

// Offsets in the order buffers come alive, each at the smallest freed block
// that holds it (else on top): O(n log n) however long the graph.
size_t assign_offsets_in_time(const std::vector<Interval>& bufs, std::vector<size_t>* off) {
  auto aligned = [](size_t n) { return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS; };
  std::vector<int> order(bufs.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = int(k);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return bufs[size_t(a)].begin != bufs[size_t(b)].begin ? bufs[size_t(a)].begin < bufs[size_t(b)].begin : a < b;
  });
  off->assign(bufs.size(), 0);
  std::map<size_t, size_t> free_at;                // offset → length
  std::set<std::pair<size_t, size_t>> free_by_len;  // (length, offset)
  std::set<std::pair<int, int>> alive;              // (last step, buffer)
  size_t top = 0;
  auto release = [&](int b) {
    size_t at = (*off)[size_t(b)], len = aligned(bufs[size_t(b)].size);
    auto next = free_at.find(at + len);
    if (next != free_at.end()) {
      len += next->second;
      free_by_len.erase({next->second, next->first});
      free_at.erase(next);
    }
    auto prev = free_at.lower_bound(at);
    if (prev != free_at.begin() && std::prev(prev)->first + std::prev(prev)->second == at) {
      --prev;
      at = prev->first;
      len += prev->second;
      free_by_len.erase({prev->second, prev->first});
      free_at.erase(prev);
    }
    free_at[at] = len;
    free_by_len.insert({len, at});
  };
  for (int b : order) {
    const Interval& me = bufs[size_t(b)];
    while (!alive.empty() && alive.begin()->first < me.begin) {
      release(alive.begin()->second);
      alive.erase(alive.begin());
    }
    const size_t len = aligned(me.size);
    if (len == 0) continue;
    auto fit = free_by_len.lower_bound({len, 0});
    if (fit != free_by_len.end()) {
      const size_t at = fit->second, rest = fit->first - len;
      free_by_len.erase(fit);
      free_at.erase(at);
      if (rest) {
        free_at[at + len] = rest;
        free_by_len.insert({rest, at + len});
      }
      (*off)[size_t(b)] = at;
    } else {
      (*off)[size_t(b)] = top;
      top += len;
    }
    alive.insert({me.end, b});
  }
  return top;
}

// Greedy offset assignment: largest buffers first, each at the lowest offset
// that does not overlap a placed buffer alive at the same time (a tighter
// packing than assign_offsets_in_time). Placed buffers are grouped by offset;
// buffers at one offset share memory, so they are alive at disjoint times, and
// a group's buffers alive with a new one are found by a binary search on their
// start. The search may still visit every group below the offset it settles
// on (a chain's activations, all kept for the backward pass, are stacked), so
// its work is bounded: past 4M visits and 64 a buffer (far beyond what a model
// of a few thousand buffers needs, so their plans do not change) the whole
// assignment is made in time order instead, and graph planning stays n log n.
// An empty buffer sits at 0 and blocks nothing.
size_t assign_offsets(std::vector<Interval>& bufs, std::vector<size_t>* off) {
  std::vector<int> order(bufs.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = int(k);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return bufs[size_t(a)].size != bufs[size_t(b)].size ? bufs[size_t(a)].size > bufs[size_t(b)].size : a < b;
  });
  off->assign(bufs.size(), 0);
  std::map<size_t, std::map<int, int>> placed;  // offset → (first step → buffer)
  size_t total = 0, visits = 0;
  const size_t budget = 64 * bufs.size() + (size_t(1) << 22);
  for (int b : order) {
    const Interval& me = bufs[size_t(b)];
    if (me.size == 0) continue;
    size_t at = 0;
    for (auto& group : placed) {
      if (++visits > budget) return assign_offsets_in_time(bufs, off);
      // The group's buffers alive during [me.begin, me.end]: from the last one starting at or before me.begin.
      auto it = group.second.upper_bound(me.begin);
      if (it != group.second.begin() && bufs[size_t(std::prev(it)->second)].end >= me.begin) --it;
      size_t end = 0;
      for (; it != group.second.end() && it->first <= me.end; ++it, ++visits)
        end = std::max(end, group.first + bufs[size_t(it->second)].size);
      if (end == 0) continue;
      if (at + me.size <= group.first) break;
      at = std::max(at, (end + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS);
    }
    (*off)[size_t(b)] = at;
    total = std::max(total, at + me.size);
    placed[at].emplace(me.begin, b);
  }
  return total;
}

std::string shapes_key(const std::vector<Shape>& s) {
  std::string k;
  for (auto& x : s) k += shape_str(x) + ";";
  return k;
}

}  // namespace

Status Engine::Impl::build_plan(Plan* p, const std::vector<Shape>& in_shapes, const std::vector<int>& captures,
                                const std::vector<const Tensor*>* in_data) {
  const size_t nv = values.size();
  p->shapes.assign(nv, Shape{});
  p->statics.assign(nv, StaticTensor{});
  p->captures = captures;
  for (size_t k = 0; k < inputs.size(); ++k) {
    int v = inputs[k];
    p->shapes[size_t(v)] = in_shapes[k];
    if (values[size_t(v)].value_input) {
      if (!in_data) return Status::error(name + ": input '" + values[size_t(v)].name + "' is read as a value; plan with data");
      p->statics[size_t(v)].shape = in_shapes[k];
      p->statics[size_t(v)].f = (*in_data)[k]->data;
    }
  }
  for (size_t v = 0; v < nv; ++v)
    if (values[v].kind == CONSTANT) p->shapes[v] = values[v].constant.shape;
  auto static_of = [&](int id) -> const StaticTensor* {
    if (id < 0) return nullptr;
    if (values[size_t(id)].kind == CONSTANT) return &values[size_t(id)].constant;
    if (values[size_t(id)].kind == PLAN_STATIC || values[size_t(id)].value_input) return &p->statics[size_t(id)];
    return nullptr;
  };
  // Shapes and plan-time static values, in order.
  for (NodeRt& n : nodes) {
    std::vector<Shape> sh;
    std::vector<const StaticTensor*> vin;
    std::vector<bool> present;
    for (int i : n.in) {
      sh.push_back(i >= 0 ? p->shapes[size_t(i)] : Shape{});
      vin.push_back(static_of(i));
      present.push_back(i >= 0);
    }
    if (n.is_static) {
      std::vector<StaticTensor> res;
      XM_TRY(static_eval(n.node, opset, vin, sh, &res));
      for (size_t j = 0; j < n.out.size() && j < res.size(); ++j) {
        if (n.out[j] < 0) continue;
        p->shapes[size_t(n.out[j])] = res[j].shape;
        p->statics[size_t(n.out[j])] = std::move(res[j]);
      }
      continue;
    }
    OpShapes s{sh, present, vin};
    std::vector<Shape> outs;
    XM_TRY(n.op->infer(s, &outs));
    for (size_t j = 0; j < n.out.size(); ++j) {
      if (n.out[j] < 0) continue;
      if (j >= outs.size()) return Status::error(n.op->label + ": output " + std::to_string(j) + " is not supported");
      auto c = shape_checked_numel(outs[j], int64_t(MAX_ARENA_FLOATS));
      if (!c) return Status::error(n.op->label + ": output " + c.error());
      p->shapes[size_t(n.out[j])] = outs[j];
    }
  }
  // Lifetimes on one timeline: forward steps 0..R-1, seeding at R, the
  // backward of runtime node s at R+1+(R-1-s), copy-out at 2R+1.
  const int R = int(runtime_nodes.size());
  std::vector<int> pos(nodes.size(), -1);
  for (int s = 0; s < R; ++s) pos[size_t(runtime_nodes[size_t(s)])] = s;
  std::set<int> captured(captures.begin(), captures.end());
  // Which values need a gradient: those on the way to an output that depend
  // on an input (when input gradients are asked for) or on a captured tensor.
  std::vector<char> needs_grad(nv, 0);
  if (p->with_grad) {
    std::vector<char> dep(nv, 0);
    if (p->input_grads)
      for (int v : inputs) dep[size_t(v)] = 1;
    for (int c : captures) dep[size_t(c)] = 1;
    for (int idx : runtime_nodes) {
      const NodeRt& n = nodes[size_t(idx)];
      bool any = false;
      for (int i : n.in) any = any || (i >= 0 && dep[size_t(i)]);
      for (int o : n.out)
        if (o >= 0 && any) dep[size_t(o)] = 1;
    }
    for (size_t v = 0; v < nv; ++v) needs_grad[v] = dep[v] && values[v].reaches_output;
  }
  auto only_use = [&](int v) {  // v's single consumer, or -1 (also when v is an output or captured)
    if (v < 0) return -1;
    const Value& val = values[size_t(v)];
    if (val.consumers.size() != 1 || val.output_index >= 0 || captured.count(v)) return -1;
    return nodes[size_t(val.consumers[0])].is_static ? -1 : val.consumers[0];
  };
  // A Relu is fused into the op before it when nothing else reads the op's
  // output: that output then shares the Relu's buffer (in gradient plans only
  // when the op's backward does not read its output, which is now rectified).
  std::vector<int> alias(nv, -1);  // value → value whose buffer it uses
  std::vector<char> fused(nodes.size(), 0), skipped(nodes.size(), 0);
  const bool fusion = !std::getenv("XMEDIA_NO_FUSION");
  if (fusion) {
    for (int idx : runtime_nodes) {
      NodeRt& n = nodes[size_t(idx)];
      if (!n.op->can_fuse_relu() || n.out.size() != 1 || n.out[0] < 0) continue;
      if (p->with_grad && n.op->backward_reads_output()) continue;
      const int c_idx = only_use(n.out[0]);
      if (c_idx < 0) continue;
      NodeRt& c = nodes[size_t(c_idx)];
      if (!c.def->fuses_as_relu || c.out.empty() || c.out[0] < 0) continue;
      fused[size_t(idx)] = 1;
      skipped[size_t(c_idx)] = 1;
      alias[size_t(n.out[0])] = c.out[0];
    }
  }
  // A Relu whose output only feeds an op that can fold the Relu's backward
  // into its own (a 2x2 max pool) loses its backward step: that op writes the
  // gradient of the Relu's input directly, and the Relu's gradient is never stored.
  std::vector<int> fold_into(nodes.size(), -1);  // Relu node → the op that does its backward
  std::vector<char> no_grad_buf(nv, 0);
  if (fusion && p->with_grad) {
    for (int idx : runtime_nodes) {
      NodeRt& a = nodes[size_t(idx)];
      if (!a.def->fuses_as_relu || a.in.empty() || a.out.empty() || a.in[0] < 0 || a.out[0] < 0) continue;
      const int u = a.in[0], v = a.out[0];
      if (!needs_grad[size_t(u)] || !needs_grad[size_t(v)] || values[size_t(u)].kind != RUNTIME) continue;
      if (only_use(u) != idx) continue;
      const int b_idx = only_use(v);
      if (b_idx < 0) continue;
      NodeRt& b = nodes[size_t(b_idx)];
      if (b.in.empty() || b.in[0] != v) continue;
      bool once = true;
      for (size_t k = 1; k < b.in.size(); ++k) once = once && b.in[k] != v;
      std::vector<Shape> ins, outs;
      for (int i : b.in) ins.push_back(i >= 0 ? p->shapes[size_t(i)] : Shape{});
      for (int o : b.out) outs.push_back(o >= 0 ? p->shapes[size_t(o)] : Shape{});
      if (!once || !b.op->backward_folds_relu(ins, outs)) continue;
      fold_into[size_t(idx)] = b_idx;
      no_grad_buf[size_t(v)] = 1;
    }
  }
  const int T_END = p->with_grad ? 2 * R + 1 : R;
  auto bstep = [&](int s) { return R + 1 + (R - 1 - s); };
  std::vector<Interval> bufs;
  std::vector<int> act_buf(nv, -1), grad_buf(nv, -1);
  for (size_t v = 0; v < nv; ++v) {
    const Value& val = values[v];
    if (val.kind != RUNTIME && val.kind != INPUT) continue;
    if (val.kind == RUNTIME && val.producer < 0) continue;
    size_t size = size_t(shape_numel(p->shapes[v]));
    // A gradient is alive from its first writer's backward step (the last
    // consumer's; a folded Relu's is written by the op after it) to its producer's.
    auto grad_begin = [&]() {
      int gb = val.output_index >= 0 ? R : T_END;
      for (int c : val.consumers)
        if (pos[size_t(c)] >= 0) {
          gb = std::min(gb, bstep(pos[size_t(c)]));
          if (fold_into[size_t(c)] >= 0) gb = std::min(gb, bstep(pos[size_t(fold_into[size_t(c)])]));
        }
      return gb;
    };
    if (alias[v] >= 0) {  // lives in the fused Relu's buffer; its gradient has its own
      if (needs_grad[v]) {
        const int gb = grad_begin();
        grad_buf[v] = int(bufs.size());
        bufs.push_back({int(v), size, gb, std::max(gb, bstep(pos[size_t(val.producer)]))});
      }
      continue;
    }
    int begin = val.kind == INPUT ? 0 : pos[size_t(val.producer)];
    // A fused Relu's output is written by the step before it.
    if (val.kind == RUNTIME && skipped[size_t(val.producer)]) begin -= 1;
    int end = begin;
    for (int c : val.consumers)
      if (pos[size_t(c)] >= 0) end = std::max(end, pos[size_t(c)]);
    if (val.output_index >= 0 || captured.count(int(v))) end = T_END;
    if (p->with_grad) {
      // Keep an activation until the last backward step that reads it.
      for (int c : val.consumers) {
        if (pos[size_t(c)] < 0) continue;
        const NodeRt& cn = nodes[size_t(c)];
        for (size_t k = 0; k < cn.in.size(); ++k)
          if (cn.in[k] == int(v) && cn.op->backward_reads_input(int(k))) end = std::max(end, bstep(pos[size_t(c)]));
      }
      if (val.kind == RUNTIME && nodes[size_t(val.producer)].op->backward_reads_output())
        end = std::max(end, bstep(pos[size_t(val.producer)]));
    }
    act_buf[v] = int(bufs.size());
    bufs.push_back({int(v), size, begin, end});
    if (needs_grad[v] && !no_grad_buf[v]) {
      const int gb = grad_begin();
      int ge = val.kind == INPUT || captured.count(int(v)) ? T_END : bstep(pos[size_t(val.producer)]);
      grad_buf[v] = int(bufs.size());
      bufs.push_back({int(v), size, gb, std::max(gb, ge)});
    }
  }
  // Workspace: the largest any op asks for, per thread, alive throughout.
  size_t ws = 0;
  for (int idx : runtime_nodes) {
    NodeRt& n = nodes[size_t(idx)];
    std::vector<Shape> ins, outs;
    for (int i : n.in) ins.push_back(i >= 0 ? p->shapes[size_t(i)] : Shape{});
    for (int o : n.out) outs.push_back(o >= 0 ? p->shapes[size_t(o)] : Shape{});
    ws = std::max(ws, n.op->workspace_floats(ins, outs));
  }
  ws = (ws + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
  p->workspace_per_thread = ws;
  int ws_buf = int(bufs.size());
  bufs.push_back({-1, ws * size_t(p->threads), 0, T_END});
  std::vector<size_t> off;
  size_t total = assign_offsets(bufs, &off);
  if (total > MAX_ARENA_FLOATS)
    return Status::error(name + ": a pass with input shape " + shape_str(in_shapes[0]) + " needs " +
                         std::to_string(total * 4 >> 20) + " MiB, more than the limit; use a smaller batch");
  p->total = total;
  p->workspace = off[size_t(ws_buf)];
  p->act.assign(nv, NONE);
  p->grad.assign(nv, NONE);
  p->zero_before.assign(size_t(R) + 1, {});
  // A gradient's first writer (its last consumer in forward order) may assign
  // it instead of the engine zeroing it first.
  std::vector<std::pair<int, int>> fresh;  // (node, input slot)
  for (size_t v = 0; v < nv; ++v) {
    if (act_buf[v] >= 0) p->act[v] = off[size_t(act_buf[v])];
    if (alias[v] >= 0) p->act[v] = off[size_t(act_buf[size_t(alias[v])])];
    if (grad_buf[v] < 0) continue;
    p->grad[v] = off[size_t(grad_buf[v])];
    int last = -1;
    for (int c : values[v].consumers)
      if (pos[size_t(c)] >= 0 && (last < 0 || pos[size_t(c)] > pos[size_t(last)])) last = c;
    int slot = -1, uses = 0;
    if (last >= 0 && fold_into[size_t(last)] >= 0) {
      fresh.push_back({fold_into[size_t(last)], 0});  // the folding op assigns all of it
      continue;
    }
    if (last >= 0 && values[v].output_index < 0) {
      const NodeRt& cn = nodes[size_t(last)];
      for (size_t k = 0; k < cn.in.size(); ++k)
        if (cn.in[k] == int(v)) {
          slot = int(k);
          ++uses;
        }
      bool runs = false;  // its backward runs only when one of its outputs reaches a graph output
      for (int o : cn.out) runs = runs || (o >= 0 && values[size_t(o)].reaches_output);
      if (uses == 1 && runs && cn.op->backward_assigns(slot)) {
        fresh.push_back({last, slot});
        continue;
      }
    }
    int b = bufs[size_t(grad_buf[v])].begin;  // R (seeding) or a backward step
    p->zero_before[size_t(b - R)].push_back(int(v));
  }
  // Steps (pointers are bound to the arena in bind()). Per node: the Relu whose
  // backward it folds and the input slots it assigns fresh, looked up, not searched for.
  std::vector<int> folds(nodes.size(), -1);
  for (int a : runtime_nodes)
    if (fold_into[size_t(a)] >= 0) folds[size_t(fold_into[size_t(a)])] = a;
  std::vector<std::vector<int>> fresh_slots(nodes.size());
  for (auto& f : fresh) fresh_slots[size_t(f.first)].push_back(f.second);
  p->steps.clear();
  for (int s = 0; s < R; ++s) {
    int idx = runtime_nodes[size_t(s)];
    NodeRt& n = nodes[size_t(idx)];
    Step st;
    st.node = idx;
    st.fuse_relu = fused[size_t(idx)] != 0;
    st.skip = skipped[size_t(idx)] != 0;
    for (int i : n.in) {
      st.in_shape.push_back(i >= 0 ? p->shapes[size_t(i)] : Shape{});
      st.value.push_back(static_of(i));
      const StaticTensor* v = st.value.back();
      st.int_as_float.emplace_back();
      if (v && v->is_int) st.int_as_float.back().assign(v->i.begin(), v->i.end());
    }
    for (int o : n.out) st.out_shape.push_back(o >= 0 ? p->shapes[size_t(o)] : Shape{});
    st.in.assign(n.in.size(), nullptr);
    st.gin.assign(n.in.size(), nullptr);
    st.out.assign(n.out.size(), nullptr);
    st.gout.assign(n.out.size(), nullptr);
    for (int o : n.out) st.backward = st.backward || (o >= 0 && p->with_grad && values[size_t(o)].reaches_output);
    if (fold_into[size_t(idx)] >= 0) st.backward = false;  // done by the op after it
    if (folds[size_t(idx)] >= 0) {
      st.fold_relu = true;
      st.gin0_value = nodes[size_t(folds[size_t(idx)])].in[0];
    }
    if (st.backward)
      for (size_t k = 0; k < n.in.size(); ++k) {
        int i = n.in[k];
        if (i >= 0 && p->grad[size_t(i)] != NONE && !n.op->differentiable(int(k)))
          return Status::error(n.op->label + ": the gradient with respect to input " + std::to_string(k) + " ('" +
                               values[size_t(i)].name + "') is not supported (only data inputs are differentiated)");
      }
    st.gin_fresh.reset(new bool[std::max<size_t>(n.in.size(), 1)]());
    for (int slot : fresh_slots[size_t(idx)]) st.gin_fresh[size_t(slot)] = true;
    p->steps.push_back(std::move(st));
  }
  p->built_for = nullptr;
  return Status::ok();
}

// Scratch buffer for outputs nobody reads (e.g. an unused optional output) lives in the arena like any other.
void Engine::Impl::bind(Plan* p) {
  float* base = arena.get();
  if (p->built_for == base) return;
  for (Step& st : p->steps) {
    NodeRt& n = nodes[size_t(st.node)];
    for (size_t k = 0; k < n.in.size(); ++k) {
      int i = n.in[k];
      st.in[k] = nullptr;
      st.gin[k] = nullptr;
      if (i < 0) continue;
      if (p->act[size_t(i)] != NONE) st.in[k] = base + p->act[size_t(i)];
      else if (st.value[k]) st.in[k] = st.value[k]->is_int ? st.int_as_float[k].data() : st.value[k]->f.data();
      if (p->grad[size_t(i)] != NONE) st.gin[k] = base + p->grad[size_t(i)];
    }
    if (st.fold_relu) st.gin[0] = base + p->grad[size_t(st.gin0_value)];
    for (size_t j = 0; j < n.out.size(); ++j) {
      int o = n.out[j];
      st.out[j] = o >= 0 && p->act[size_t(o)] != NONE ? base + p->act[size_t(o)] : nullptr;
      st.gout[j] = o >= 0 && p->grad[size_t(o)] != NONE ? base + p->grad[size_t(o)] : nullptr;
    }
  }
  p->built_for = base;
}

Result<Engine::Impl::Plan*> Engine::Impl::get_plan(const std::vector<Shape>& in_shapes, bool with_grad, bool input_grads,
                                                   const std::vector<std::string>& capture, int threads,
                                                   const std::vector<const Tensor*>* in_data) {
  std::vector<int> caps;
  for (const std::string& c : capture) {
    auto it = by_name.find(c);
    if (it == by_name.end()) return Status::error(name + ": no tensor named '" + c + "'");
    Kind kd = values[size_t(it->second)].kind;
    if (kd != RUNTIME && kd != INPUT) return Status::error(name + ": tensor '" + c + "' is a constant, not an activation");
    caps.push_back(it->second);
  }
  input_grads = input_grads || !with_grad;
  std::string key = shapes_key(in_shapes) + (with_grad ? (input_grads ? "g" : "c") : "f") + std::to_string(threads) + "|";
  for (const std::string& c : capture) key += c + "|";
  for (size_t k = 0; k < inputs.size(); ++k)
    if (values[size_t(inputs[k])].value_input && in_data)
      for (float f : (*in_data)[k]->data) key += std::to_string(f) + ",";
  auto it = plans.find(key);
  if (it == plans.end()) {
    if (plans.size() >= 8) plans.clear();  // shapes vary rarely; keep the cache small
    auto p = std::make_unique<Plan>();
    p->with_grad = with_grad;
    p->input_grads = input_grads;
    p->threads = threads;
    XM_TRY(build_plan(p.get(), in_shapes, caps, in_data));
    it = plans.emplace(key, std::move(p)).first;
  }
  Plan* p = it->second.get();
  if (arena_size < p->total) {
    arena.reset();
    arena_size = 0;
    arena.reset(new (std::nothrow) float[p->total]);
    if (!arena) return Status::error(name + ": out of memory for a pass of " + std::to_string(p->total * 4 >> 20) + " MiB");
    arena_size = p->total;
  }
  bind(p);
  p->last_used = ++clock;
  return p;
}

// ---------------------------------------------------------------------------
// [SECTION] run
// ---------------------------------------------------------------------------

Engine::Engine() : impl_(new Impl) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::load(const onnx::Model& model, const std::string& name) {
  std::unique_ptr<Engine> e(new Engine);
  e->impl_->name = name;
  XM_TRY(e->impl_->load(model));
  Impl& im = *e->impl_;
  im.profile = std::getenv("XMEDIA_PROFILE") != nullptr;
  im.prof_fwd.assign(im.nodes.size(), 0.0);
  im.prof_bwd.assign(im.nodes.size(), 0.0);
  e->summary_.opset = im.opset;
  std::set<std::string> ops;
  for (const onnx::Node& n : model.graph.nodes) ops.insert(n.op_type);
  e->summary_.op_types.assign(ops.begin(), ops.end());
  e->summary_.num_nodes = int(model.graph.nodes.size());
  for (const onnx::ValueInfo& vi : model.graph.inputs)
    if (im.values[size_t(im.by_name[vi.name])].kind == Impl::INPUT) e->summary_.inputs.push_back({vi.name, vi.dims});
  for (const onnx::ValueInfo& vi : model.graph.outputs) e->summary_.outputs.push_back({vi.name, vi.dims});
  return e;
}

Result<std::unique_ptr<Engine>> Engine::load_bytes(const uint8_t* data, size_t size, const std::string& name) {
  auto m = onnx::parse_model(data, size, name);
  if (!m) return m.status();
  return load(*m, name);
}

Result<std::unique_ptr<Engine>> Engine::load_file(const std::string& path) {
  auto m = onnx::load_file(path);
  if (!m) return m.status();
  return load(*m, path);
}

void Engine::set_threads(int n) { threads_ = std::max(1, std::min(n, kernels_max_threads())); }

void Engine::set_profile(bool on) {
  impl_->profile = on;
  impl_->prof_fwd.assign(impl_->nodes.size(), 0.0);
  impl_->prof_bwd.assign(impl_->nodes.size(), 0.0);
}

std::string Engine::profile_report() const {
  const Impl& im = *impl_;
  std::string r;
  char line[256];
  for (int idx : im.runtime_nodes) {
    std::snprintf(line, sizeof line, "%-40s forward %8.4f s  backward %8.4f s\n", im.nodes[size_t(idx)].op->label.c_str(),
                  im.prof_fwd[size_t(idx)], im.prof_bwd[size_t(idx)]);
    r += line;
  }
  return r;
}

void Engine::release_memory() {
  impl_->plans.clear();
  impl_->arena.reset();
  impl_->arena_size = 0;
}

Result<size_t> Engine::plan_bytes(const std::vector<Shape>& input_shapes, bool with_gradients) {
  Impl::Plan p;
  p.with_grad = with_gradients;
  p.threads = threads_;
  if (input_shapes.size() != impl_->inputs.size()) return Status::error("wrong number of input shapes");
  XM_TRY(impl_->build_plan(&p, input_shapes, {}, nullptr));
  return p.total * sizeof(float);
}

Status Engine::tensor_shapes(const std::vector<Shape>& input_shapes, std::vector<std::pair<std::string, Shape>>* out) {
  Impl& im = *impl_;
  if (input_shapes.size() != im.inputs.size()) return Status::error("wrong number of input shapes");
  Impl::Plan p;
  p.threads = 1;
  XM_TRY(im.build_plan(&p, input_shapes, {}, nullptr));
  out->clear();
  for (int v : im.inputs) out->push_back({im.values[size_t(v)].name, p.shapes[size_t(v)]});
  for (int idx : im.runtime_nodes)
    for (int o : im.nodes[size_t(idx)].out)
      if (o >= 0 && im.values[size_t(o)].reaches_output) out->push_back({im.values[size_t(o)].name, p.shapes[size_t(o)]});
  return Status::ok();
}

Status Engine::graph_view(const std::vector<Shape>& input_shapes, EngineGraphView* out) {
  Impl& im = *impl_;
  if (input_shapes.size() != im.inputs.size()) return Status::error("wrong number of input shapes");
  Impl::Plan p;
  p.threads = 1;
  XM_TRY(im.build_plan(&p, input_shapes, {}, nullptr));
  const size_t nv = im.values.size();
  out->opset = im.opset;
  out->names.resize(nv);
  out->is_runtime.assign(nv, false);
  out->shapes = p.shapes;
  out->statics = std::move(p.statics);
  out->value.assign(nv, nullptr);
  for (size_t v = 0; v < nv; ++v) {
    const Impl::Value& val = im.values[v];
    out->names[v] = val.name;
    out->is_runtime[v] = val.kind == Impl::RUNTIME || val.kind == Impl::INPUT;
    if (val.kind == Impl::CONSTANT) out->value[v] = &val.constant;
    else if (val.kind == Impl::PLAN_STATIC) out->value[v] = &out->statics[v];
  }
  out->inputs = im.inputs;
  out->outputs = im.outputs;
  out->nodes.clear();
  for (int idx : im.runtime_nodes) {
    Impl::NodeRt& n = im.nodes[size_t(idx)];
    out->nodes.push_back({&n.node, n.op.get(), n.def, n.in, n.out});
  }
  return Status::ok();
}

Status Engine::run(const RunRequest& req, RunResult* res) {
  Impl& im = *impl_;
  if (req.inputs.size() != im.inputs.size())
    return Status::error(im.name + ": the model has " + std::to_string(im.inputs.size()) + " input(s), got " +
                         std::to_string(req.inputs.size()));
  std::vector<Shape> shapes;
  for (size_t k = 0; k < req.inputs.size(); ++k) {
    const Tensor* t = req.inputs[k];
    if (!t || int64_t(t->data.size()) != shape_numel(t->shape)) return Status::error(im.name + ": malformed input tensor");
    shapes.push_back(t->shape);
  }
  // Check the declared fixed dimensions so a wrong image size is a clear error.
  for (size_t k = 0; k < summary_.inputs.size() && k < shapes.size(); ++k) {
    const Shape& d = summary_.inputs[k].dims;
    bool ok = d.empty() || d.size() == shapes[k].size();
    for (size_t j = 0; ok && j < d.size(); ++j) ok = d[j] < 0 || d[j] == shapes[k][j];
    if (!ok)
      return Status::error(im.name + ": input '" + summary_.inputs[k].name + "' must have shape " + shape_str(d) +
                           " (-1: any), got " + shape_str(shapes[k]));
  }
  const bool with_grad = !req.seeds.empty();
  if (with_grad && req.seeds.size() != im.outputs.size())
    return Status::error(im.name + ": one seed per output is needed (" + std::to_string(im.outputs.size()) + ")");
  auto plan = im.get_plan(shapes, with_grad, req.input_grads, req.capture, threads_, &req.inputs);
  if (!plan) return plan.status();
  Impl::Plan& p = **plan;
  for (size_t k = 0; k < im.outputs.size() && with_grad; ++k) {
    const Tensor* s = req.seeds[k];
    if (s && s->shape != p.shapes[size_t(im.outputs[k])])
      return Status::error(im.name + ": seed for output '" + im.values[size_t(im.outputs[k])].name + "' must have shape " +
                           shape_str(p.shapes[size_t(im.outputs[k])]) + ", got " + shape_str(s->shape));
  }
  float* base = im.arena.get();
  const int threads = p.threads;
  if (threads != num_threads()) set_num_threads(threads);
  for (size_t k = 0; k < im.inputs.size(); ++k)
    std::memcpy(base + p.act[size_t(im.inputs[k])], req.inputs[k]->data.data(), req.inputs[k]->data.size() * 4);
  OpRun r;
  r.workspace = base + p.workspace;
  r.workspace_stride = p.workspace_per_thread;
  r.threads = threads;
  r.relu_rule = relu_rule_;
  for (Impl::Step& st : p.steps) {
    r.in = st.in.data();
    r.in_shape = st.in_shape.data();
    r.value = st.value.data();
    r.out = st.out.data();
    r.out_shape = st.out_shape.data();
    r.num_in = int(st.in.size());
    r.num_out = int(st.out.size());
    r.gout = nullptr;
    r.gin = nullptr;
    r.gin_fresh = nullptr;
    if (st.skip) continue;
    r.fuse_relu = st.fuse_relu;
    r.fold_relu = false;
    if (im.profile) {
      auto t0 = std::chrono::steady_clock::now();
      im.nodes[size_t(st.node)].op->forward(r);
      im.prof_fwd[size_t(st.node)] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } else {
      im.nodes[size_t(st.node)].op->forward(r);
    }
  }
  auto copy_out = [&](int v, size_t off, Tensor* t) {
    t->shape = p.shapes[size_t(v)];
    t->data.resize(size_t(shape_numel(t->shape)));
    std::memcpy(t->data.data(), base + off, t->data.size() * 4);
  };
  res->outputs.resize(im.outputs.size());
  for (size_t k = 0; k < im.outputs.size(); ++k) copy_out(im.outputs[k], p.act[size_t(im.outputs[k])], &res->outputs[k]);
  res->captured.resize(p.captures.size());
  for (size_t k = 0; k < p.captures.size(); ++k) {
    copy_out(p.captures[k], p.act[size_t(p.captures[k])], &res->captured[k].activation);
    res->captured[k].gradient = Tensor();
  }
  if (!with_grad) {
    res->input_grads.clear();
    return Status::ok();
  }
  const int R = int(p.steps.size());
  auto zero = [&](int k) {
    for (int v : p.zero_before[size_t(k)])
      std::memset(base + p.grad[size_t(v)], 0, size_t(shape_numel(p.shapes[size_t(v)])) * 4);
  };
  zero(0);
  for (size_t k = 0; k < im.outputs.size(); ++k) {
    int v = im.outputs[k];
    if (req.seeds[k] && p.grad[size_t(v)] != NONE) {
      float* g = base + p.grad[size_t(v)];
      const float* s = req.seeds[k]->data.data();
      for (size_t q = 0; q < req.seeds[k]->data.size(); ++q) g[q] += s[q];
    }
  }
  r.fuse_relu = false;
  for (int s = R - 1; s >= 0; --s) {
    zero(R - s);
    Impl::Step& st = p.steps[size_t(s)];
    if (!st.backward) continue;
    r.in = st.in.data();
    r.in_shape = st.in_shape.data();
    r.value = st.value.data();
    r.out = st.out.data();
    r.out_shape = st.out_shape.data();
    r.gout = st.gout.data();
    r.gin = st.gin.data();
    r.gin_fresh = st.gin_fresh.get();
    r.num_in = int(st.in.size());
    r.num_out = int(st.out.size());
    r.fold_relu = st.fold_relu;
    bool any_in = false;
    for (float* g : st.gin) any_in = any_in || g;
    if (!any_in) continue;
    if (im.profile) {
      auto t0 = std::chrono::steady_clock::now();
      im.nodes[size_t(st.node)].op->backward(r);
      im.prof_bwd[size_t(st.node)] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } else {
      im.nodes[size_t(st.node)].op->backward(r);
    }
  }
  res->input_grads.resize(p.input_grads ? im.inputs.size() : 0);
  for (size_t k = 0; k < res->input_grads.size(); ++k) {
    int v = im.inputs[k];
    if (p.grad[size_t(v)] != NONE) copy_out(v, p.grad[size_t(v)], &res->input_grads[k]);
    else res->input_grads[k] = Tensor(p.shapes[size_t(v)]);  // the input does not reach the output
  }
  for (size_t k = 0; k < p.captures.size(); ++k) {
    int v = p.captures[k];
    if (p.grad[size_t(v)] != NONE) copy_out(v, p.grad[size_t(v)], &res->captured[k].gradient);
    else res->captured[k].gradient = Tensor(p.shapes[size_t(v)]);
  }
  return Status::ok();
}

std::vector<std::string> engine_supported_ops() {
  std::set<std::string> s;
  for (const OpDef& d : op_table()) s.insert(d.op_type);  // runtime ops and those only evaluated on static data
  return std::vector<std::string>(s.begin(), s.end());
}

std::vector<std::string> engine_unsupported_ops(const onnx::Model& model) {
  auto sup = engine_supported_ops();
  std::set<std::string> bad;
  for (const onnx::Node& n : model.graph.nodes) {
    bool ok = (n.domain.empty() || n.domain == "ai.onnx") &&
              std::find(sup.begin(), sup.end(), n.op_type) != sup.end();
    if (!ok) bad.insert(n.op_type);
  }
  return std::vector<std::string>(bad.begin(), bad.end());
}

}  // namespace xm
