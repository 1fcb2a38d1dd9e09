// LRP over the engine's runtime graph (engine/graph_view.h): the rules are
// written once, on top of each op's forward and backward (the backward of a
// linear op is its transposed map J^T), so no op needs an LRP-specific kernel.
// [SECTION] rule table  [SECTION] modified ops  [SECTION] forward and sweep
#include "engine/lrp.h"

#include <cmath>
#include <cstring>
#include <memory>

#include "engine/engine.h"
#include "engine/graph_view.h"

namespace xm {

namespace {

// [SECTION] rule table

// Each op's rule is its OpDef::lrp (op_table.cpp); the message names the ops by kind.
const std::string& lrp_supported() {
  static const std::string list = [] {
    std::string rule, pass;
    for (const OpDef& d : op_table()) {
      if (d.lrp == LrpKind::NONE) continue;
      std::string& to = d.lrp == LrpKind::RULE || d.lrp == LrpKind::WEIGHTED ? rule : pass;
      to += (to.empty() ? "" : ", ") + std::string(d.op_type);
    }
    return rule + " (by rule); " + pass + " (pass-through)";
  }();
  return list;
}

// The weight input (clamped by alpha-beta) and bias input (dropped from the
// negative part) of a WEIGHTED op (OpDef::params); -1 when the op has none.
// BatchNormalization keeps the epsilon rule: with one input per unit, a sign
// split would hand alpha * R (not R) to a unit whose only contribution is positive.
void weight_slots(const EngineGraphView& v, const EngineGraphView::Node& n, int* w, int* b) {
  *w = -1;
  *b = -1;
  if (n.def->lrp != LrpKind::WEIGHTED) return;
  auto is_const = [&](int k) { return k < int(n.in.size()) && n.in[size_t(k)] >= 0 && v.value[size_t(n.in[size_t(k)])]; };
  const OpParams& p = n.def->params;
  *w = p.weight;
  *b = p.bias;
  if (p.either_operand) *w = is_const(1) ? 1 : is_const(0) ? 0 : 1;
  if (*b >= int(n.in.size()) || (*b >= 0 && n.in[size_t(*b)] < 0)) *b = -1;
}

// [SECTION] modified ops

// A second instance of a weighted op whose weight is clamped (sign > 0: at 0
// from below; sign < 0: from above) and whose bias is kept or zeroed. The
// instance is initialised from the modified constants, so it is right whether
// the op reads its weights at run time or prepares them in init.
struct ModifiedOp {
  std::unique_ptr<Op> op;
  std::vector<StaticTensor> consts;  // by input slot (only w and b filled)
  std::vector<const float*> in;      // input pointers with the modified constants
  std::vector<const StaticTensor*> value;
};

Status make_modified(const EngineGraphView& v, const EngineGraphView::Node& n, int w, int b, int sign, bool keep_bias,
                     const std::vector<const float*>& in, ModifiedOp* m) {
  const size_t ni = n.in.size();
  m->consts.assign(ni, StaticTensor{});
  m->in = in;
  m->value.assign(ni, nullptr);
  OpInit c;
  c.node = n.node;
  c.opset = v.opset;
  for (size_t k = 0; k < ni; ++k) {
    const int id = n.in[k];
    const StaticTensor* st = id >= 0 ? v.value[size_t(id)] : nullptr;
    c.present.push_back(id >= 0);
    c.is_static.push_back(id < 0 || st != nullptr);
    c.is_graph_input.push_back(false);
    m->value[k] = st;
    if ((int(k) == w || int(k) == b) && st) {
      if (st->is_int) return Status::error(n.op->label + ": LRP needs float weights");
      StaticTensor t = *st;
      if (int(k) == w)
        for (float& f : t.f) f = sign > 0 ? std::max(f, 0.0f) : std::min(f, 0.0f);
      else if (!keep_bias)
        for (float& f : t.f) f = 0.0f;
      m->consts[k] = std::move(t);
      m->value[k] = &m->consts[k];
      m->in[k] = m->consts[k].f.data();
    }
    c.constant.push_back(m->value[k]);
  }
  c.wants_value.assign(ni, false);
  m->op = n.def->make();
  m->op->label = n.op->label;
  XM_TRY(m->op->init(c));
  OpShapes s;
  for (size_t k = 0; k < ni; ++k) {
    s.in.push_back(n.in[k] >= 0 ? v.shapes[size_t(n.in[k])] : Shape{});
    s.present.push_back(n.in[k] >= 0);
    s.value.push_back(m->value[k]);
  }
  std::vector<Shape> outs;
  return m->op->infer(s, &outs);
}

// [SECTION] forward and sweep

struct Sweep {
  const EngineGraphView& v;
  LrpScratch& sc;
  std::vector<std::vector<float>>& act;
  std::vector<std::vector<float>>& rel;
  std::vector<float>& tmp_z;
  std::vector<float>& tmp_s;
  std::vector<std::vector<float>>& tmp_g;
  std::vector<char> has_rel;  // by value id: rel[id] is in use (and was zeroed) in this call

