// [SECTION] scale and theme
// [SECTION] helpers
// [SECTION] case panel
// [SECTION] model panel
// [SECTION] explain panel
// [SECTION] view settings
// [SECTION] explanation view
// [SECTION] compare window
// [SECTION] about window
// [SECTION] layout
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "app.h"
#include "panel_backend.h"
#include "panel_evaluate.h"
#include "font_atlas.h"
#include "render/render.h"
#include "core/log.h"
#include "core/version.h"
#include "image/image_io.h"
#include "image/npy.h"
#include "imgui.h"
#include "platform/platform.h"
#include "teach.h"

namespace xm {

// [SECTION] scale and theme

void app_apply_scale(App& a) {
  ImGuiIO& io = ImGui::GetIO();
  const float scale = float(a.dpr) * a.ui_scale;
  io.Fonts->Clear();
  // The atlas baked at build time for this size when the page has it
  // (font_atlas.h), else the TTF's glyphs rasterised now.
  const float px = kUiFontPx * scale;
  std::string why;
  bool f = font_atlas_load_file(io.Fonts, font_atlas_path(px), px, &why);
  a.font_source = font_atlas_path(px);
  if (!f) {
    if (why.find("not found") == std::string::npos) log_warn("font: %s; building the atlas from the TTF", why.c_str());
    f = font_add_ui(io.Fonts, px);
    a.font_source = kUiFontTtf;
  }
  if (!f) {
    ImFontConfig def;
    def.SizePixels = 13.0f * scale;
    io.Fonts->AddFontDefault(&def);
    a.font_source = "ImGui's default font";
  }
  render_fonts_changed(a.render);  // a new font texture; everything is repainted
  ImGuiStyle style;
  ImGui::StyleColorsDark(&style);
  style.WindowRounding = 4.0f;
  style.FrameRounding = 3.0f;
  style.GrabRounding = 3.0f;
  style.WindowBorderSize = 1.0f;
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.10f, 0.11f, 0.13f, 1.0f);
  style.Colors[ImGuiCol_TitleBg] = ImVec4(0.13f, 0.15f, 0.19f, 1.0f);
  style.Colors[ImGuiCol_TitleBgActive] = ImVec4(0.16f, 0.22f, 0.33f, 1.0f);
  teach_style(a, style);
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

// [SECTION] helpers

void app_report(App& a, const std::string& message) {
  app_push_error(a.state, message);
  log_warn("%s", message.c_str());
}

ParamList app_params_for(const App& a, const std::string& method) {
  ParamList p;
  auto it = a.param_values.find(method);
  const MethodInfo* mi = explain_find_method(method);
  if (it == a.param_values.end() || !mi) return p;
  for (auto& spec : mi->params) {
    auto v = it->second.find(spec.key);
    if (v != it->second.end() && v->second != spec.default_value) p.emplace_back(spec.key, v->second);
  }
  return p;
}

void app_run_current(App& a) {
  Status s = a.lab.start_run(a.method, app_params_for(a, a.method), a.target);
  if (!s) app_report(a, s.error());
}

namespace {

float S(const App& a) { return float(a.dpr) * a.ui_scale; }

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

const char* scenario_title(const std::string& s) {
  const char* t = phantom_title(s);
  return t ? t : s.c_str();
}

Image8 image_rgba(const Tensor& img01) {
  Heat2D none;
  HeatView v;
  return heat_render(img01, none, nullptr, v, HeatScale{});
}

// [SECTION] case panel

void panel_case(App& a) {
  Lab& lab = a.lab;
  const auto& scenarios = phantom_scenarios();
  const ImGuiStyle& st = ImGui::GetStyle();
  const float n = float(scenarios.size());
  const float thumb = std::max(24.0f, (ImGui::GetContentRegionAvail().x - (n - 1) * st.ItemSpacing.x) / n - 2 * st.FramePadding.x);
  // Each thumbnail is a phantom to generate (tens of ms in the browser, a frame
  // missed): one per frame, once nothing has run for half a second. So not in
  // the frames right after the first explanation, when the user (or a test) is
  // likely to start something, nor between the steps of a method or an evaluation.
  bool may_generate = a.idle_frames >= kThumbnailIdleFrames;
  for (size_t i = 0; i < scenarios.size(); ++i) {
    const std::string& sc = scenarios[i];
    Texture& t = a.tex_thumbs[sc];
    if (!t.id && may_generate) {
      may_generate = false;
      auto spec = phantom_spec(sc);
      if (spec) {
        auto c = phantom_generate(*spec, 3);
        if (c) texture_upload(a.render, t, image_rgba(c->image));
      }
    }
    if (i % 4) ImGui::SameLine();
    ImGui::BeginGroup();
    const bool current = lab.has_phantom() && lab.scenario() == sc;
    if (current) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.26f, 0.59f, 0.98f, 0.9f));
    ImGui::PushID(sc.c_str());
    const bool clicked = t.id ? ImGui::ImageButton((ImTextureID)(intptr_t)t.id, ImVec2(thumb, thumb))
                              : ImGui::Button("", ImVec2(thumb + 2 * st.FramePadding.x, thumb + 2 * st.FramePadding.y));
    if (clicked) {
      Status s = lab.set_scenario(sc);
      if (!s) app_report(a, s.error());
      else {
        // Switch to the scenario's own model when the zoo has one.
        for (auto& z : a.zoo)
          if (z.name == sc && lab.model_name() != sc) platform_page_request("load-model", z.url.c_str());
      }
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", scenario_title(sc));
    ImGui::PopID();
    if (current) ImGui::PopStyleColor();
    ImGui::EndGroup();
  }
  ImGui::TextWrapped("%s", lab.has_phantom() ? scenario_title(lab.scenario()) : "Your image");
  ImGui::SameLine();
  ImGui::TextDisabled("%s", lab.image_name().c_str());
  if (lab.true_label() >= 0) {
    auto classes = phantom_classes(lab.scenario());
    ImGui::Text("Ground truth: %s", lab.true_label() < int(classes.size()) ? classes[size_t(lab.true_label())].c_str() : "?");
  }
  ImGui::Separator();
  int seed = int(lab.seed());
  ImGui::SetNextItemWidth(110 * S(a));
  if (ImGui::InputInt("Seed", &seed) && seed >= 0) {
    Status s = lab.set_seed(uint64_t(seed));
    if (!s) app_report(a, s.error());
  }
  ImGui::SameLine();
  if (ImGui::Button("New case")) {
    Status s = lab.set_seed(lab.seed() * 6364136223846793005ULL % 99991 + 1);
    if (!s) app_report(a, s.error());
  }
  if (lab.has_phantom()) {
    const PhantomSpec& spec = lab.spec();
    for (size_t k = 0; k < spec.knobs.size(); ++k) {
      const PhantomKnob& kn = spec.knobs[k];
      float v = spec.values[k];
      bool changed = false;
      ImGui::SetNextItemWidth(-110 * S(a));
      if (kn.integer) {
        int iv = int(v);
        const char* fmt = kn.min < 0 && iv < 0 ? "random" : "%d";
        changed = ImGui::SliderInt(kn.name.c_str(), &iv, int(kn.min), int(kn.max), fmt);
        v = float(iv);
      } else {
        const char* fmt = kn.min < 0 && v < 0 ? "random" : "%.2f";
        changed = ImGui::SliderFloat(kn.name.c_str(), &v, kn.min, kn.max, fmt);
      }
      if (!kn.help.empty()) help_marker(kn.help.c_str());
      if (changed) {
        Status s = lab.set_knob(kn.name, v);
        if (!s) app_report(a, s.error());
      }
    }
  }
  ImGui::Separator();
  if (ImGui::Button("Open image...")) platform_page_request("pick-image", "");
  ImGui::SameLine();
  ImGui::TextDisabled("or drop PNG/JPEG/BMP/.npy");
}

// [SECTION] model panel

void panel_model(App& a) {
  Lab& lab = a.lab;
  const char* current = lab.has_model() ? lab.model_name().c_str() : "(none)";
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##zoo", a.loading_model.empty() ? current : ("loading " + a.loading_model + "...").c_str())) {
    for (auto& z : a.zoo)
      if (ImGui::Selectable(z.name.c_str(), z.name == lab.model_name())) platform_page_request("load-model", z.url.c_str());
    ImGui::EndCombo();
  }
  if (ImGui::Button("Open model (.onnx)...")) platform_page_request("pick-model", "");
  if (!lab.has_model()) {
    ImGui::TextDisabled("No model loaded.");
    return;
  }
  panel_backend(a);
  const ModelCard& c = lab.card();
  ImGui::Separator();
  ImGui::TextDisabled("Prediction");
  const auto& p = lab.probabilities();
  for (size_t k = 0; k < p.size(); ++k) {
    char label[128];
    const char* name = k < c.classes.size() ? c.classes[k].c_str() : "class";
    std::snprintf(label, sizeof label, "%s %.1f%%", name, 100.0 * double(p[k]));
    const bool top = int(k) == lab.predicted();
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, top ? ImVec4(0.95f, 0.45f, 0.20f, 1.0f) : ImVec4(0.35f, 0.45f, 0.60f, 1.0f));
    ImGui::ProgressBar(p[k], ImVec2(-1, 0), label);
    ImGui::PopStyleColor();
  }
  if (ImGui::CollapsingHeader("Model card", ImGuiTreeNodeFlags_DefaultOpen)) {
    ImGui::PushTextWrapPos(0);
    if (!c.architecture.empty()) ImGui::Text("Architecture: %s", c.architecture.c_str());
    ImGui::Text("Input: %d x %d x %d, backend %s", c.channels, c.height, c.width, lab.backend()->info().name.c_str());
    if (c.accuracy >= 0) ImGui::Text("Held-out accuracy: %.1f%%", 100.0 * c.accuracy);
    const Json& params = c.json["parameters"];
    if (params.is_number()) ImGui::Text("Parameters: %.0f", params.num());
    if (!c.known_flaws.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.75f, 0.4f, 1.0f));
      ImGui::Text("Known flaws: %s", c.known_flaws.c_str());
      ImGui::PopStyleColor();
    }
    ImGui::PopTextWrapPos();
  }
}

