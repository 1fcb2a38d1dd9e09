#include "engine/engine_backend.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "backend/pending.h"
#include "engine/engine.h"
#include "engine/lrp.h"
#include "engine/incremental.h"

namespace xm {

namespace {

// Arena bytes a gradient chunk aims at (at least one image).
constexpr size_t GRADIENT_CHUNK_BYTES = size_t(4) << 20;

class NativeBackend : public Backend {
public:
  NativeBackend(std::unique_ptr<Engine> e) : engine_(std::move(e)) {}

  Status init(const std::string& name) {
    const EngineSummary& s = engine_->summary();
    info_.name = "native";
    info_.can_differentiate = true;
    if (s.inputs.size() != 1)
      return Status::error(name + ": the model has " + std::to_string(s.inputs.size()) + " inputs; one image input is needed");
    const Shape& d = s.inputs[0].dims;
    if (d.size() < 2) return Status::error(name + ": the input must have a batch dimension and more, got " + shape_str(d));
    for (size_t k = 1; k < d.size(); ++k)
      if (d[k] < 1) return Status::error(name + ": input dimension " + std::to_string(k) + " is not fixed (" + shape_str(d) + ")");
    fixed_batch_ = d[0] >= 1 ? d[0] : 0;
    if (fixed_batch_ > 1) return Status::error(name + ": the input's batch is fixed at " + std::to_string(d[0]) + "; export with batch 1 or dynamic");
    per_image_ = d;
    per_image_[0] = 1;
    info_.input_shape = per_image_;
    std::vector<std::pair<std::string, Shape>> shapes;
    XM_TRY(engine_->tensor_shapes({per_image_}, &shapes));
    for (auto& kv : shapes)
      if (kv.second.size() == 4 && kv.first != s.inputs[0].name) {
        info_.layers_4d.push_back(kv.first);
        info_.layers_4d_shapes.push_back(kv.second);
      }
    // The first output's shape for one image, from shape inference when it is
    // a computed tensor (a pass in the browser's baseline code costs tens of
    // milliseconds at start-up), else from a pass on a zero image.
    for (auto& kv : shapes)
      if (kv.first == s.outputs[0].name) out_shape1_ = kv.second;
    if (out_shape1_.empty()) {
      Tensor probe(per_image_);
      RunRequest req;
      req.inputs = {&probe};
      RunResult res;
      XM_TRY(engine_->run(req, &res));
      out_shape1_ = res.outputs[0].shape;
    }
    if (out_shape1_.empty() || out_shape1_[0] != 1)
      return Status::error(name + ": the first output must have the batch first, got " + shape_str(out_shape1_));
    info_.num_outputs = int(shape_numel(out_shape1_));
    // Memory per image, with and without gradients, sets the split sizes.
    auto fwd = engine_->plan_bytes({per_image_}, false);
    auto bwd = engine_->plan_bytes({per_image_}, true);
    if (!fwd) return fwd.status();
    if (!bwd) return bwd.status();
    max_fwd_ = fixed_batch_ ? 1 : int(std::clamp<size_t>(NATIVE_BACKEND_MEMORY_BOUND / std::max<size_t>(*fwd, 1), 1, 256));
    max_bwd_ = fixed_batch_ ? 1 : int(std::clamp<size_t>(NATIVE_BACKEND_MEMORY_BOUND / std::max<size_t>(*bwd, 1), 1, 64));
    // A gradient pass keeps every activation until its backward: a big batch
    // streams them all through memory and runs ~2x slower per image (bench_cnn:
    // batch 32 vs 1, natively and as wasm), so gradient batches go in chunks
    // whose arena stays cache-sized.
    grad_chunk_ = int(std::clamp<size_t>(GRADIENT_CHUNK_BYTES / std::max<size_t>(*bwd, 1), 1, size_t(max_bwd_)));
    info_.max_batch = max_fwd_;
    engine_->release_memory();
    return Status::ok();
  }

  const BackendInfo& info() const override { return info_; }

  Status logits(const Tensor& batch, Tensor* logits) override {
    int64_t B = 0;
    XM_TRY(check_batch(batch, &B));
    *logits = Tensor({B, int64_t(info_.num_outputs)});
    for (int64_t b0 = 0; b0 < B; b0 += max_fwd_) {
      int64_t nb = std::min<int64_t>(max_fwd_, B - b0);
      const Tensor* in = slice(batch, b0, nb, &chunk_);
      RunRequest req;
      req.inputs = {in};
      XM_TRY(engine_->run(req, &res_));
      std::memcpy(logits->data.data() + b0 * info_.num_outputs, res_.outputs[0].data.data(), size_t(nb * info_.num_outputs) * 4);
    }
    return Status::ok();
  }

