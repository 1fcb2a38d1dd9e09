// A method parameter as the widget its spec asks for (ParamSpec in
// wasm/explain/explainer.h): checkbox, slider, combo, number or text field.
// Returns true when the user committed a new value (a click, a released
// slider, Enter), which re-runs the method; dragging a slider only updates the
// text until it is released.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app.h"
#include "imgui.h"

namespace xm {
namespace {

// A text field that commits on Enter or when it loses focus after an edit.
bool text_field(const char* label, std::string& value) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s", value.c_str());
  bool committed = ImGui::InputText(label, buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue);
  if (std::strcmp(buf, value.c_str()) != 0) value = buf;
  return ImGui::IsItemDeactivatedAfterEdit() || committed;
}

// INT, SIZE and SEED: a slider over the range (or 1..the image's side), else a number field.
bool integer_widget(const ParamSpec& spec, std::string& value, int image_side) {
  const bool pair = value.find('x') != std::string::npos;  // "8x6": height x width
  const bool side = spec.image_side && image_side > 1;
  if (pair) return text_field(spec.key, value);
  int v = std::atoi(value.c_str());
  if (spec.slider || side) {
    int lo = side ? 1 : int(std::ceil(spec.lo));
    int hi = side ? image_side : int(std::min(spec.hi, 1e9));
    // Sliders show a useful span; Ctrl+click types any value in the range.
    if (spec.log_scale && hi > 4096) hi = 4096;
    ImGuiSliderFlags f = spec.log_scale ? ImGuiSliderFlags_Logarithmic : 0;
    if (ImGui::SliderInt(spec.key, &v, lo, hi, "%d", f)) value = std::to_string(v);
    return ImGui::IsItemDeactivatedAfterEdit();
  }
  // Returns true for the +/- buttons at once, for typed digits on Enter.
  if (ImGui::InputInt(spec.key, &v, 1, 10, ImGuiInputTextFlags_EnterReturnsTrue)) {
    value = std::to_string(v);
    return true;
  }
  return false;
}

bool float_widget(const ParamSpec& spec, std::string& value) {
  float v = float(std::atof(value.c_str()));
  bool changed;
  if (spec.slider) {
    // A useful span around the default ("0..100" for a noise fraction of 0.15
    // would make the slider useless); Ctrl+click types any value in range.
    float hi = float(std::min(spec.hi, std::max(spec.lo + 1.0, 10.0 * std::fabs(std::atof(spec.default_value)))));
    changed = ImGui::SliderFloat(spec.key, &v, float(spec.lo), hi, "%.3g",
                                 spec.log_scale ? ImGuiSliderFlags_Logarithmic : 0);
  } else {
    changed = ImGui::DragFloat(spec.key, &v, std::max(0.001f, std::fabs(v) * 0.01f), 0, 0, "%.4g");
  }
  if (changed) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", double(v));
    value = buf;
  }
  return ImGui::IsItemDeactivatedAfterEdit();
}

}  // namespace

bool param_widget(const ParamSpec& spec, std::string& value, int image_side, float label_width) {
  ImGui::PushID(spec.key);
  ImGui::SetNextItemWidth(-label_width);
  bool committed = false;
  switch (spec.kind) {
    case ParamKind::BOOL: {
      bool b = value == "true";
      if (ImGui::Checkbox(spec.key, &b)) {
        value = b ? "true" : "false";
        committed = true;
      }
      break;
    }
    case ParamKind::CHOICE: {
      if (ImGui::BeginCombo(spec.open ? "##choice" : spec.key, value.c_str())) {
        for (auto& c : spec.choices)
          if (ImGui::Selectable(c.c_str(), c == value)) {
            value = c;
            committed = true;
          }
        ImGui::EndCombo();
      }
      if (spec.open) {
        // Values outside the list (a number, a path) are typed in.
        ImGui::SetNextItemWidth(-label_width);
        committed |= text_field(spec.key, value);
      }
      break;
    }
    case ParamKind::INT:
    case ParamKind::SIZE:
    case ParamKind::SEED: committed = integer_widget(spec, value, image_side); break;
    case ParamKind::FLOAT: committed = float_widget(spec, value); break;
    case ParamKind::TEXT: committed = text_field(spec.key, value); break;
  }
  if (spec.kind == ParamKind::SEED) {
    ImGui::SameLine();
    if (ImGui::SmallButton("new")) {
      value = std::to_string((std::atoi(value.c_str()) + 1) & 0x7fffffff);
      committed = true;
    }
  }
  ImGui::PopID();
  return committed;
}

}  // namespace xm
