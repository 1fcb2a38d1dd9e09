// Incremental inference (incremental.h). Each value of the image in flight is
// CLEAN (equal to the base), RECT (equal to the base outside a rectangle of its
// H,W plane; the rectangle's values, all channels, are held) or FULL (a
// non-4-D value held whole). Per node kind, chosen by the op's IncrementalKind (op.h):
//   WINDOW (CONV_, MAX_, AVERAGE_WINDOW: Conv, MaxPool, AveragePool): the
//     output rectangle whose windows touch the changed input; its input crop
//     (with the padding written into the crop) runs through a copy of the op
//     without padding, so the result sums exactly the products the full op sums.
//   ELEMENTWISE (Relu, BatchNormalization, Clip, ...): the op on the rectangle.
//   SPATIAL_MULTI (BROADCAST of same-shaped tensors: Add/Sub/Mul/Div; CONCAT on
//     channels): the union of the inputs' rectangles, each input cropped to it.
//   GAP (GLOBAL_AVERAGE: GlobalAveragePool): base mean + (sum of new - sum of old) / HW.
//   GENERIC: everything else runs on whole tensors (patched copies).
// [SECTION] plan  [SECTION] crops  [SECTION] run
#include "engine/incremental.h"

#include <chrono>
#include <cstring>
#include <limits>

#include "engine/engine.h"
#include "engine/graph_view.h"
#include "engine/ops/op_util.h"
#include "kernels/gemm.h"

namespace xm {

namespace {

enum class Kind { WINDOW, ELEMENTWISE, SPATIAL_MULTI, GAP, GENERIC };

struct Rect {
  int64_t y0 = 0, y1 = 0, x0 = 0, x1 = 0;
  int64_t h() const { return y1 - y0; }
  int64_t w() const { return x1 - x0; }
};

Rect unite(const Rect& a, const Rect& b) {
  return {std::min(a.y0, b.y0), std::max(a.y1, b.y1), std::min(a.x0, b.x0), std::max(a.x1, b.x1)};
}

// Buffers only grow: resize() would zero-fill again whatever it had shrunk away.
float* grow(std::vector<float>* v, int64_t n) {
  if (int64_t(v->size()) < n) v->resize(size_t(n));
  return v->data();
}

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

struct State {
  enum Tag { CLEAN, RECT, FULL } tag = CLEAN;
  Rect r;
  std::vector<float> data;  // RECT: [C,h,w]; FULL: the whole value
};

struct NodePlan {
  Kind kind = Kind::GENERIC;
  // WINDOW: geometry on the base shapes, and the op without padding.
  Window2d g;
  float pad_value = 0;
  bool batched_conv = false;  // group-1 Conv: the windows of a batch share one sgemm
  onnx::Node nopad_node;
  std::unique_ptr<Op> nopad;
};

// Attributes of `n` without the padding ones (the crop carries the padding).
onnx::Node without_padding(const onnx::Node& n) {
  onnx::Node m = n;
  std::vector<onnx::Attribute> keep;
  for (const onnx::Attribute& a : n.attributes)
    if (a.name != "pads" && a.name != "auto_pad" && a.name != "ceil_mode") keep.push_back(a);
  m.attributes = keep;
  return m;
}

}  // namespace

struct IncrementalRunner::Impl {
  const Engine* engine = nullptr;
  Tensor base_input;
  EngineGraphView view;
  std::vector<NodePlan> plans;
  std::vector<char> depends;             // by value id: depends on the graph input
  std::vector<std::vector<float>> base;  // by value id: the base's activations (runtime values)
  std::vector<State> st;                 // [image][value id]: the batch in flight
  size_t nv = 0;
  int64_t batch = 0;
  std::vector<std::vector<float>> scratch;  // per input slot: crops and patched copies
  std::vector<float> workspace, cols, gemm_out, crop_buf;
  bool ok = false, worth = true;
  bool planned = false;  // prepare(): planned for base_input, base pass done up to next_node
  size_t next_node = 0;
  double recomputed = 0, full_work = 0;