  Status input_gradient(const Tensor& batch, const Tensor& seed, Tensor* logits, Tensor* grad) override {
    return gradients(batch, seed, nullptr, logits, grad, nullptr);
  }

  Status layer(const std::string& name, const Tensor& batch, const Tensor& seed, LayerAnswer* out) override {
    return gradients(batch, seed, &name, &out->logits, nullptr, out);
  }

  // Incremental inference when the graph allows it (engine/incremental.h); the
  // base's activations are kept between calls for the same base image.
  // XMEDIA_NO_INCREMENTAL forces full passes (for benchmarks and bisecting).
  Status logits_patched(const Tensor& base, const std::vector<InputPatch>& patches, Tensor* out) override {
    const bool same_shape = base.shape == per_image_ && int64_t(base.data.size()) == shape_numel(base.shape);
    if (same_shape && !patches.empty() && !std::getenv("XMEDIA_NO_INCREMENTAL")) {
      if (!inc_.prepared_for(*engine_, base) && !(inc_failed_.shape == base.shape && inc_failed_.data == base.data)) {
        bool done = false;
        if (!inc_.prepare(*engine_, base, slice_ms_, &done)) inc_failed_ = base;
        else if (!done) return backend_pending();  // the base pass goes on at the next call
      }
      if (inc_.prepared_for(*engine_, base) && inc_.worthwhile()) return inc_.run(patches, out);
    }
    return Backend::logits_patched(base, patches, out);
  }

  // LRP (engine/lrp.h), in chunks of the gradient batch size.
  Status relevance(const Tensor& batch, const Tensor& seed, const LrpRule& rule, Tensor* logits, Tensor* rel) override {
    int64_t B = 0;
    XM_TRY(check_batch(batch, &B));
    const int64_t K = info_.num_outputs;
    if (seed.shape != Shape{B, K} || int64_t(seed.data.size()) != B * K)
      return Status::error("native backend: the seed must have shape " + shape_str({B, K}) + ", got " + shape_str(seed.shape));
    *logits = Tensor({B, K});
    *rel = Tensor(batch.shape);
    const size_t per = batch.data.size() / size_t(B);
    for (int64_t b0 = 0; b0 < B; b0 += max_bwd_) {
      const int64_t nb = std::min<int64_t>(max_bwd_, B - b0);
      const Tensor* in = slice(batch, b0, nb, &chunk_);
      const Tensor* sd = slice(seed, b0, nb, &seed_chunk_);
      Tensor l, r;
      XM_TRY(engine_lrp(*engine_, *in, *sd, rule, &l, &r, &lrp_scratch_));
      std::memcpy(logits->data.data() + b0 * K, l.data.data(), size_t(nb * K) * 4);
      std::memcpy(rel->data.data() + per * size_t(b0), r.data.data(), per * size_t(nb) * 4);
    }
    return Status::ok();
  }

  void set_time_slice(double ms) override { slice_ms_ = ms; }
  void set_relu_rule(ReluRule rule) override { engine_->set_relu_rule(rule); }
  void set_threads(int n) override { engine_->set_threads(n); }

private:
  Status check_batch(const Tensor& batch, int64_t* B) const {
    if (batch.shape.size() != per_image_.size() || batch.shape.empty() || batch.shape[0] < 1)
      return Status::error("native backend: the batch must have shape " + shape_str(per_image_) + " with any batch size, got " + shape_str(batch.shape));
    for (size_t k = 1; k < per_image_.size(); ++k)
      if (batch.shape[k] != per_image_[k])
        return Status::error("native backend: the batch must have shape " + shape_str(per_image_) + " with any batch size, got " + shape_str(batch.shape));
    if (int64_t(batch.data.size()) != shape_numel(batch.shape)) return Status::error("native backend: malformed batch tensor");
    *B = batch.shape[0];
    return Status::ok();
  }

  // Rows [b0, b0+n) of t: t itself when it is the whole, else a copy in `buf` (reused between calls).
  static const Tensor* slice(const Tensor& t, int64_t b0, int64_t n, Tensor* buf) {
    if (b0 == 0 && n == t.shape[0]) return &t;
    const size_t per = t.data.size() / size_t(t.shape[0]);
    buf->shape = t.shape;
    buf->shape[0] = n;
    buf->data.resize(per * size_t(n));
    std::memcpy(buf->data.data(), t.data.data() + per * size_t(b0), per * size_t(n) * 4);
    return buf;
  }

