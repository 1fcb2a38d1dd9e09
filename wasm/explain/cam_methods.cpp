// The Grad-CAM family: grad_cam, grad_cam_pp, guided_grad_cam. One layer query
// (activation and gradient at a 4-D tensor) gives channel weights; the weighted
// sum of activation maps is upsampled to the input.
#include <algorithm>
#include <cmath>

#include "explain/explain_ops.h"
#include "explain/methods_internal.h"

namespace xm {

namespace {

enum class CamKind { GRAD_CAM, GRAD_CAM_PP, GUIDED_GRAD_CAM };

class GradCam : public Explainer {
public:
  GradCam(CamKind kind, std::string layer, bool relu, bool nearest)
      : kind_(kind), layer_(std::move(layer)), relu_(relu), nearest_(nearest) {}

protected:
  Status on_begin(Backend& b) override {
    const BackendInfo& info = b.info();
    if (layer_ != "auto" && std::find(info.layers_4d.begin(), info.layers_4d.end(), layer_) == info.layers_4d.end()) {
      std::string names;
      for (auto& n : info.layers_4d) names += (names.empty() ? "" : ", ") + n;
      return Status::error(method_ + ": unknown layer '" + layer_ + "': not a 4-D tensor on the way to the output" +
                           (names.empty() ? std::string(" (this model has none)") : "; choose one of: " + names));
    }
    if (layer_ == "auto" && info.layers_4d.empty())
      return Status::error(method_ + ": the model has no 4-D tensor on the way to the output (layer=auto)");
    total_units_ = kind_ == CamKind::GUIDED_GRAD_CAM ? 2 : 1;
    return Status::ok();
  }

  Status on_step(Backend& b) override {
    if (done_units_ == 0) {
      XM_TRY(query_layer(b));
      done_units_ = 1;
      if (kind_ != CamKind::GUIDED_GRAD_CAM) {
        result_.attribution = cam_;
        finish();
      }
      return Status::ok();
    }
    // Guided Grad-CAM: guided backpropagation times the upsampled map, per channel.
    Tensor logits, grad;
    b.set_relu_rule(ReluRule::GUIDED);
    Status s = query_gradient(b, input_, &logits, &grad);
    b.set_relu_rule(ReluRule::GRADIENT);
    XM_TRY(s);
    const int64_t hw = H_ * W_;
    for (int64_t c = 0; c < C_; ++c)
      for (int64_t i = 0; i < hw; ++i) grad.data[size_t(c * hw + i)] *= cam_.data[size_t(i)];
    result_.attribution = std::move(grad);
    done_units_ = 2;
    finish();
    return Status::ok();
  }

  void fill_partial(Tensor* out) override { *out = cam_.numel() ? cam_ : Tensor({1, 1, H_, W_}); }

private:
  Status query_layer(Backend& b) {
    const BackendInfo& info = b.info();
    LayerAnswer la;
    std::vector<std::string> tries;
    if (layer_ == "auto") {
      // Shapes known statically: skip the 1x1 maps here rather than with a pass each.
      const bool known = info.layers_4d_shapes.size() == info.layers_4d.size();
      for (size_t k = info.layers_4d.size(); k-- > 0;) {
        const Shape* s = known ? &info.layers_4d_shapes[k] : nullptr;
        if (s && s->size() == 4 && (*s)[2] * (*s)[3] <= 1) continue;
        tries.push_back(info.layers_4d[k]);
      }
    } else {
      tries.push_back(layer_);
    }
    bool found = false;
    for (auto& name : tries) {
      XM_TRY(b.layer(name, input_, one_hot_seed(1), &la));
      result_.stats.forward_passes += 1;
      result_.stats.backward_passes += 1;
      if (la.activation.rank() != 4 || la.gradient.shape != la.activation.shape || la.activation.dim(0) != 1)
        return Status::error(method_ + ": layer '" + name + "' answered " + shape_str(la.activation.shape) +
                             ", not a 4-D activation of one image");
      // auto: the last 4-D tensor with a spatial size above 1x1 (a pooled 1x1 map has no "where").
      if (layer_ == "auto" && la.activation.dim(2) * la.activation.dim(3) <= 1) continue;
      result_.stats.layer = name;
      found = true;
      break;
    }
    if (!found) return Status::error(method_ + ": layer=auto found no 4-D tensor larger than 1x1");
    const int64_t K = la.activation.dim(1), h = la.activation.dim(2), w = la.activation.dim(3), hw = h * w;
    const float* A = la.activation.ptr();
    const float* G = la.gradient.ptr();
    std::vector<double> weight(size_t(K), 0.0);
    if (kind_ == CamKind::GRAD_CAM_PP) {
      // Chattopadhay et al. 2018, eq. 19 with the exponential-output simplification:
      // alpha = g² / (2 g² + Σ_ij A · g³), weight = Σ_ij alpha · relu(g).
      for (int64_t k = 0; k < K; ++k) {
        double sum_a = 0;
        for (int64_t i = 0; i < hw; ++i) sum_a += A[k * hw + i];
        double wk = 0;
        for (int64_t i = 0; i < hw; ++i) {
          const double g = G[k * hw + i], g2 = g * g, g3 = g2 * g;
          const double denom = 2 * g2 + sum_a * g3;
          const double alpha = g != 0 && denom != 0 ? g2 / denom : 0.0;
          wk += alpha * std::max(0.0, g);
        }
        weight[size_t(k)] = wk;
      }
    } else {
      // Captum's LayerGradCam: the spatial mean of the gradient.
      for (int64_t k = 0; k < K; ++k) {
        double s = 0;
        for (int64_t i = 0; i < hw; ++i) s += G[k * hw + i];
        weight[size_t(k)] = s / double(hw);
      }
    }
    std::vector<float> small(size_t(hw), 0.0f);
    for (int64_t i = 0; i < hw; ++i) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k) s += weight[size_t(k)] * A[k * hw + i];
      small[size_t(i)] = float(relu_ ? std::max(0.0, s) : s);
    }
    cam_ = Tensor({1, 1, H_, W_});
    if (nearest_) resize_nearest(small.data(), h, w, cam_.ptr(), H_, W_);
    else resize_bilinear(small.data(), h, w, cam_.ptr(), H_, W_);
    result_.stats.values["layer_h"] = double(h);
    result_.stats.values["layer_w"] = double(w);
    result_.stats.values["f_input"] = la.logits.numel() ? la.logits.data[size_t(target_)] : 0.0;
    return Status::ok();
  }