  Sweep(const EngineGraphView& view, LrpScratch& s)
      : v(view), sc(s), act(s.act), rel(s.rel), tmp_z(s.tmp_z), tmp_s(s.tmp_s), tmp_g(s.tmp_g) {}

  size_t numel(int id) const { return size_t(shape_numel(v.shapes[size_t(id)])); }
  bool has(int id) const { return has_rel[size_t(id)] != 0; }
  std::vector<float>& rel_of(int id) {
    if (!has_rel[size_t(id)]) {
      rel[size_t(id)].assign(numel(id), 0.0f);
      has_rel[size_t(id)] = 1;
    }
    return rel[size_t(id)];
  }
  const float* in_ptr(int id) const {
    if (id < 0) return nullptr;
    if (const StaticTensor* st = v.value[size_t(id)]) return st->is_int ? nullptr : st->f.data();
    return act[size_t(id)].data();
  }

  // Fills the OpRun fields shared by forward and backward.
  struct Bound {
    std::vector<const float*> in;
    std::vector<Shape> in_shape, out_shape;
    std::vector<const StaticTensor*> value;
    std::vector<float*> out, gin;
    std::vector<const float*> gout;
    std::unique_ptr<bool[]> fresh;
  };
  void bind(const EngineGraphView::Node& n, Bound* b, OpRun* r) {
    const size_t ni = n.in.size(), no = n.out.size();
    b->in.clear();
    b->in_shape.clear();
    b->value.clear();
    for (int id : n.in) {
      b->in.push_back(in_ptr(id));
      b->in_shape.push_back(id >= 0 ? v.shapes[size_t(id)] : Shape{});
      b->value.push_back(id >= 0 ? v.value[size_t(id)] : nullptr);
    }
    b->out_shape.clear();
    for (int id : n.out) b->out_shape.push_back(id >= 0 ? v.shapes[size_t(id)] : Shape{});
    b->out.assign(no, nullptr);
    b->gout.assign(no, nullptr);
    b->gin.assign(ni, nullptr);
    b->fresh.reset(new bool[std::max<size_t>(ni, 1)]());
    r->in = b->in.data();
    r->in_shape = b->in_shape.data();
    r->value = b->value.data();
    r->out = b->out.data();
    r->out_shape = b->out_shape.data();
    r->gout = b->gout.data();
    r->gin = b->gin.data();
    r->gin_fresh = b->fresh.get();
    r->workspace = sc.ws.get();
    r->workspace_stride = sc.ws_size;
    r->threads = 1;
    r->relu_rule = ReluRule::GRADIENT;
    r->fuse_relu = false;
    r->num_in = int(ni);
    r->num_out = int(no);
  }

  void ensure_workspace(Op* op, const EngineGraphView::Node& n) {
    std::vector<Shape> ins, outs;
    for (int id : n.in) ins.push_back(id >= 0 ? v.shapes[size_t(id)] : Shape{});
    for (int id : n.out) outs.push_back(id >= 0 ? v.shapes[size_t(id)] : Shape{});
    const size_t need = op->workspace_floats(ins, outs);
    if (sc.ws_size < need) {
      sc.ws.reset(new float[need]);  // not zeroed: ops write their workspace before reading it
      sc.ws_size = need;
    }
  }