  Status gradients(const Tensor& batch, const Tensor& seed, const std::string* layer_name, Tensor* logits, Tensor* grad,
                   LayerAnswer* la) {
    int64_t B = 0;
    XM_TRY(check_batch(batch, &B));
    const int64_t K = info_.num_outputs;
    if (seed.shape != Shape{B, K} || int64_t(seed.data.size()) != B * K)
      return Status::error("native backend: the seed must have shape " + shape_str({B, K}) + ", got " + shape_str(seed.shape));
    *logits = Tensor({B, K});
    if (grad) *grad = Tensor(batch.shape);
    for (int64_t b0 = 0; b0 < B; b0 += grad_chunk_) {
      int64_t nb = std::min<int64_t>(grad_chunk_, B - b0);
      const Tensor* in = slice(batch, b0, nb, &chunk_);
      const Tensor* sd = slice(seed, b0, nb, &seed_chunk_);
      // The model's output may be [B,K,1,1] etc.: the seed takes its shape.
      RunRequest req;
      req.inputs = {in};
      seed_shaped_.shape = out_shape(nb);
      seed_shaped_.data = sd->data;
      std::vector<const Tensor*> seeds(engine_->summary().outputs.size(), nullptr);
      seeds[0] = &seed_shaped_;
      req.seeds = seeds;
      if (layer_name) req.capture = {*layer_name};
      req.input_grads = grad != nullptr;  // a layer query stops its backward at the layer
      XM_TRY(engine_->run(req, &res_));
      std::memcpy(logits->data.data() + b0 * K, res_.outputs[0].data.data(), size_t(nb * K) * 4);
      if (grad) {
        const size_t per = batch.data.size() / size_t(B);
        std::memcpy(grad->data.data() + per * size_t(b0), res_.input_grads[0].data.data(), per * size_t(nb) * 4);
      }
      if (la) {
        const Captured& c = res_.captured[0];
        if (c.activation.shape.empty() || c.activation.shape[0] != nb)
          return Status::error("native backend: tensor '" + *layer_name + "' has no batch dimension (" + shape_str(c.activation.shape) + ")");
        if (b0 == 0) {
          Shape s = c.activation.shape;
          s[0] = B;
          la->activation = Tensor(s);
          la->gradient = Tensor(s);
        }
        const size_t per = c.activation.data.size() / size_t(nb);
        std::memcpy(la->activation.data.data() + per * size_t(b0), c.activation.data.data(), per * size_t(nb) * 4);
        std::memcpy(la->gradient.data.data() + per * size_t(b0), c.gradient.data.data(), per * size_t(nb) * 4);
      }
    }
    if (la && logits != &la->logits) la->logits = *logits;
    return Status::ok();
  }

  Shape out_shape(int64_t nb) {
    Shape s = out_shape1_;
    if (s.empty()) {
      // Learn the first output's shape for one image once.
      Tensor probe(per_image_);
      RunRequest req;
      req.inputs = {&probe};
      RunResult r;
      if (engine_->run(req, &r)) out_shape1_ = r.outputs[0].shape;
      s = out_shape1_;
    }
    s[0] = nb;
    return s;
  }

  std::unique_ptr<Engine> engine_;
  BackendInfo info_;
  Shape per_image_, out_shape1_;
  int64_t fixed_batch_ = 0;
  int max_fwd_ = 64, max_bwd_ = 16, grad_chunk_ = 1;
  Tensor chunk_, seed_chunk_, seed_shaped_;
  RunResult res_;
  LrpScratch lrp_scratch_;
  IncrementalRunner inc_;
  Tensor inc_failed_;  // the base whose incremental preparation failed (not retried)
  double slice_ms_ = 0;  // set_time_slice: 0 = the base pass in one call
};

}  // namespace

Result<std::unique_ptr<Backend>> native_backend_from_engine(std::unique_ptr<Engine> engine, const std::string& name) {
  auto b = std::make_unique<NativeBackend>(std::move(engine));
  XM_TRY(b->init(name));
  return std::unique_ptr<Backend>(std::move(b));
}

Result<std::unique_ptr<Backend>> native_backend_from_file(const std::string& path) {
  auto e = Engine::load_file(path);
  if (!e) return e.status();
  return native_backend_from_engine(e.take(), path);
}

Result<std::unique_ptr<Backend>> native_backend_from_bytes(const uint8_t* data, size_t size, const std::string& name) {
  auto e = Engine::load_bytes(data, size, name);
  if (!e) return e.status();
  return native_backend_from_engine(e.take(), name);
}

}  // namespace xm
