#include "explain/method_kinds.h"

#include "explain/methods_internal.h"

namespace xm {

bool explain_method_needs_gradients(const std::string& method) {
  // Decided by the job's class, so a new method is classified by what it is.
  auto job = explainer_create(method, {});
  if (!job) return false;
  return dynamic_cast<PerturbationJob*>(job->get()) == nullptr;
}

std::string explain_method_unavailable_reason(const std::string& method, const std::string& backend_name,
                                              bool can_differentiate) {
  if (can_differentiate || !explain_method_needs_gradients(method)) return "";
  const std::string who = backend_name == "ort" ? "ONNX Runtime Web" : "the " + backend_name + " backend";
  return method + " needs gradients, which " + who +
         " cannot compute; use a perturbation method (occlusion, feature_ablation, rise, lime, kernel_shap)";
}

}  // namespace xm