  bool is4d(int v) const { return v >= 0 && view.shapes[size_t(v)].size() == 4 && view.shapes[size_t(v)][0] == 1; }
  // Known before a pass or the same for every patched image.
  bool fixed(int v) const { return v < 0 || view.value[size_t(v)] != nullptr || !depends[size_t(v)]; }
  const float* fixed_data(int v) const {
    if (v < 0) return nullptr;
    const StaticTensor* s = view.value[size_t(v)];
    if (s) return s->is_int ? nullptr : s->f.data();
    return base[size_t(v)].data();
  }

  Status classify(size_t k);
  Status run_op(const EngineGraphView::Node& n, Op* op, const std::vector<const float*>& in,
                const std::vector<Shape>& in_shape, const std::vector<float*>& out, const std::vector<Shape>& out_shape);
  State& at(int64_t b, int v) { return st[size_t(b) * nv + size_t(v)]; }
  const State& at(int64_t b, int v) const { return st[size_t(b) * nv + size_t(v)]; }
  void crop(int64_t b, int v, const Rect& r, float pad, float* dst) const;
  const float* whole(int64_t b, int v, std::vector<float>* buf) const;
  Status step(size_t k);
  Status step_item(size_t k, int64_t b);
  void conv_batched(size_t k, const std::vector<int64_t>& items, const std::vector<Rect>& crops,
                    const std::vector<Rect>& outs);
};

// ---------------------------------------------------------------------------
// [SECTION] plan
// ---------------------------------------------------------------------------

Status IncrementalRunner::Impl::classify(size_t k) {
  const EngineGraphView::Node& n = view.nodes[k];
  NodePlan& p = plans[k];
  p.kind = Kind::GENERIC;
  const IncrementalKind t = n.def->incremental;
  const int x = n.in.empty() ? -1 : n.in[0];
  const int y = n.out.empty() ? -1 : n.out[0];
  bool extra_out = false;
  for (size_t j = 1; j < n.out.size(); ++j) extra_out = extra_out || n.out[j] >= 0;
  if (x < 0 || y < 0 || extra_out || !is4d(x) || !is4d(y) || fixed(x)) return Status::ok();
  bool rest_fixed = true;
  for (size_t j = 1; j < n.in.size(); ++j) rest_fixed = rest_fixed && fixed(n.in[j]);
  // An OpInit for this node as the engine built it (weights static), for WindowAttrs.
  auto make_init = [&](const onnx::Node* node, OpInit* c) {
    c->node = node;
    c->opset = view.opset;
    for (int i : n.in) {
      c->present.push_back(i >= 0);
      c->is_static.push_back(i < 0 || view.value[size_t(i)] != nullptr);
      c->constant.push_back(i >= 0 ? view.value[size_t(i)] : nullptr);
      c->is_graph_input.push_back(false);
    }
    c->wants_value.assign(n.in.size(), false);
  };
  const bool window = t == IncrementalKind::CONV_WINDOW || t == IncrementalKind::MAX_WINDOW ||
                      t == IncrementalKind::AVERAGE_WINDOW;
  if (window && rest_fixed) {
    // Conv's weights must be true constants: the op without padding is built on them.
    for (size_t j = 1; j < n.in.size(); ++j)
      if (n.in[j] >= 0 && !view.value[size_t(n.in[j])]) return Status::ok();
    OpInit c;
    make_init(n.node, &c);
    WindowAttrs wa;
    const bool conv = t == IncrementalKind::CONV_WINDOW;
    XM_TRY(wa.parse(c, t != IncrementalKind::AVERAGE_WINDOW, !conv));
    std::vector<int64_t> ks;
    if (conv) ks.assign(view.shapes[size_t(n.in[1])].begin() + 2, view.shapes[size_t(n.in[1])].end());
    XM_TRY(wa.geometry(n.op->label, view.shapes[size_t(x)], ks, &p.g));
    if (t == IncrementalKind::AVERAGE_WINDOW) {
      const onnx::Attribute* a = onnx::find_attr(*n.node, "count_include_pad");
      const bool include_pad = a && a->i != 0;
      const bool padded = p.g.pt || p.g.pl || p.g.pb || p.g.pr;
      // Excluded padding changes the divisor near borders, and ceil_mode's last
      // window is clipped: a zero-padded crop would average differently.
      if (wa.ceil_mode || (padded && !include_pad)) return Status::ok();
    }
    p.pad_value = t == IncrementalKind::MAX_WINDOW ? -std::numeric_limits<float>::infinity() : 0.0f;
    p.nopad_node = without_padding(*n.node);
    p.nopad = n.def->make();
    p.nopad->label = n.op->label + " (incremental)";
    OpInit c2;
    make_init(&p.nopad_node, &c2);
    XM_TRY(p.nopad->init(c2));
    p.kind = Kind::WINDOW;
    const onnx::Attribute* ga = onnx::find_attr(*n.node, "group");
    p.batched_conv = conv && (!ga || ga->i == 1) && !view.value[size_t(n.in[1])]->is_int &&
                     (n.in.size() < 3 || n.in[2] < 0 || !view.value[size_t(n.in[2])]->is_int);
    return Status::ok();
  }
  if (t == IncrementalKind::ELEMENTWISE && rest_fixed && view.shapes[size_t(x)] == view.shapes[size_t(y)]) {
    p.kind = Kind::ELEMENTWISE;
    return Status::ok();
  }
  if (t == IncrementalKind::BROADCAST) {
    for (int i : n.in) {
      if (i < 0) return Status::ok();
      const Shape& s = view.shapes[size_t(i)];
      if (!fixed(i)) {
        if (s != view.shapes[size_t(y)]) return Status::ok();
      } else {
        // A fixed operand must not vary over H,W, so it broadcasts the same onto a crop.
        if (s.size() > 4) return Status::ok();
        if (s.size() >= 1 && s[s.size() - 1] != 1) return Status::ok();
        if (s.size() >= 2 && s[s.size() - 2] != 1) return Status::ok();
      }
    }
    p.kind = Kind::SPATIAL_MULTI;
    return Status::ok();
  }
  if (t == IncrementalKind::CONCAT) {
    const onnx::Attribute* a = onnx::find_attr(*n.node, "axis");
    if (!a || (a->i != 1 && a->i != -3)) return Status::ok();
    for (int i : n.in)
      if (i < 0 || fixed(i) || !is4d(i) || view.shapes[size_t(i)][2] != view.shapes[size_t(y)][2] ||
          view.shapes[size_t(i)][3] != view.shapes[size_t(y)][3])
        return Status::ok();
    p.kind = Kind::SPATIAL_MULTI;
    return Status::ok();
  }
  if (t == IncrementalKind::GLOBAL_AVERAGE) p.kind = Kind::GAP;
  return Status::ok();
}

Status IncrementalRunner::Impl::run_op(const EngineGraphView::Node& n, Op* op, const std::vector<const float*>& in,
                                       const std::vector<Shape>& in_shape, const std::vector<float*>& out,
                                       const std::vector<Shape>& out_shape) {
  std::vector<const StaticTensor*> values(n.in.size(), nullptr);
  for (size_t j = 0; j < n.in.size(); ++j) values[j] = n.in[j] >= 0 ? view.value[size_t(n.in[j])] : nullptr;
  const size_t ws = op->workspace_floats(in_shape, out_shape);
  if (workspace.size() < ws) workspace.resize(ws);
  OpRun r;
  r.in = in.data();
  r.in_shape = in_shape.data();
  r.value = values.data();
  r.out = out.data();
  r.out_shape = out_shape.data();
  r.workspace = workspace.data();
  r.workspace_stride = ws;
  r.threads = 1;
  r.num_in = int(in.size());
  r.num_out = int(out.size());
  op->forward(r);
  return Status::ok();
}

IncrementalRunner::IncrementalRunner() : impl_(new Impl) {}
IncrementalRunner::~IncrementalRunner() = default;

Status IncrementalRunner::prepare(Engine& engine, const Tensor& base_input, double budget_ms, bool* done) {
  if (done) *done = false;
  const auto t0 = std::chrono::steady_clock::now();
  const bool resume = impl_->planned && !impl_->ok && impl_->engine == &engine &&
                      impl_->base_input.shape == base_input.shape && impl_->base_input.data == base_input.data;
  if (!resume) {
    impl_.reset(new Impl);
    if (Status s = plan(engine, base_input); !s) {
      impl_.reset(new Impl);
      return s;
    }
  }
  Impl& im = *impl_;
  const EngineGraphView& v = im.view;
  // The base's activations, once, node by node.
  for (size_t ran = 0; im.next_node < v.nodes.size(); ++im.next_node, ++ran) {
    if (budget_ms > 0 && (ran > 0 || !resume) &&  // at least one node per call after the planning one
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() >= budget_ms)
      return Status::ok();  // *done stays false
    const EngineGraphView::Node& n = v.nodes[im.next_node];
    std::vector<const float*> in;
    std::vector<Shape> in_shape;
    for (int i : n.in) {
      in_shape.push_back(i >= 0 ? v.shapes[size_t(i)] : Shape{});
      in.push_back(i < 0 ? nullptr : v.value[size_t(i)] ? im.fixed_data(i) : im.base[size_t(i)].data());
    }
    std::vector<float*> out;
    std::vector<Shape> out_shape;
    for (int o : n.out) {
      out_shape.push_back(o >= 0 ? v.shapes[size_t(o)] : Shape{});
      if (o >= 0) im.base[size_t(o)].assign(size_t(shape_numel(v.shapes[size_t(o)])), 0.0f);
      out.push_back(o >= 0 ? im.base[size_t(o)].data() : nullptr);
    }
    if (Status s = im.run_op(n, n.op, in, in_shape, out, out_shape); !s) {
      impl_.reset(new Impl);
      return s;
    }
  }
  im.ok = true;
  if (done) *done = true;
  return Status::ok();
}

// The plan for base's shape: which values depend on the input, each node's
// kind, and the base pass's buffers (run by prepare()).
Status IncrementalRunner::plan(Engine& engine, const Tensor& base_input) {
  Impl& im = *impl_;
  if (base_input.shape.size() != 4 || base_input.shape[0] != 1 ||
      int64_t(base_input.data.size()) != shape_numel(base_input.shape))
    return Status::error("incremental inference: the base image must be [1,C,H,W], got " + shape_str(base_input.shape));
  XM_TRY(engine.graph_view({base_input.shape}, &im.view));
  EngineGraphView& v = im.view;
  if (v.inputs.size() != 1) return Status::error("incremental inference: the model must have one input");
  const size_t nv = v.names.size();
  // Which values change when the input does.
  im.depends.assign(nv, 0);
  im.depends[size_t(v.inputs[0])] = 1;
  for (const EngineGraphView::Node& n : v.nodes) {
    bool d = false;
    for (int i : n.in) d = d || (i >= 0 && im.depends[size_t(i)]);
    for (int o : n.out)
      if (o >= 0) im.depends[size_t(o)] = d;
  }
  im.plans.clear();
  im.plans.resize(v.nodes.size());
  size_t max_in = 1;
  for (size_t k = 0; k < v.nodes.size(); ++k) {
    XM_TRY(im.classify(k));
    max_in = std::max(max_in, v.nodes[k].in.size());
    // A whole-tensor op on a big spatial tensor that a patch changes makes
    // every patched image pay a full copy and a full op.
    if (im.plans[k].kind == Kind::GENERIC)
      for (int i : v.nodes[k].in)
        if (i >= 0 && im.depends[size_t(i)] && v.shapes[size_t(i)].size() == 4 &&
            shape_numel(v.shapes[size_t(i)]) > 16384)
          im.worth = false;
  }
  im.scratch.assign(max_in, {});
  im.base.assign(nv, {});
  im.base[size_t(v.inputs[0])] = base_input.data;
  im.nv = nv;
  im.engine = &engine;
  im.base_input = base_input;
  im.next_node = 0;
  im.planned = true;
  return Status::ok();
}

bool IncrementalRunner::prepared_for(const Engine& engine, const Tensor& base) const {
  return impl_->ok && impl_->engine == &engine && impl_->base_input.shape == base.shape &&
         impl_->base_input.data == base.data;
}

double IncrementalRunner::last_recomputed_fraction() const {
  return impl_->full_work > 0 ? impl_->recomputed / impl_->full_work : 1.0;
}

bool IncrementalRunner::worthwhile() const { return impl_->ok && impl_->worth; }

// ---------------------------------------------------------------------------
// [SECTION] crops
// ---------------------------------------------------------------------------

// Value v of the image in flight over r ([C, r.h, r.w] into dst); r may reach
// outside the tensor, where `pad` is written.
void IncrementalRunner::Impl::crop(int64_t b_, int v, const Rect& r, float pad, float* dst) const {
  const Shape& s = view.shapes[size_t(v)];
  const int64_t C = s[1], H = s[2], W = s[3], h = r.h(), w = r.w();
  const float* b = base[size_t(v)].data();
  const State& q = at(b_, v);
  const bool has = q.tag == State::RECT;
  const int64_t m0 = std::max<int64_t>(r.x0, 0), m1 = std::min<int64_t>(r.x1, W);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t y = r.y0; y < r.y1; ++y) {
      float* d = dst + (c * h + (y - r.y0)) * w;
      if (y < 0 || y >= H || m0 >= m1) {
        std::fill(d, d + w, pad);
        continue;
      }
      std::fill(d, d + (m0 - r.x0), pad);
      std::fill(d + (m1 - r.x0), d + w, pad);
      const float* brow = b + (c * H + y) * W;
      if (!has || y < q.r.y0 || y >= q.r.y1 || q.r.x1 <= m0 || q.r.x0 >= m1) {
        std::memcpy(d + (m0 - r.x0), brow + m0, size_t(m1 - m0) * 4);
        continue;
      }
      const int64_t p0 = std::max(m0, q.r.x0), p1 = std::min(m1, q.r.x1);
      std::memcpy(d + (m0 - r.x0), brow + m0, size_t(p0 - m0) * 4);
      const float* prow = q.data.data() + (c * q.r.h() + (y - q.r.y0)) * q.r.w();
      std::memcpy(d + (p0 - r.x0), prow + (p0 - q.r.x0), size_t(p1 - p0) * 4);
      std::memcpy(d + (p1 - r.x0), brow + p1, size_t(m1 - p1) * 4);
    }
}

