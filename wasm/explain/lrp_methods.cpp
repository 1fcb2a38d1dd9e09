// Layer-wise relevance propagation: lrp_epsilon and lrp_alpha_beta, one
// relevance query each (Backend::relevance; the rules live in engine/lrp.h).
#include <cmath>

#include "explain/methods_internal.h"

namespace xm {

namespace {

class Lrp : public Explainer {
public:
  explicit Lrp(LrpRule rule) : rule_(rule) {}

protected:
  Status on_begin(Backend&) override {
    total_units_ = 1;
    return Status::ok();
  }
  Status on_step(Backend& b) override {
    Tensor logits, rel;
    XM_TRY(b.relevance(input_, one_hot_seed(1), rule_, &logits, &rel));
    result_.stats.forward_passes += 1;
    result_.stats.backward_passes += 1;
    if (rel.shape != input_.shape)
      return Status::error(method_ + ": the backend answered relevance of shape " + shape_str(rel.shape) + ", expected " +
                           shape_str(input_.shape));
    double sum = 0;
    for (float v : rel.data) sum += v;
    const double f = logits.data[size_t(target_)];
    result_.stats.values["f_input"] = f;
    result_.stats.values["sum_relevance"] = sum;
    // Relevance lost to biases and the stabiliser: 0 for a bias-free ReLU network as epsilon -> 0.
    result_.stats.values["conservation_gap"] = sum - f;
    result_.attribution = std::move(rel);
    done_units_ = 1;
    finish();
    return Status::ok();
  }
  void fill_partial(Tensor* out) override { *out = Tensor(input_.shape); }

private:
  LrpRule rule_;
};

Result<std::unique_ptr<Explainer>> create_lrp_epsilon(const Params& p) {
  LrpRule r;
  r.kind = LrpRule::EPSILON;
  XM_TRY(p.get_double("epsilon", &r.epsilon));
  return std::unique_ptr<Explainer>(new Lrp(r));
}

Result<std::unique_ptr<Explainer>> create_lrp_alpha_beta(const Params& p) {
  LrpRule r;
  r.kind = LrpRule::ALPHA_BETA;
  XM_TRY(p.get_double("alpha", &r.alpha));
  XM_TRY(p.get_double("beta", &r.beta));
  XM_TRY(p.get_double("epsilon", &r.epsilon));
  if (std::fabs(r.alpha - r.beta - 1.0) > 1e-6)
    return p.bad("beta", "must equal alpha - 1 (alpha - beta = 1 conserves relevance; alpha is '" + p.str("alpha") +
                             "', e.g. alpha=2 beta=1)");
  return std::unique_ptr<Explainer>(new Lrp(r));
}

}  // namespace

void explain_add_lrp_methods(std::vector<MethodInfo>* out) {
  out->push_back({"lrp_epsilon",
                  "Layer-wise relevance propagation with the epsilon rule on every layer (Captum's LRP with its "
                  "default EpsilonRule): the target output's value is handed back layer by layer, each linear layer "
                  "(Conv, Gemm, MatMul, BatchNormalization, pooling, Add) giving input a the share a * W^T (R / (z + "
                  "epsilon * sign(z))) of its output relevance R; ReLU and Tanh pass relevance through; MaxPool sends "
                  "it to the window's maximum. On a ReLU network without biases the relevance sums to the target's "
                  "logit (reported as conservation_gap); on ReLU networks it tends to input x gradient as epsilon -> 0 (Ancona et al., ICLR 2018). Softmax, Sigmoid "
                  "and other ops are refused. Cost: 1 forward + 1 backward pass. Bach et al., \"On Pixel-Wise "
                  "Explanations for Non-Linear Classifier Decisions by Layer-Wise Relevance Propagation\", PLoS ONE "
                  "2015; Montavon et al., \"Layer-Wise Relevance Propagation: An Overview\", 2019.",
                  {param_float("epsilon", "1e-9", 1e-12, 1e6,
                               "stabiliser added to each layer's output (with its sign); larger "
                               "values absorb weak, contradictory relevance (Captum's default 1e-9)")
                       .with_slider()
                       .logarithmic()},
                  create_lrp_epsilon});
  out->push_back({"lrp_alpha_beta",
                  "Layer-wise relevance propagation with the alpha-beta rule on every Conv, Gemm and MatMul: relevance "
                  "flows through the positive weights (alpha times, as Captum's Alpha1_Beta0_Rule: weights clamped "
                  "at 0, bias kept) and, when beta > 0, through the negative weights (beta times, subtracted; no "
                  "bias); BatchNormalization, pooling and Add keep the epsilon rule (Captum's default for them), ReLU passes "
                  "relevance through. alpha=1 beta=0 "
                  "(the default) gives a map of evidence for the target only, non-negative on non-negative "
                  "inputs. Cost: 1 forward + 1 backward pass (plus one extra forward of each weighted layer per "
                  "sign). Bach et al., PLoS ONE 2015; Montavon et al., \"Layer-Wise Relevance Propagation: An "
                  "Overview\", 2019.",
                  {param_float("alpha", "1", 1, 1e6, "weight of positive contributions; alpha - beta must be 1"),
                   param_float("beta", "0", 0, 1e6, "weight of negative contributions"),
                   param_float("epsilon", "1e-9", 1e-12, 1e6, "stabiliser of each layer's denominators")
                       .with_slider()
                       .logarithmic()},
                  create_lrp_alpha_beta});
}

}  // namespace xm
