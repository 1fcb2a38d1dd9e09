// The evaluation window (see panel_evaluate.h).
#include "panel_evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"

namespace xm {

namespace {

// The least-relevant-first companions the report adds beside deletion, insertion and ROAD.
const char* lerf_meaning(const std::string& name) {
  if (name == "deletion_lerf_auc") return "area as the least relevant pixels are deleted first (higher = faithful)";
  if (name == "insertion_lerf_auc") return "area as the least relevant pixels are put back first (lower = faithful)";
  if (name == "road_lerf") return "mean class probability after imputing the least relevant 10..90% (higher = faithful)";
  return "";
}

float scale_of(const App& a) { return float(a.dpr) * a.ui_scale; }

std::vector<std::string> default_metrics(bool with_ms) {
  std::vector<std::string> m;
  for (auto& info : eval_metrics())
    if (with_ms || std::string(info.name) != "max_sensitivity") m.push_back(info.name);
  return m;
}

void plot_curve(const EvalReport& r, const char* name, const char* label, float w, float h) {
  for (auto& c : r.curves) {
    if (c.name != name) continue;
    std::vector<float> y(c.y.begin(), c.y.end());
    char overlay[64];
    double area = 0;
    for (size_t i = 1; i < c.x.size(); ++i) area += 0.5 * (c.x[i] - c.x[i - 1]) * (c.y[i] + c.y[i - 1]);
    std::snprintf(overlay, sizeof overlay, "%s  (area %.3f)", label, area);
    ImGui::PlotLines(("##" + c.name).c_str(), y.data(), int(y.size()), 0, overlay, 0.0f, 1.0f, ImVec2(w, h));
  }
}

}  // namespace

void evaluation_tick(App& a, double budget_ms) {
  LabEvaluation& ev = a.eval.ev;
  if (!ev.busy()) return;
  ev.tick(budget_ms);
  if (!ev.busy() && !ev.error().empty() && ev.error() != "cancelled") app_report(a, "Evaluate: " + ev.error());
}

Status evaluation_start(App& a, const std::vector<std::string>& metrics, bool sanity) {
  Status s = a.eval.ev.start(a.lab, metrics, sanity);
  if (!s) app_report(a, s.error());
  return s;
}

void window_evaluate(App& a) {
  EvalUi& u = a.eval;
  LabEvaluation& ev = u.ev;
  const float s = scale_of(a);
  ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f), ImGuiCond_Appearing,
                          ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(vp->Size.x * 0.8f, vp->Size.y * 0.85f), ImGuiCond_Appearing);
  if (!ImGui::Begin("Evaluate explanation", &u.open)) {
    ImGui::End();
    return;
  }
  const LabRun* run = a.lab.last_run();
  if (run)
    ImGui::Text("Map: %s for class %d on %s", run->method.c_str(), run->target, a.lab.model_name().c_str());
  else
    ImGui::TextDisabled("Explain the case first: the evaluation scores the map on screen.");
  ImGui::BeginDisabled(ev.busy() || !run || a.lab.busy());
  if (ImGui::Button("Evaluate")) evaluation_start(a, default_metrics(u.with_max_sensitivity), false);
  ImGui::SameLine();
  if (ImGui::Button("Sanity check")) evaluation_start(a, {}, true);
  ImGui::SameLine();
  if (ImGui::Button("Both")) evaluation_start(a, default_metrics(u.with_max_sensitivity), true);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::Checkbox("max-sensitivity", &u.with_max_sensitivity);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Re-runs the method 10 times on noisy inputs (slow for LIME, SHAP, occlusion).");
  if (ev.busy()) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ev.cancel();
    ImGui::ProgressBar(ev.progress(), ImVec2(-1, 0), ev.current().c_str());
  } else if (!ev.error().empty()) {
    ImGui::TextColored(ImVec4(1.0f, 0.55f, 0.45f, 1.0f), "%s", ev.error().c_str());
  }
  if (ev.has_report() && (ev.method() != (run ? run->method : "")))
    ImGui::TextDisabled("(results below are for %s)", ev.method().c_str());

  if (ev.has_report()) {
    const EvalReport& r = ev.report();
    ImGui::Separator();
    ImGui::TextUnformatted("Scores");
    if (ImGui::BeginTable("scores", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn("metric", ImGuiTableColumnFlags_WidthFixed, 190 * s);
      ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthFixed, 80 * s);
      ImGui::TableSetupColumn("what it says");
      for (auto& sc : r.scores) {
        const EvalMetricInfo* info = eval_find_metric(sc.name);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(sc.name.c_str());
        if (info && ImGui::IsItemHovered()) ImGui::SetTooltip("follows %s", info->follows);
        ImGui::TableNextColumn();
        if (std::isfinite(sc.value)) ImGui::Text("%.3f", sc.value);
        else ImGui::TextDisabled("n/a");
        ImGui::TableNextColumn();
        if (!sc.note.empty()) ImGui::TextDisabled("%s", sc.note.c_str());
        else if (info) ImGui::TextWrapped("%s", info->meaning);
        else ImGui::TextWrapped("%s", lerf_meaning(sc.name));
      }
      ImGui::EndTable();
    }
    if (!r.curves.empty()) {
      ImGui::Separator();
    ImGui::TextUnformatted("Curves (class probability vs fraction of pixels changed)");
      const float w = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f, h = 90 * s;
      plot_curve(r, "deletion_morf", "deletion, most relevant first", w, h);
      ImGui::SameLine();
      plot_curve(r, "insertion_morf", "insertion, most relevant first", w, h);
      plot_curve(r, "deletion_lerf", "deletion, least relevant first", w, h);
      ImGui::SameLine();
      plot_curve(r, "insertion_lerf", "insertion, least relevant first", w, h);
      plot_curve(r, "road_morf", "ROAD, most relevant imputed first (10..90%)", w, h);
      ImGui::SameLine();
      plot_curve(r, "road_lerf", "ROAD, least relevant imputed first", w, h);
    }
  }

  if (ev.has_sanity()) {
    const SanityResult& sr = ev.sanity();
    ImGui::Separator();
    ImGui::TextUnformatted("Sanity check: cascading randomisation from the top layer down (Adebayo et al. 2018)");
    ImGui::TextWrapped("A map that stays the same while the model's weights are replaced by random ones does not explain "
                       "what the model learned. ρ: Spearman rank correlation of |map| with the original.");
    const size_t n = 1 + sr.steps.size();
    if (u.strip.size() < n) u.strip.resize(n);
    const bool refresh = u.strip_version != ev.version();
    const float cell = std::min(120.0f * s, (ImGui::GetContentRegionAvail().x / 6.0f) - ImGui::GetStyle().ItemSpacing.x);
    for (size_t i = 0; i < n; ++i) {
      const Tensor& m = i == 0 ? sr.original : sr.steps[i - 1].attribution;
      if (m.data.empty()) continue;
      if (refresh) {
        Heat2D h = heat_from_attribution(m);
        texture_upload(a.render, u.strip[i], heat_render(a.lab.image01(), h, nullptr, a.view, heat_scale(h, a.view)));
      }
      if (i % 6) ImGui::SameLine();
      ImGui::BeginGroup();
      ImGui::Image((ImTextureID)(intptr_t)u.strip[i].id, ImVec2(cell, cell));
      if (i == 0) {
        ImGui::TextUnformatted("trained");
        ImGui::TextDisabled("ρ 1");
      } else {
        const SanityStep& st = sr.steps[i - 1];
        std::string name = st.layer.size() > 18 ? "…" + st.layer.substr(st.layer.size() - 17) : st.layer;
        ImGui::TextUnformatted(name.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("randomised down to %s\nSpearman |map| %.3f, signed %.3f, SSIM %.3f",
                                                      st.layer.c_str(), st.similarity.spearman_abs,
                                                      st.similarity.spearman_signed, st.similarity.ssim);
        ImGui::TextDisabled("ρ %.2f  SSIM %.2f", st.similarity.spearman_abs, st.similarity.ssim);
      }
      ImGui::EndGroup();
    }
    if (refresh) u.strip_version = ev.version();
  }
  ImGui::End();
}

}  // namespace xm