// Value v of the image in flight as a whole tensor (the base itself when clean).
const float* IncrementalRunner::Impl::whole(int64_t b, int v, std::vector<float>* buf) const {
  const State& q = at(b, v);
  if (q.tag == State::CLEAN) return base[size_t(v)].data();
  if (q.tag == State::FULL) return q.data.data();
  const Shape& s = view.shapes[size_t(v)];
  if (q.r.y0 == 0 && q.r.x0 == 0 && q.r.y1 == s[2] && q.r.x1 == s[3]) return q.data.data();
  grow(buf, shape_numel(s));
  crop(b, v, {0, s[2], 0, s[3]}, 0.0f, buf->data());
  return buf->data();
}

// ---------------------------------------------------------------------------
// [SECTION] run
// ---------------------------------------------------------------------------

// Which output rectangle of a windowed op a changed input rectangle reaches
// (false: none, the stride steps over the change), and the input crop it reads.
static bool window_reach(const Window2d& g, const Rect& in, Rect* out, Rect* crop) {
  const int64_t ekh = (g.kh - 1) * g.dh + 1, ekw = (g.kw - 1) * g.dw + 1;
  // Outputs whose window [o*s - pad, o*s - pad + extent) meets the changed rows/columns.
  const int64_t oy0 = std::max<int64_t>(0, floor_div(in.y0 + g.pt - ekh, g.sh) + 1);
  const int64_t oy1 = std::min<int64_t>(g.OH, floor_div(in.y1 - 1 + g.pt, g.sh) + 1);
  const int64_t ox0 = std::max<int64_t>(0, floor_div(in.x0 + g.pl - ekw, g.sw) + 1);
  const int64_t ox1 = std::min<int64_t>(g.OW, floor_div(in.x1 - 1 + g.pl, g.sw) + 1);
  if (oy0 >= oy1 || ox0 >= ox1) return false;
  *out = {oy0, oy1, ox0, ox1};
  *crop = {oy0 * g.sh - g.pt, (oy1 - 1) * g.sh - g.pt + ekh, ox0 * g.sw - g.pl, (ox1 - 1) * g.sw - g.pl + ekw};
  return true;
}

