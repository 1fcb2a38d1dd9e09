// What-if strokes on the case (paint, heal, restore; ui/state/edits.h) and the
// explanation view's hook: the brush and the occlusion probe under the mouse.
// The What-if window itself is panel_whatif.cpp.
#include <cmath>
#include <cstdio>

#include "teach.h"

namespace xm {

Status teach_paint(App& a, EditMode mode, int x, int y, int radius, float value) {
  EditList e = a.lab.edits();
  e.strokes.push_back({mode, radius, value, {{x, y}}});
  return a.lab.set_edits(e);
}

Status teach_undo(App& a) {
  EditList e = a.lab.edits();
  if (e.strokes.empty()) return Status::error("nothing to undo");
  e.strokes.pop_back();
  return a.lab.set_edits(e);
}

bool teach_tool_active(const App& a) { return a.teach.tool != TeachTool::NONE; }

bool teach_view(App& a, ImVec2 c0, float side, ImVec2 uv0, ImVec2 uv1) {
  Teach& t = a.teach;
  t.view_x = c0.x;
  t.view_y = c0.y;
  t.view_side = side;
  if (t.tool == TeachTool::NONE) return false;
  Lab& lab = a.lab;
  const Tensor& img = lab.image01();
  if (img.rank() != 4) return false;
  const int W = int(img.dim(3)), H = int(img.dim(2));
  ImGuiIO& io = ImGui::GetIO();
  const float du = uv1.x - uv0.x, dv = uv1.y - uv0.y;
  const float u = uv0.x + (io.MousePos.x - c0.x) / side * du, v = uv0.y + (io.MousePos.y - c0.y) / side * dv;
  const int px = int(std::floor(u * float(W))), py = int(std::floor(v * float(H)));
  const float per_px = side / (du * float(W));  // screen pixels per image pixel
  const bool hovered = ImGui::IsItemHovered(), active = ImGui::IsItemActive();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  auto to_screen = [&](float ix, float iy) {
    return ImVec2(c0.x + (ix / float(W) - uv0.x) / du * side, c0.y + (iy / float(H) - uv0.y) / dv * side);
  };
  if (t.tool == TeachTool::PROBE) {
    if (!hovered || !lab.has_model()) {
      t.probe_x = t.probe_y = -1;
      return true;
    }
    // One forward pass when the square moves or the case changes, never more than one a frame.
    if (px != t.probe_x || py != t.probe_y || t.probe_version != lab.image_version()) {
      std::vector<float> p;
      Status s = lab.probe_occlusion(px, py, t.probe_size, t.probe_fill, &p);
      if (s) t.probe_probs = p;
      t.probe_x = px;
      t.probe_y = py;
      t.probe_version = lab.image_version();
    }
    const float h = float(t.probe_size) * 0.5f;
    ImVec2 q0 = to_screen(float(px) - std::floor(h), float(py) - std::floor(h));
    ImVec2 q1 = to_screen(float(px) - std::floor(h) + float(t.probe_size), float(py) - std::floor(h) + float(t.probe_size));
    const uint8_t fill = uint8_t(std::lround(t.probe_fill * 255));
    dl->AddRectFilled(q0, q1, IM_COL32(fill, fill, fill, 230));
    dl->AddRect(q0, q1, IM_COL32(255, 220, 0, 255), 0, 0, 2.0f);
    const auto& now = lab.probabilities();
    const int k = a.target >= 0 ? a.target : lab.predicted();
    if (k < int(now.size()) && k < int(t.probe_probs.size())) {
      char b[64];
      std::snprintf(b, sizeof b, "drop %+.3f", double(now[size_t(k)] - t.probe_probs[size_t(k)]));
      dl->AddText(ImVec2(q1.x + 4, q0.y), IM_COL32(255, 220, 0, 255), b);
    }
    return true;
  }
  if (hovered || t.stroking)
    dl->AddCircle(io.MousePos, float(t.brush) * per_px, t.tool == TeachTool::PAINT ? IM_COL32(255, 255, 255, 230) : IM_COL32(120, 255, 160, 230), 32, 2.0f);
  const EditMode mode = t.tool == TeachTool::PAINT ? EditMode::PAINT : t.tool == TeachTool::HEAL ? EditMode::HEAL : EditMode::RESTORE;
  if (active && io.MouseDown[0]) {
    bool changed = false;
    if (!t.stroking) {
      t.stroking = true;
      t.before_stroke = lab.edits();
      t.stroke = EditStroke{mode, t.brush, t.paint_value, {{px, py}}};
      changed = true;
    } else if ((t.stroke.points.back().x != px || t.stroke.points.back().y != py) && t.stroke.points.size() < EDIT_MAX_POINTS / 4) {
      t.stroke.points.push_back({px, py});
      changed = true;
    }
    if (changed) {
      EditList e = t.before_stroke;
      e.strokes.push_back(t.stroke);
      Status s = lab.set_edits(e);
      if (!s) {
        app_report(a, s.error());
        t.stroking = false;
      }
    }
  } else {
    t.stroking = false;
  }
  return true;
}

}  // namespace xm
