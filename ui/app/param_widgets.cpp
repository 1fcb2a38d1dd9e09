// A method parameter as the widget its kind asks for (ui/state/param_kinds.h):
// checkbox, slider, combo, number or text field. Returns true when the user
// committed a new value (a click, a released slider, Enter), which re-runs the
// method; dragging a slider only updates the text until it is released.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app.h"
#include "imgui.h"
#include "state/param_kinds.h"

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

}  // namespace

bool param_widget(const ParamSpec& spec, std::string& value, int image_side, float label_width) {
  const ParamKind k = param_kind(spec);
  ImGui::PushID(spec.key);
  ImGui::SetNextItemWidth(-label_width);
  bool committed = false;
  switch (k.type) {
    case ParamType::BOOL: {
      bool b = value == "true";
      if (ImGui::Checkbox(spec.key, &b)) {
        value = b ? "true" : "false";
        committed = true;
      }
      break;
    }
    case ParamType::CHOICE: {
      if (ImGui::BeginCombo(k.open_choice ? "##choice" : spec.key, value.c_str())) {
        for (auto& c : k.choices)
          if (ImGui::Selectable(c.c_str(), c == value)) {
            value = c;
            committed = true;
          }
        ImGui::EndCombo();
      }
      if (k.open_choice) {
        // Values outside the list (a number, a path) are typed in.
        ImGui::SetNextItemWidth(-label_width);
        committed |= text_field(spec.key, value);
      }
      break;
    }
    case ParamType::INT: {
      const bool pair = value.find('x') != std::string::npos;  // "8x6": height x width
      const bool size_like = !k.has_range && !k.is_seed && image_side > 1 &&
                             (std::strstr(spec.help, "size") || std::strstr(spec.help, "pixels") ||
                              std::strstr(spec.help, "window"));
      int v = std::atoi(value.c_str());
      if (!pair && (k.has_range || size_like)) {
        int lo = k.has_range ? int(std::ceil(k.lo)) : 1;
        int hi = k.has_range ? int(std::min(k.hi, 1e9)) : image_side;
        // Sliders show a useful span; Ctrl+click types any value in the range.
        if (k.log_scale && hi > 4096) hi = 4096;
        ImGuiSliderFlags f = k.log_scale ? ImGuiSliderFlags_Logarithmic : 0;
        if (ImGui::SliderInt(spec.key, &v, lo, hi, "%d", f)) value = std::to_string(v);
        if (ImGui::IsItemDeactivatedAfterEdit()) committed = true;
      } else if (!pair) {
        // Returns true for the +/- buttons at once, for typed digits on Enter.
        if (ImGui::InputInt(spec.key, &v, 1, 10, ImGuiInputTextFlags_EnterReturnsTrue)) {
          value = std::to_string(v);
          committed = true;
        }
      } else {
        committed = text_field(spec.key, value);
      }
      break;
    }
    case ParamType::FLOAT: {
      float v = float(std::atof(value.c_str()));
      bool changed;
      if (k.has_range) {
        // A useful span around the default ("0..100" for a noise fraction of 0.15
        // would make the slider useless); Ctrl+click types any value in range.
        float hi = float(std::min(k.hi, std::max(k.lo + 1.0, 10.0 * std::fabs(std::atof(spec.default_value)))));
        changed = ImGui::SliderFloat(spec.key, &v, float(k.lo), hi, "%.3g",
                                     k.log_scale ? ImGuiSliderFlags_Logarithmic : 0);
      } else {
        changed = ImGui::DragFloat(spec.key, &v, std::max(0.001f, std::fabs(v) * 0.01f), 0, 0, "%.4g");
      }
      if (changed) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6g", double(v));
        value = buf;
      }
      if (ImGui::IsItemDeactivatedAfterEdit()) committed = true;
      break;
    }
    case ParamType::TEXT: {
      committed = text_field(spec.key, value);
      break;
    }
  }
  if (k.is_seed) {
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