  CamKind kind_;
  std::string layer_;
  bool relu_, nearest_;
  Tensor cam_;
};

Result<std::unique_ptr<Explainer>> create_cam(const Params& p, CamKind kind) {
  bool relu = true;
  std::string up;
  XM_TRY(p.get_bool("relu", &relu));
  // Listed in one order for every CAM method's message, whichever its default (the spec lists the default first).
  XM_TRY(p.get_choice("upsample", {"bilinear", "nearest"}, &up));
  if (p.str("layer").empty()) return p.bad("layer", "must be a tensor name or auto");
  return std::unique_ptr<Explainer>(new GradCam(kind, p.str("layer"), relu, up == "nearest"));
}

}  // namespace

void explain_add_cam_methods(std::vector<MethodInfo>* out) {
  const char* layer_help = "an ONNX tensor name, or auto = the last 4-D tensor larger than 1x1 on the way to the output";
  const char* relu_help = "ReLU on the map at the layer's resolution (the paper; Captum's relu_attributions defaults to false)";
  out->push_back({"grad_cam",
                  "Channel weights = the spatial mean of the target's gradient at a layer; the map = sum over "
                  "channels of weight times activation, then ReLU, then upsampled to the input as "
                  "F.interpolate(mode='bilinear', align_corners=False) (Captum's LayerGradCam followed by "
                  "LayerAttribution.interpolate). Result [1,1,H,W]. Cost: 1 forward + 1 backward pass (layer=auto "
                  "on a backend that does not report layer shapes may try 1x1 layers first). Selvaraju et al., \"Grad-CAM\", ICCV 2017.",
                  {param_text("layer", "auto", layer_help), param_bool("relu", "true", relu_help),
                   param_choice("upsample", "bilinear", {"bilinear", "nearest"}, "upsampling to the input; bilinear with align_corners=False")},
                  [](const Params& p) { return create_cam(p, CamKind::GRAD_CAM); }});
  out->push_back({"grad_cam_pp",
                  "Grad-CAM++: channel weights = sum over positions of alpha * ReLU(gradient) with alpha = g² / "
                  "(2g² + sum(A)·g³) (the paper's closed form for an exponential output), then as grad_cam. Not in "
                  "Captum; follows the paper and the widely used pytorch-grad-cam formula. Result [1,1,H,W]. Cost: "
                  "1 forward + 1 backward pass. Chattopadhay et al., \"Grad-CAM++\", WACV 2018.",
                  {param_text("layer", "auto", layer_help), param_bool("relu", "true", relu_help),
                   param_choice("upsample", "bilinear", {"bilinear", "nearest"}, "upsampling to the input; bilinear with align_corners=False")},
                  [](const Params& p) { return create_cam(p, CamKind::GRAD_CAM_PP); }});
  out->push_back({"guided_grad_cam",
                  "Guided backpropagation times the upsampled Grad-CAM map, element by element (Captum's "
                  "GuidedGradCam, whose upsampling defaults to nearest). Result [1,C,H,W]. Cost: 2 forward + 2 "
                  "backward passes. Selvaraju et al., \"Grad-CAM\", ICCV 2017.",
                  {param_text("layer", "auto", layer_help), param_bool("relu", "true", relu_help),
                   param_choice("upsample", "nearest", {"nearest", "bilinear"},
                                "upsampling to the input; nearest is Captum's GuidedGradCam default")},
                  [](const Params& p) { return create_cam(p, CamKind::GUIDED_GRAD_CAM); }});
}

}  // namespace xm