// [SECTION] explain panel

void panel_explain(App& a) {
  Lab& lab = a.lab;
  const auto& methods = explain_methods();
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##method", a.method.c_str())) {
    for (auto& m : methods)
      if (method_selectable(a, m.name)) a.method = m.name;
    ImGui::EndCombo();
  }
  const MethodInfo* mi = explain_find_method(a.method);
  if (!mi) return;
  if (ImGui::CollapsingHeader("What this computes")) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(mi->help);
    ImGui::PopTextWrapPos();
  }
  auto& values = a.param_values[a.method];
  for (auto& spec : mi->params) {
    auto it = values.find(spec.key);
    if (it == values.end()) it = values.emplace(spec.key, spec.default_value).first;
    const Shape& in = lab.has_model() ? lab.backend()->info().input_shape : Shape{};
    const int side = in.size() == 4 ? int(std::min(in[2], in[3])) : 0;
    if (param_widget(spec, it->second, side, 120 * S(a))) app_run_current(a);
    help_marker(param_describe(spec).c_str());
  }
  // Target class
  const ModelCard& c = lab.card();
  std::string tlabel = a.target < 0 ? "predicted class" : (a.target < int(c.classes.size()) ? c.classes[size_t(a.target)] : std::to_string(a.target));
  ImGui::SetNextItemWidth(-120 * S(a));
  if (ImGui::BeginCombo("target", tlabel.c_str())) {
    if (ImGui::Selectable("predicted class", a.target < 0)) a.target = -1;
    int K = lab.has_model() ? lab.backend()->info().num_outputs : 0;
    for (int k = 0; k < K; ++k) {
      std::string n = k < int(c.classes.size()) ? c.classes[size_t(k)] : std::to_string(k);
      if (ImGui::Selectable(n.c_str(), a.target == k)) a.target = k;
    }
    ImGui::EndCombo();
  }
  if (lab.busy()) {
    if (ImGui::Button("Cancel")) lab.cancel();
  } else {
    ImGui::BeginDisabled(!lab.has_model());
    if (ImGui::Button("Explain")) app_run_current(a);
    ImGui::EndDisabled();
  }
  ImGui::SameLine();
  ImGui::Checkbox("live", &lab.auto_rerun);
  help_marker("Re-run the method whenever the case or the model changes.");
  char prog[64];
  std::snprintf(prog, sizeof prog, "%s %.0f%%", lab.busy() ? "running" : "done", 100.0 * lab.progress());
  ImGui::ProgressBar(float(lab.progress()), ImVec2(-1, 0), lab.has_model() ? prog : "");
  if (const LabRun* r = lab.last_run()) {
    // Two lines: with hundreds of passes one line runs out of the panel.
    const int64_t fw = r->stats.forward_passes, bw = r->stats.backward_passes;
    ImGui::Text("%s: %.0f ms", r->method.c_str(), r->ms);
    ImGui::Text("%" PRId64 " forward pass%s + %" PRId64 " backward pass%s", fw, fw == 1 ? "" : "es", bw, bw == 1 ? "" : "es");
    auto gap = r->stats.values.find("completeness_gap");
    if (gap != r->stats.values.end()) {
      ImGui::Text("completeness gap: %.4g", gap->second);
      help_marker("Integrated Gradients' attributions should add up to F(input) - F(baseline); the gap shrinks with more steps.");
    }
    if (!r->stats.layer.empty()) ImGui::TextDisabled("layer: %s", r->stats.layer.c_str());
  }
  if (!lab.run_error().empty() && lab.run_error() != "cancelled") {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
    ImGui::TextWrapped("%s", lab.run_error().c_str());
    ImGui::PopStyleColor();
  }
}