Status IncrementalRunner::Impl::step(size_t k) {
  const EngineGraphView::Node& n = view.nodes[k];
  NodePlan& p = plans[k];
  if (p.kind == Kind::WINDOW && p.batched_conv) {
    std::vector<int64_t> items;
    std::vector<Rect> crops, outs;
    for (int64_t b = 0; b < batch; ++b) {
      const State& q = at(b, n.in[0]);
      State& o = at(b, n.out[0]);
      o.tag = State::CLEAN;
      Rect orr, cr;
      if (q.tag != State::RECT || !window_reach(p.g, q.r, &orr, &cr)) continue;
      items.push_back(b);
      crops.push_back(cr);
      outs.push_back(orr);
    }
    conv_batched(k, items, crops, outs);
    return Status::ok();
  }
  for (int64_t b = 0; b < batch; ++b) XM_TRY(step_item(k, b));
  return Status::ok();
}

// Conv with group 1 over the crops of several images: im2col of each crop into
// its own columns of one matrix, one sgemm, then each image's block of columns
// (plus bias) becomes its rectangle: the products the op sums, and one large
// product for many windows instead of many small ones (packing the weights once).
void IncrementalRunner::Impl::conv_batched(size_t k, const std::vector<int64_t>& items, const std::vector<Rect>& crops,
                                           const std::vector<Rect>& outs) {
  const EngineGraphView::Node& n = view.nodes[k];
  const NodePlan& p = plans[k];
  const Window2d& g = p.g;
  const Shape& ws = view.shapes[size_t(n.in[1])];
  const int64_t M = ws[0], C = g.C, kh = g.kh, kw = g.kw, K = C * kh * kw;
  const float* w = view.value[size_t(n.in[1])]->f.data();
  const float* bias = n.in.size() > 2 && n.in[2] >= 0 ? view.value[size_t(n.in[2])]->f.data() : nullptr;
  // Chunks of images whose columns fit a bounded matrix (about 4M floats).
  const int64_t max_cols = std::max<int64_t>(1, (int64_t(1) << 22) / std::max<int64_t>(K, M));
  size_t i0 = 0;
  while (i0 < items.size()) {
    int64_t N = 0;
    size_t i1 = i0;
    while (i1 < items.size()) {
      const int64_t ohw = outs[i1].h() * outs[i1].w();
      if (i1 > i0 && N + ohw > max_cols) break;
      N += ohw;
      ++i1;
    }
    grow(&cols, K * N);
    int64_t col0 = 0;
    for (size_t i = i0; i < i1; ++i) {
      const Rect& cr = crops[i];
      const int64_t oh = outs[i].h(), ow = outs[i].w();
      grow(&crop_buf, C * cr.h() * cr.w());
      crop(items[i], n.in[0], cr, 0.0f, crop_buf.data());
      for (int64_t c = 0; c < C; ++c)
        for (int64_t ki = 0; ki < kh; ++ki)
          for (int64_t kj = 0; kj < kw; ++kj) {
            float* dst = cols.data() + ((c * kh + ki) * kw + kj) * N + col0;
            for (int64_t oy = 0; oy < oh; ++oy) {
              const float* src = crop_buf.data() + (c * cr.h() + oy * g.sh + ki * g.dh) * cr.w() + kj * g.dw;
              float* d = dst + oy * ow;
              if (g.sw == 1) {
                std::memcpy(d, src, size_t(ow) * 4);
              } else {
                for (int64_t ox = 0; ox < ow; ++ox) d[ox] = src[ox * g.sw];
              }
            }
          }
      col0 += oh * ow;
    }
    grow(&gemm_out, M * N);
    sgemm(false, false, int(M), int(N), int(K), 1.0f, w, int(K), cols.data(), int(N), 0.0f, gemm_out.data(), int(N));
    col0 = 0;
    for (size_t i = i0; i < i1; ++i) {
      const int64_t ohw = outs[i].h() * outs[i].w();
      State& o = at(items[i], n.out[0]);
      o.tag = State::RECT;
      o.r = outs[i];
      grow(&o.data, M * ohw);
      for (int64_t m = 0; m < M; ++m) {
        const float* src = gemm_out.data() + m * N + col0;
        float* d = o.data.data() + m * ohw;
        const float bv = bias ? bias[m] : 0.0f;
        for (int64_t j = 0; j < ohw; ++j) d[j] = src[j] + bv;
      }
      recomputed += double(M * ohw);
      col0 += ohw;
    }
    i0 = i1;
  }
}

