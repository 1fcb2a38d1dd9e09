// [SECTION] model panel: backend  [SECTION] method list  [SECTION] test API
#include "panel_backend.h"

#include <cstdio>

#include "explain/explainer.h"
#include "imgui.h"

namespace xm {

// [SECTION] model panel: backend

void panel_backend(App& a) {
  Lab& lab = a.lab;
  if (!lab.has_model()) return;
  ImGui::Separator();
  const bool ort = lab.backend_name() == "ort";
  ImGui::Text("Backend: %s", ort ? "ONNX Runtime Web" : "xMedIA engine (native)");
  if (lab.native_available() && lab.ort_available()) {
    int which = ort ? 1 : 0;
    bool changed = ImGui::RadioButton("engine", &which, 0);
    ImGui::SameLine();
    changed |= ImGui::RadioButton("ONNX Runtime Web", &which, 1);
    if (changed) {
      Status s = lab.set_backend(which ? "ort" : "native");
      if (!s) app_report(a, s.error());
    }
  }
  if (!lab.backend_note().empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.8f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", lab.backend_note().c_str());
    ImGui::PopStyleColor();
  }
  if (lab.prediction_pending()) ImGui::TextDisabled("waiting for ONNX Runtime Web...");
  if (!lab.native_available() || !lab.ort_available()) return;
  // Parity: both backends on the current input.
  ImGui::BeginDisabled(lab.parity().running);
  if (ImGui::Button("Compare backends")) {
    Status s = lab.start_parity();
    if (!s) app_report(a, s.error());
  }
  ImGui::EndDisabled();
  const LabParity& p = lab.parity();
  ImGui::SameLine();
  if (p.running) ImGui::TextDisabled("running...");
  else if (p.valid) ImGui::Text("max |diff| %.2e (%.2e relative)", p.max_abs, p.max_rel);
  else if (!p.error.empty()) ImGui::TextDisabled("%s", p.error.c_str());
  if (ImGui::IsItemHovered() && p.valid) {
    ImGui::BeginTooltip();
    for (size_t k = 0; k < p.native.size() && k < 16; ++k)
      ImGui::Text("output %zu: engine %.6g, ORT %.6g", k, double(p.native[k]), double(p.ort[k]));
    ImGui::EndTooltip();
  }
}

// [SECTION] method list

bool method_selectable(App& a, const char* method) {
  const std::string why = a.lab.method_unavailable(method);
  if (why.empty()) return ImGui::Selectable(method, a.method == method);
  ImGui::BeginDisabled();
  ImGui::Selectable((std::string(method) + " (needs gradients)").c_str(), false);
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", why.c_str());
  return false;
}

}  // namespace xm

// The test API's backend calls (exported by name, see ui/CMakeLists.txt); "" or the user-facing message.
extern "C" {

const char* xm_api_set_backend(const char* which) {
  xm::App& a = xm::app();
  return xm::app_api_status(a, a.lab.set_backend(which));
}

const char* xm_api_parity() {
  xm::App& a = xm::app();
  return xm::app_api_status(a, a.lab.start_parity(), false);
}

}