// [SECTION] view settings

void panel_view(App& a) {
  static const char* signs[] = {"as computed", "positive part", "negative part", "absolute value"};
  static const char* cmaps[] = {"auto", "diverging", "inferno", "viridis", "grey"};
  int sign = int(a.view.sign), cm = int(a.view.colormap);
  ImGui::SetNextItemWidth(-120 * S(a));
  if (ImGui::Combo("show", &sign, signs, 4)) a.view.sign = HeatSign(sign);
  ImGui::SetNextItemWidth(-120 * S(a));
  if (ImGui::Combo("colormap", &cm, cmaps, 5)) a.view.colormap = HeatColormap(cm);
  ImGui::SetNextItemWidth(-120 * S(a));
  ImGui::SliderFloat("opacity", &a.view.opacity, 0.0f, 1.0f, "%.2f");
  ImGui::SetNextItemWidth(-120 * S(a));
  ImGui::SliderFloat("clip at", &a.view.clip_percentile, 50.0f, 100.0f, "%.1f %%");
  help_marker("Colours saturate at this percentile of the map's magnitudes, so one extreme pixel does not wash out the rest.");
  ImGui::Checkbox("ground-truth outline", &a.view.outline);
  ImGui::SameLine();
  if (ImGui::SmallButton("reset zoom")) {
    a.zoom = 1;
    a.pan_x = a.pan_y = 0;
  }
  if (ImGui::Button("Export PNG")) {
    const Lab& lab = a.lab;
    Heat2D h = heat_from_attribution(lab.attribution());
    Image8 img = heat_render(lab.image01(), h, &lab.mask(), a.view, heat_scale(h, a.view));
    auto png = png_encode(img);
    platform_download("xmedia-view.png", png.data(), png.size(), "image/png");
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(a.lab.attribution().numel() == 0);
  if (ImGui::Button("Export .npy")) {
    auto bytes = npy_encode(a.lab.attribution());
    platform_download("attribution.npy", bytes.data(), bytes.size(), "application/octet-stream");
  }
  ImGui::EndDisabled();
}

// [SECTION] explanation view

// The Explanation window's background, except where the (opaque) image will
// be: the image area is then painted once per repaint instead of twice.
void explanation_background(ImVec2 hole0, ImVec2 hole1) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
  const float b = ImGui::GetStyle().WindowBorderSize;
  const ImVec2 r0(wp.x + b, wp.y + ImGui::GetFrameHeight()), r1(wp.x + ws.x - b, wp.y + ws.y - b);
  const ImU32 col = ImGui::GetColorU32(ImGuiCol_WindowBg);
  dl->PushClipRect(r0, r1, false);  // the content's clip leaves out the window's padding
  if (!(hole1.x > hole0.x && hole1.y > hole0.y)) {
    dl->AddRectFilled(r0, r1, col);
  } else {
    dl->AddRectFilled(r0, ImVec2(r1.x, hole0.y), col);
    dl->AddRectFilled(ImVec2(r0.x, hole1.y), r1, col);
    dl->AddRectFilled(ImVec2(r0.x, hole0.y), ImVec2(hole0.x, hole1.y), col);
    dl->AddRectFilled(ImVec2(hole1.x, hole0.y), ImVec2(r1.x, hole1.y), col);
  }
  dl->PopClipRect();
}