Status IncrementalRunner::Impl::step_item(size_t k, int64_t b) {
  const EngineGraphView::Node& n = view.nodes[k];
  NodePlan& p = plans[k];
  bool changed = false;
  for (int i : n.in) changed = changed || (i >= 0 && !fixed(i) && at(b, i).tag != State::CLEAN);
  for (int o : n.out)
    if (o >= 0) at(b, o).tag = State::CLEAN;
  if (!changed) return Status::ok();
  const int x = n.in[0], y = n.out.empty() ? -1 : n.out[0];
  std::vector<const float*> in(n.in.size(), nullptr);
  std::vector<Shape> in_shape(n.in.size());
  for (size_t j = 0; j < n.in.size(); ++j)
    if (n.in[j] >= 0 && fixed(n.in[j])) {
      in[j] = fixed_data(n.in[j]);
      in_shape[j] = view.shapes[size_t(n.in[j])];
    }
  static const Shape none;
  const Shape& ys = y >= 0 ? view.shapes[size_t(y)] : none;
  switch (p.kind) {
    case Kind::WINDOW: {
      const Window2d& g = p.g;
      Rect orr, cr;
      if (!window_reach(g, at(b, x).r, &orr, &cr)) return Status::ok();  // the stride steps over the change
      std::vector<float>& buf = scratch[0];
      grow(&buf, g.C * cr.h() * cr.w());
      crop(b, x, cr, p.pad_value, buf.data());
      in[0] = buf.data();
      in_shape[0] = {1, g.C, cr.h(), cr.w()};
      State& out = at(b, y);
      out.tag = State::RECT;
      out.r = orr;
      const Shape os{1, ys[1], orr.h(), orr.w()};
      grow(&out.data, shape_numel(os));
      recomputed += double(shape_numel(os));
      return run_op(n, p.nopad.get(), in, in_shape, {out.data.data()}, {os});
    }
    case Kind::ELEMENTWISE: {
      const State& q = at(b, x);
      State& out = at(b, y);
      out.tag = State::RECT;
      out.r = q.r;
      grow(&out.data, view.shapes[size_t(x)][1] * q.r.h() * q.r.w());
      in[0] = q.data.data();
      in_shape[0] = {1, view.shapes[size_t(x)][1], q.r.h(), q.r.w()};
      return run_op(n, n.op, in, in_shape, {out.data.data()}, {in_shape[0]});
    }
    case Kind::SPATIAL_MULTI: {
      bool any = false;
      Rect u;
      for (int i : n.in)
        if (!fixed(i) && at(b, i).tag == State::RECT) {
          u = any ? unite(u, at(b, i).r) : at(b, i).r;
          any = true;
        }
      XM_ASSERT(any);
      for (size_t j = 0; j < n.in.size(); ++j) {
        const int i = n.in[j];
        if (fixed(i)) continue;
        const int64_t C = view.shapes[size_t(i)][1];
        const State& q = at(b, i);
        in_shape[j] = {1, C, u.h(), u.w()};
        if (q.tag == State::RECT && q.r.y0 == u.y0 && q.r.y1 == u.y1 && q.r.x0 == u.x0 && q.r.x1 == u.x1) {
          in[j] = q.data.data();
          continue;
        }
        std::vector<float>& buf = scratch[j];
        grow(&buf, C * u.h() * u.w());
        crop(b, i, u, 0.0f, buf.data());
        in[j] = buf.data();
      }
      State& out = at(b, y);
      const Shape os{1, ys[1], u.h(), u.w()};
      grow(&out.data, shape_numel(os));
      XM_TRY(run_op(n, n.op, in, in_shape, {out.data.data()}, {os}));
      out.tag = State::RECT;
      out.r = u;
      return Status::ok();
    }
    case Kind::GAP: {
      const State& q = at(b, x);
      const Shape& s = view.shapes[size_t(x)];
      const int64_t C = s[1], H = s[2], W = s[3];
      const float* bx = base[size_t(x)].data();
      const float* by = base[size_t(y)].data();
      State& out = at(b, y);
      out.tag = State::RECT;
      out.r = {0, 1, 0, 1};
      grow(&out.data, C);
      for (int64_t c = 0; c < C; ++c) {
        double d = 0;
        for (int64_t yy = q.r.y0; yy < q.r.y1; ++yy) {
          const float* br = bx + (c * H + yy) * W;
          const float* pr = q.data.data() + (c * q.r.h() + (yy - q.r.y0)) * q.r.w();
          for (int64_t xx = 0; xx < q.r.w(); ++xx) d += double(pr[xx]) - double(br[q.r.x0 + xx]);
        }
        out.data[size_t(c)] = float(double(by[c]) + d / double(H * W));
      }
      return Status::ok();
    }
    case Kind::GENERIC: {
      for (size_t j = 0; j < n.in.size(); ++j) {
        const int i = n.in[j];
        if (i < 0 || fixed(i)) continue;
        in[j] = whole(b, i, &scratch[j]);
        in_shape[j] = view.shapes[size_t(i)];
      }
      std::vector<float*> out;
      std::vector<Shape> out_shape;
      for (int o : n.out) {
        out_shape.push_back(o >= 0 ? view.shapes[size_t(o)] : Shape{});
        if (o < 0) {
          out.push_back(nullptr);
          continue;
        }
        State& so = at(b, o);
        grow(&so.data, shape_numel(view.shapes[size_t(o)]));
        out.push_back(so.data.data());
      }
      XM_TRY(run_op(n, n.op, in, in_shape, out, out_shape));
      for (int o : n.out) {
        if (o < 0) continue;
        State& so = at(b, o);
        if (is4d(o)) {
          so.tag = State::RECT;
          so.r = {0, view.shapes[size_t(o)][2], 0, view.shapes[size_t(o)][3]};
        } else {
          so.tag = State::FULL;
        }
      }
      return Status::ok();
    }
  }
  return Status::ok();
}

