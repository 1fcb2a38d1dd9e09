// Which methods a logits-only backend (ONNX Runtime Web) can serve: the
// perturbation family (occlusion, feature_ablation, rise, lime, kernel_shap)
// needs only outputs; everything else needs input or layer gradients.
//
//   if (explain_method_needs_gradients("grad_cam") && !backend.info().can_differentiate) ...
#pragma once
#include <string>

namespace xm {

// False for an unknown method (explainer_create reports that one).
bool explain_method_needs_gradients(const std::string& method);
// The user-facing reason a method cannot run on `backend_name`, or "" when it can.
std::string explain_method_unavailable_reason(const std::string& method, const std::string& backend_name,
                                              bool can_differentiate);

}  // namespace xm