void view_explanation(App& a) {
  Lab& lab = a.lab;
  const Tensor& img = lab.image01();
  if (img.numel() == 0) {
    explanation_background(ImVec2(0, 0), ImVec2(0, 0));
    return;
  }
  // The overlay is rebuilt only when the case, the map or the view changed.
  // While a job runs its partial map changes on every tick: the preview is
  // refreshed about ten times a second (the progress bar moves every frame),
  // because each refresh repaints the whole image area of the screen.
  ShownOverlay& shown = a.shown;
  Heat2D& h = shown.heat;
  HeatScale& scale = shown.scale;
  const HeatView& v = a.view;
  const bool view_same = v.sign == shown.view.sign && v.colormap == shown.view.colormap && v.opacity == shown.view.opacity &&
                         v.clip_percentile == shown.view.clip_percentile && v.outline == shown.view.outline;
  const float* data = lab.attribution().data.data();
  const bool stale = lab.image_version() != shown.image || lab.map_version() != shown.map || data != shown.data || !view_same ||
                     !a.tex_main.id;
  const bool preview_wait = lab.busy() && lab.image_version() == shown.image && view_same && a.tex_main.id &&
                            ImGui::GetTime() - shown.at < 0.1;
  if (stale && !preview_wait) {
    h = heat_from_attribution(lab.attribution());
    scale = heat_scale(h, a.view);
    texture_upload(a.render, a.tex_main, heat_render(img, h, &lab.mask(), a.view, scale));
    shown.image = lab.image_version();
    shown.map = lab.map_version();
    shown.view = v;
    shown.data = data;
    shown.at = ImGui::GetTime();
  }

  ImVec2 avail = ImGui::GetContentRegionAvail();
  const float legend_h = ImGui::GetTextLineHeightWithSpacing() * 2.4f;
  float side = std::min(avail.x, avail.y - legend_h);
  if (side < 32) {
    explanation_background(ImVec2(0, 0), ImVec2(0, 0));
    return;
  }
  ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImVec2 c0(p0.x + (avail.x - side) * 0.5f, p0.y);
  explanation_background(c0, ImVec2(c0.x + side, c0.y + side));
  ImGui::SetCursorScreenPos(c0);
  ImGui::InvisibleButton("##view", ImVec2(side, side));
  const bool hovered = ImGui::IsItemHovered();
  ImGuiIO& io = ImGui::GetIO();
  if (hovered && io.MouseWheel != 0) {
    float z = std::min(16.0f, std::max(1.0f, a.zoom * std::pow(1.2f, io.MouseWheel)));
    a.zoom = z;
  }
  if (!teach_tool_active(a) && ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    a.pan_x -= io.MouseDelta.x / (side * a.zoom);
    a.pan_y -= io.MouseDelta.y / (side * a.zoom);
  }
  const float half = 0.5f / a.zoom;
  a.pan_x = std::min(0.5f - half, std::max(-(0.5f - half), a.pan_x));
  a.pan_y = std::min(0.5f - half, std::max(-(0.5f - half), a.pan_y));
  ImVec2 uv0(0.5f + a.pan_x - half, 0.5f + a.pan_y - half), uv1(0.5f + a.pan_x + half, 0.5f + a.pan_y + half);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddImage((ImTextureID)(intptr_t)a.tex_main.id, c0, ImVec2(c0.x + side, c0.y + side), uv0, uv1);
  dl->AddRect(c0, ImVec2(c0.x + side, c0.y + side), IM_COL32(90, 95, 110, 255));
  teach_view(a, c0, side, uv0, uv1);
  if (lab.busy()) {
    float f = float(lab.progress());
    dl->AddRectFilled(ImVec2(c0.x, c0.y + side - 4 * S(a)), ImVec2(c0.x + side * f, c0.y + side), IM_COL32(90, 160, 255, 220));
  }
  if (hovered) {
    float u = uv0.x + (io.MousePos.x - c0.x) / side * (uv1.x - uv0.x);
    float v = uv0.y + (io.MousePos.y - c0.y) / side * (uv1.y - uv0.y);
    int px = std::min(int(img.dim(3)) - 1, std::max(0, int(u * float(img.dim(3)))));
    int py = std::min(int(img.dim(2)) - 1, std::max(0, int(v * float(img.dim(2)))));
    char tip[160];
    if (h.width > 0) {
      int hx = std::min(h.width - 1, px * h.width / int(img.dim(3))), hy = std::min(h.height - 1, py * h.height / int(img.dim(2)));
      std::snprintf(tip, sizeof tip, "x %d, y %d   attribution %.4g   image %.3f", px, py,
                    double(h.v[size_t(hy) * size_t(h.width) + size_t(hx)]), double(img.at4(0, 0, py, px)));
    } else {
      std::snprintf(tip, sizeof tip, "x %d, y %d   image %.3f", px, py, double(img.at4(0, 0, py, px)));
    }
    ImGui::SetTooltip("%s", tip);
  }
  // Legend: the colour bar with its scale.
  if (h.width > 0) {
    HeatColormap cm = heat_effective_colormap(a.view, h);
    if (!a.tex_legend.id || a.tex_legend.version != uint64_t(cm) + 1) {
      texture_upload(a.render, a.tex_legend, heat_legend(cm, true, 256, 8));
      a.tex_legend.version = uint64_t(cm) + 1;
    }
    const float bar_w = std::min(side, 360.0f * S(a));
    ImVec2 l0(c0.x + (side - bar_w) * 0.5f, c0.y + side + 6 * S(a));
    dl->AddImage((ImTextureID)(intptr_t)a.tex_legend.id, l0, ImVec2(l0.x + bar_w, l0.y + 10 * S(a)));
    char lo[32], hi[32];
    const bool sym = cm == HeatColormap::DIVERGING;
    std::snprintf(lo, sizeof lo, "%.3g", sym ? -double(scale.hi) : 0.0);
    std::snprintf(hi, sizeof hi, "%.3g", double(scale.hi));
    const float ty = l0.y + 12 * S(a);
    dl->AddText(ImVec2(l0.x, ty), IM_COL32(200, 200, 210, 255), lo);
    dl->AddText(ImVec2(l0.x + bar_w - ImGui::CalcTextSize(hi).x, ty), IM_COL32(200, 200, 210, 255), hi);
    // Say what the colours mean: a signed map's centre is zero; a map with no
    // negative values (saliency, Grad-CAM) is a magnitude, not "signed".
    const char* mid = "";
    switch (a.view.sign) {
      case HeatSign::ALL: mid = sym ? (h.signed_values ? "0  (blue: against the class, red: for it)" : "0") : (h.signed_values ? "signed values" : "magnitude (no sign)"); break;
      case HeatSign::POSITIVE: mid = "positive part (for the class)"; break;
      case HeatSign::NEGATIVE: mid = "negative part (against the class), as magnitude"; break;
      case HeatSign::ABSOLUTE: mid = "absolute value"; break;
    }
    dl->AddText(ImVec2(l0.x + (bar_w - ImGui::CalcTextSize(mid).x) * 0.5f, ty), IM_COL32(150, 155, 170, 255), mid);
  } else if (!lab.has_model()) {
    const char* msg = "Load a model to explain its prediction";
    dl->AddText(ImVec2(c0.x + 8, c0.y + side + 6), IM_COL32(160, 165, 180, 255), msg);
  }
}

