// The What-if window: brushes that paint on the case (paint a grey level,
// heal = cover a lesion with its surroundings, restore = bring the original
// back), undo, and the occlusion probe's readout. The strokes themselves are
// made in the explanation view (teach_view in teach_whatif.cpp).
#include <cstdio>

#include "teach.h"

namespace xm {

void teach_window_whatif(App& a) {
  Teach& t = a.teach;
  Lab& lab = a.lab;
  ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + 40), ImGuiCond_FirstUseEver, ImVec2(0.5f, 0.0f));
  if (!ImGui::Begin("What-if", &t.show_whatif, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::End();
    return;
  }
  int tool = int(t.tool);
  ImGui::RadioButton("off", &tool, int(TeachTool::NONE));
  ImGui::SameLine();
  ImGui::RadioButton("paint (B)", &tool, int(TeachTool::PAINT));
  ImGui::SameLine();
  ImGui::RadioButton("heal (E)", &tool, int(TeachTool::HEAL));
  ImGui::SameLine();
  ImGui::RadioButton("restore (U)", &tool, int(TeachTool::RESTORE));
  ImGui::SameLine();
  ImGui::RadioButton("probe (Q)", &tool, int(TeachTool::PROBE));
  if (tool != int(t.tool)) {
    t.tool = TeachTool(tool);
    t.probe_x = t.probe_y = -1;
  }
  const float w = ImGui::GetFontSize() * 12;
  if (t.tool == TeachTool::PROBE) {
    ImGui::SetNextItemWidth(w);
    ImGui::SliderInt("square (px)", &t.probe_size, 2, 64);
    ImGui::SetNextItemWidth(w);
    ImGui::SliderFloat("fill", &t.probe_fill, 0.0f, 1.0f, "%.2f");
    const int k = a.target >= 0 ? a.target : lab.predicted();
    const auto& now = lab.probabilities();
    const auto& classes = lab.card().classes;
    const char* name = k < int(classes.size()) ? classes[size_t(k)].c_str() : "target";
    if (t.probe_x >= 0 && k < int(now.size()) && k < int(t.probe_probs.size())) {
      const double drop = double(now[size_t(k)] - t.probe_probs[size_t(k)]);
      ImGui::Text("p(%s): %.3f, with the square at (%d, %d): %.3f", name, double(now[size_t(k)]), t.probe_x, t.probe_y,
                  double(t.probe_probs[size_t(k)]));
      ImGui::PushStyleColor(ImGuiCol_PlotHistogram, drop > 0 ? ImVec4(1.0f, 0.5f, 0.2f, 1) : ImVec4(0.3f, 0.6f, 1.0f, 1));
      char b[48];
      std::snprintf(b, sizeof b, "output drop %+.3f", drop);
      ImGui::ProgressBar(float(drop < 0 ? -drop : drop), ImVec2(w * 1.6f, 0), b);
      ImGui::PopStyleColor();
    } else {
      ImGui::TextDisabled("Move the mouse over the image: the square hides what is under it.");
    }
  } else {
    ImGui::SetNextItemWidth(w);
    ImGui::SliderInt("brush radius (px)", &t.brush, 1, 24);
    if (t.tool == TeachTool::PAINT || t.tool == TeachTool::NONE) {
      ImGui::SetNextItemWidth(w);
      ImGui::SliderFloat("paint grey level", &t.paint_value, 0.0f, 1.0f, "%.2f");
    }
    ImGui::TextDisabled(t.tool == TeachTool::NONE ? "Pick a brush, then drag on the image." : "Drag on the image; the prediction follows.");
  }
  ImGui::BeginDisabled(lab.edits().empty());
  if (ImGui::Button("Undo (Z)")) {
    Status s = teach_undo(a);
    if (!s) app_report(a, s.error());
  }
  ImGui::SameLine();
  if (ImGui::Button("Clear edits")) {
    Status s = lab.set_edits(EditList{});
    if (!s) app_report(a, s.error());
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::TextDisabled("%zu stroke(s)", lab.edits().strokes.size());
  ImGui::End();
}

}  // namespace xm