  // rel[in k] += scale * a_k * J^T (R / stab(z)) for the op `op` with inputs `in`
  // (the original activations, the weights possibly modified); z from op's forward.
  void rule_part(const EngineGraphView::Node& n, Op* op, const std::vector<const float*>& in,
                 const std::vector<const StaticTensor*>& value, const float* R, double eps, double scale,
                 bool forward_again) {
    Bound b;
    OpRun r;
    ensure_workspace(op, n);
    bind(n, &b, &r);
    b.in = in;
    b.value = value;
    r.in = b.in.data();
    r.value = b.value.data();
    r.workspace = sc.ws.get();
    r.workspace_stride = sc.ws_size;
    const int out0 = n.out[0];
    const size_t nz = numel(out0);
    const float* z = act[size_t(out0)].data();
    // Other outputs (e.g. Dropout's mask) are never rule ops' concern: only output 0 carries relevance.
    std::vector<std::vector<float>> extra(n.out.size());
    if (forward_again) {
      tmp_z.resize(nz);
      b.out[0] = tmp_z.data();
      for (size_t j = 1; j < n.out.size(); ++j)
        if (n.out[j] >= 0) {
          extra[j].resize(numel(n.out[j]));
          b.out[j] = extra[j].data();
        }
      op->forward(r);
      z = tmp_z.data();
    }
    tmp_s.resize(nz);
    const float fe = float(eps);
    for (size_t i = 0; i < nz; ++i) tmp_s[i] = R[i] / (z[i] + (z[i] >= 0.0f ? fe : -fe));
    b.gout[0] = tmp_s.data();
    for (size_t j = 1; j < n.out.size(); ++j)
      if (n.out[j] >= 0) {
        extra[j].assign(numel(n.out[j]), 0.0f);
        b.gout[j] = extra[j].data();
      }
    tmp_g.resize(n.in.size());
    for (size_t k = 0; k < n.in.size(); ++k) {
      const int id = n.in[k];
      if (id < 0 || v.value[size_t(id)] || !v.is_runtime[size_t(id)]) continue;
      tmp_g[k].assign(numel(id), 0.0f);
      b.gin[k] = tmp_g[k].data();
    }
    op->backward(r);
    for (size_t k = 0; k < n.in.size(); ++k) {
      if (!b.gin[k]) continue;
      const int id = n.in[k];
      std::vector<float>& dst = rel_of(id);
      const float* a = act[size_t(id)].data();
      const float* g = tmp_g[k].data();
      const float s = float(scale);
      for (size_t i = 0; i < dst.size(); ++i) dst[i] += s * a[i] * g[i];
    }
  }
};

}  // namespace

Status lrp_check_rule(const LrpRule& rule) {
  if (!std::isfinite(rule.epsilon) || rule.epsilon <= 0 || rule.epsilon > 1e6)
    return Status::error("LRP: epsilon must be in (0, 1e6], got " + std::to_string(rule.epsilon));
  if (rule.kind == LrpRule::ALPHA_BETA) {
    if (!std::isfinite(rule.alpha) || !std::isfinite(rule.beta) || rule.beta < 0 || rule.alpha < 1)
      return Status::error("LRP: alpha must be >= 1 and beta >= 0, got alpha=" + std::to_string(rule.alpha) +
                           " beta=" + std::to_string(rule.beta));
    if (std::fabs(rule.alpha - rule.beta - 1.0) > 1e-6)
      return Status::error("LRP: alpha - beta must be 1 (so relevance is conserved), got alpha=" +
                           std::to_string(rule.alpha) + " beta=" + std::to_string(rule.beta));
  }
  return Status::ok();
}

Status engine_lrp(Engine& engine, const Tensor& x, const Tensor& seed, const LrpRule& rule, Tensor* logits,
                  Tensor* relevance, LrpScratch* scratch) {
  XM_TRY(lrp_check_rule(rule));
  if (int64_t(x.data.size()) != shape_numel(x.shape) || x.shape.empty())
    return Status::error("LRP: malformed input tensor " + shape_str(x.shape));
  EngineGraphView v;
  XM_TRY(engine.graph_view({x.shape}, &v));
  if (v.inputs.size() != 1) return Status::error("LRP: the model must have exactly one input");
  const int in0 = v.inputs[0], out0 = v.outputs[0];
  const size_t nv = v.shapes.size();
  // Which values carry relevance back from the first output; refuse unsupported ops on that path first.
  std::vector<char> reach(nv, 0);
  reach[size_t(out0)] = 1;
  for (size_t k = v.nodes.size(); k-- > 0;) {
    const EngineGraphView::Node& n = v.nodes[k];
    bool r = false;
    for (int o : n.out) r = r || (o >= 0 && reach[size_t(o)]);
    if (!r) continue;
    bool runtime_in = false;
    for (int i : n.in) runtime_in = runtime_in || (i >= 0 && v.is_runtime[size_t(i)] && !v.value[size_t(i)]);
    if (!runtime_in) continue;
    if (n.def->lrp == LrpKind::NONE)
      return Status::error(n.op->label + ": operator " + n.node->op_type + " has no LRP rule (supported: " +
                           lrp_supported() + ")");
    for (int i : n.in)
      if (i >= 0 && v.is_runtime[size_t(i)] && !v.value[size_t(i)]) reach[size_t(i)] = 1;
  }
  const int64_t B = x.shape[0];
  const size_t nout = size_t(shape_numel(v.shapes[size_t(out0)]));
  if (B < 1 || nout % size_t(B) != 0) return Status::error("LRP: the first output " + shape_str(v.shapes[size_t(out0)]) + " has no batch dimension");
  const int64_t K = int64_t(nout) / B;
  if (seed.shape != Shape{B, K} || int64_t(seed.data.size()) != B * K)
    return Status::error("LRP: the seed must have shape " + shape_str({B, K}) + ", got " + shape_str(seed.shape));

  LrpScratch local;
  Sweep sw(v, scratch ? *scratch : local);
  sw.act.resize(nv);
  sw.rel.resize(nv);
  sw.has_rel.assign(nv, 0);
  sw.act[size_t(in0)] = x.data;
  // Forward, keeping every activation (LRP reads each layer's input and output).
  for (const EngineGraphView::Node& n : v.nodes) {
    Sweep::Bound b;
    OpRun r;
    sw.ensure_workspace(n.op, n);
    sw.bind(n, &b, &r);
    for (size_t j = 0; j < n.out.size(); ++j) {
      const int o = n.out[j];
      if (o < 0) continue;
      sw.act[size_t(o)].resize(sw.numel(o));  // the op writes every element
      b.out[j] = sw.act[size_t(o)].data();
    }
    n.op->forward(r);
  }
  const std::vector<float>& y = sw.act[size_t(out0)];
  *logits = Tensor({B, K});
  std::memcpy(logits->data.data(), y.data(), nout * 4);
  std::vector<float>& r_out = sw.rel_of(out0);
  for (size_t i = 0; i < nout; ++i) r_out[i] = y[i] * seed.data[i];

  const bool ab = rule.kind == LrpRule::ALPHA_BETA;
  for (size_t k = v.nodes.size(); k-- > 0;) {
    const EngineGraphView::Node& n = v.nodes[k];
    bool carries = false;
    for (int o : n.out) carries = carries || (o >= 0 && reach[size_t(o)] && sw.has(o));
    if (!carries) continue;
    const LrpKind kind = n.def->lrp;
    if (kind == LrpKind::NONE) continue;  // only ops with constant inputs (checked above)
    if (kind == LrpKind::IDENTITY) {
      const int i = n.in[0], o = n.out[0];
      if (i < 0 || !reach[size_t(i)] || !sw.has(o)) continue;
      std::vector<float>& dst = sw.rel_of(i);
      const std::vector<float>& src = sw.rel[size_t(o)];
      for (size_t q = 0; q < dst.size(); ++q) dst[q] += src[q];
      continue;
    }
    if (kind == LrpKind::REINDEX) {
      Sweep::Bound b;
      OpRun r;
      sw.ensure_workspace(n.op, n);
      sw.bind(n, &b, &r);
      for (size_t j = 0; j < n.out.size(); ++j) {
        const int o = n.out[j];
        if (o < 0) continue;
        b.out[j] = sw.act[size_t(o)].data();
        b.gout[j] = sw.rel_of(o).data();
      }
      for (size_t q = 0; q < n.in.size(); ++q) {
        const int i = n.in[q];
        if (i >= 0 && reach[size_t(i)] && !v.value[size_t(i)]) b.gin[q] = sw.rel_of(i).data();
      }
      n.op->backward(r);
      continue;
    }
    // Rule layers.
    const float* R = sw.rel_of(n.out[0]).data();
    std::vector<const float*> in;
    std::vector<const StaticTensor*> value;
    for (int i : n.in) {
      in.push_back(sw.in_ptr(i));
      value.push_back(i >= 0 ? v.value[size_t(i)] : nullptr);
    }
    int w = -1, bslot = -1;
    weight_slots(v, n, &w, &bslot);
    if (!ab || w < 0) {
      sw.rule_part(n, n.op, in, value, R, rule.epsilon, 1.0, false);
      continue;
    }
    if (n.in[size_t(w)] < 0 || !v.value[size_t(n.in[size_t(w)])])
      return Status::error(n.op->label + ": lrp alpha-beta needs constant weights (input " + std::to_string(w) + " is computed)");
    ModifiedOp pos;
    XM_TRY(make_modified(v, n, w, bslot, +1, true, in, &pos));
    sw.rule_part(n, pos.op.get(), pos.in, pos.value, R, rule.epsilon, rule.alpha, true);
    if (rule.beta != 0) {
      ModifiedOp neg;
      XM_TRY(make_modified(v, n, w, bslot, -1, false, in, &neg));
      sw.rule_part(n, neg.op.get(), neg.in, neg.value, R, rule.epsilon, -rule.beta, true);
    }
  }
  *relevance = Tensor(x.shape);
  if (sw.has(in0)) relevance->data = sw.rel[size_t(in0)];
  return Status::ok();
}

}  // namespace xm