Status IncrementalRunner::run(const std::vector<InputPatch>& patches, Tensor* out) {
  Impl& im = *impl_;
  if (!im.ok) return Status::error("incremental inference: prepare() did not succeed");
  const EngineGraphView& v = im.view;
  const int xin = v.inputs[0], yout = v.outputs[0];
  const Shape& xs = v.shapes[size_t(xin)];
  const int64_t C = xs[1], H = xs[2], W = xs[3];
  Shape os = v.shapes[size_t(yout)];
  if (os.empty() || os[0] != 1) return Status::error("incremental inference: the first output must have the batch first");
  const int64_t per = shape_numel(os), P = int64_t(patches.size());
  os[0] = P;
  *out = Tensor(os);
  im.recomputed = 0;
  im.full_work = 0;
  double full_once = 0;
  for (size_t k = 0; k < v.nodes.size(); ++k)
    if (im.plans[k].kind == Kind::WINDOW) full_once += double(shape_numel(v.shapes[size_t(v.nodes[k].out[0])]));
  // Layer by layer over the whole batch, so windowed ops see every image at once.
  im.batch = P;
  if (im.st.size() < size_t(P) * im.nv) im.st.resize(size_t(P) * im.nv);
  for (int64_t b = 0; b < P; ++b) {
    const InputPatch& pt = patches[size_t(b)];
    if (pt.y0 < 0 || pt.x0 < 0 || pt.h < 0 || pt.w < 0 || pt.y0 + pt.h > H || pt.x0 + pt.w > W ||
        int64_t(pt.values.size()) != C * pt.h * pt.w)
      return Status::error("incremental inference: patch " + std::to_string(b) + " (" + std::to_string(pt.h) + "x" +
                           std::to_string(pt.w) + " at " + std::to_string(pt.y0) + "," + std::to_string(pt.x0) +
                           ", " + std::to_string(pt.values.size()) + " values) does not fit the image " + shape_str(xs));
    State& s0 = im.at(b, xin);
    s0.tag = pt.h > 0 && pt.w > 0 ? State::RECT : State::CLEAN;
    s0.r = {pt.y0, pt.y0 + pt.h, pt.x0, pt.x0 + pt.w};
    std::copy(pt.values.begin(), pt.values.end(), grow(&s0.data, int64_t(pt.values.size())));
    im.full_work += full_once;
  }
  for (size_t k = 0; k < v.nodes.size(); ++k) XM_TRY(im.step(k));
  for (int64_t b = 0; b < P; ++b) {
    const float* y = im.whole(b, yout, &im.scratch[0]);
    std::memcpy(out->data.data() + b * per, y, size_t(per) * 4);
  }
  return Status::ok();
}

}  // namespace xm