// [SECTION] compare window

void window_compare(App& a) {
  ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(vp->Size.x * 0.8f, vp->Size.y * 0.8f), ImGuiCond_Appearing);
  if (!ImGui::Begin("Compare methods", &a.show_compare)) {
    ImGui::End();
    return;
  }
  Lab& lab = a.lab;
  ImGui::TextDisabled("Methods:");
  const auto& methods = explain_methods();
  int col = 0;
  for (auto& m : methods) {
    bool on = std::find(a.compare_methods.begin(), a.compare_methods.end(), m.name) != a.compare_methods.end();
    if (col++ % 6) ImGui::SameLine();
    if (ImGui::Checkbox(m.name, &on)) {
      if (on) a.compare_methods.push_back(m.name);
      else a.compare_methods.erase(std::remove(a.compare_methods.begin(), a.compare_methods.end(), m.name), a.compare_methods.end());
    }
  }
  ImGui::BeginDisabled(!lab.has_model() || a.compare_methods.empty());
  if (ImGui::Button("Run comparison")) {
    lab.queue_compare(a.compare_methods);
    for (auto& run : lab.compare_queue) run.second = app_params_for(a, run.first);
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::Checkbox("shared scale", &a.shared_scale);
  help_marker("One colour scale for every map (compare magnitudes), or each map on its own scale (compare patterns).");
  if (lab.busy() || !lab.compare_queue.empty()) {
    ImGui::SameLine();
    ImGui::Text("running... %zu left", lab.compare_queue.size() + (lab.busy() ? 1 : 0));
  }
  const auto& runs = lab.compare;
  if (runs.empty()) {
    ImGui::End();
    return;
  }
  HeatScale shared;
  shared.hi = 0;
  std::vector<Heat2D> heats;
  for (auto& r : runs) {
    heats.push_back(heat_from_attribution(r.attribution));
    // Shared scale: normalise every map by its own sign so that the scale compares magnitudes.
    HeatScale s = heat_scale(heats.back(), a.view);
    shared.hi = std::max(shared.hi, s.hi);
  }
  if (a.tex_compare.size() < runs.size()) a.tex_compare.resize(runs.size());
  const float avail = ImGui::GetContentRegionAvail().x;
  const int per_row = std::max(1, std::min(int(runs.size()), 4));
  const float cell = std::min(avail / float(per_row) - ImGui::GetStyle().ItemSpacing.x, 340.0f * S(a));
  for (size_t i = 0; i < runs.size(); ++i) {
    HeatScale s = a.shared_scale ? shared : heat_scale(heats[i], a.view);
    texture_upload(a.render, a.tex_compare[i], heat_render(lab.image01(), heats[i], &lab.mask(), a.view, s));
    if (i % size_t(per_row)) ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::Image((ImTextureID)(intptr_t)a.tex_compare[i].id, ImVec2(cell, cell));
    ImGui::Text("%s", runs[i].method.c_str());
    ImGui::TextDisabled("%.0f ms, %" PRId64 " passes, max %.3g", runs[i].ms,
                        runs[i].stats.forward_passes + runs[i].stats.backward_passes, double(s.hi));
    ImGui::EndGroup();
  }
  ImGui::End();
}

// [SECTION] about window

void window_about(App& a) {
  ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::Begin("About xMedIA Lab", &a.show_about, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::Text("xMedIA Lab %s", core_version());
    ImGui::Text("An explainable-AI teaching lab for medical image analysis.");
    ImGui::Text("Everything runs in this browser tab: images and models never leave your computer.");
    ImGui::Separator();
    ImGui::Text("Core %s (C++ compiled to WebAssembly)", core_version());
    ImGui::Text("Dear ImGui %s, drawn %s", IMGUI_VERSION,
                render_kind(a.render) == Renderer::webgl ? "with WebGL 2" : "in software (the browser's WebGL is not GPU-accelerated)");
    ImGui::Text("ONNX Runtime Web: not loaded (used only for models the native engine cannot run)");
    ImGui::Text("Cases are synthetic phantoms with known ground truth; they are not patient data.");
  }
  ImGui::End();
}

}  // namespace

// [SECTION] layout

void app_draw(App& a) {
  float menu_h = 0;
  if (!teach_chrome_hidden(a) && ImGui::BeginMainMenuBar()) {
    if (ImGui::BeginMenu("File")) {
      if (ImGui::MenuItem("Open image...")) platform_page_request("pick-image", "");
      if (ImGui::MenuItem("Open model...")) platform_page_request("pick-model", "");
      ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
      ImGui::MenuItem("Compare methods", nullptr, &a.show_compare);
      ImGui::MenuItem("Evaluate explanation", nullptr, &a.eval.open);
      ImGui::EndMenu();
    }
    teach_menus(a);
    if (ImGui::BeginMenu("Help")) {
      if (ImGui::MenuItem("About xMedIA Lab")) a.show_about = true;
      ImGui::EndMenu();
    }
    if (!a.state.errors.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.55f, 0.45f, 1.0f));
      ImGui::Text("  %s", a.state.errors.back().c_str());
      ImGui::PopStyleColor();
      if (ImGui::SmallButton("x")) a.state.errors.clear();
    }
    menu_h = ImGui::GetWindowSize().y;
    ImGui::EndMainMenuBar();
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float s = S(a);
  // At presenter scales the side panels give way (at most 30% each) so the explanation stays large.
  const float left_w = std::min(vp->Size.x * 0.3f, std::max(300.0f * s, vp->Size.x * 0.24f));
  const float right_w = std::min(vp->Size.x * 0.3f, std::max(320.0f * s, vp->Size.x * 0.25f));
  const float h = vp->Size.y - menu_h;
  const float top = vp->Pos.y + menu_h;
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;

  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, top));
  ImGui::SetNextWindowSize(ImVec2(left_w, h * 0.56f));
  if (ImGui::Begin("Case", nullptr, fixed)) panel_case(a);
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, top + h * 0.56f));
  ImGui::SetNextWindowSize(ImVec2(left_w, h * 0.44f));
  if (ImGui::Begin("Model", nullptr, fixed)) panel_model(a);
  ImGui::End();

  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x - right_w, top));
  ImGui::SetNextWindowSize(ImVec2(right_w, h * 0.62f));
  if (ImGui::Begin("Method", nullptr, fixed)) panel_explain(a);
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x - right_w, top + h * 0.62f));
  ImGui::SetNextWindowSize(ImVec2(right_w, h * 0.38f));
  if (ImGui::Begin("View", nullptr, fixed)) panel_view(a);
  ImGui::End();

  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + left_w, top));
  ImGui::SetNextWindowSize(ImVec2(vp->Size.x - left_w - right_w, h));
  // Its background is drawn by view_explanation, around the image.
  if (ImGui::Begin("Explanation", nullptr, fixed | ImGuiWindowFlags_NoBackground)) view_explanation(a);
  ImGui::End();

  if (a.show_compare) window_compare(a);
  if (a.eval.open) window_evaluate(a);
  if (a.show_about) window_about(a);
}

}  // namespace xm
