// [SECTION] scale and theme
// [SECTION] panels: case, model, method
// [SECTION] explanation view
// [SECTION] layout
#include <cstdio>

#include "app.h"
#include "core/version.h"
#include "imgui.h"
#include "imgui_impl_opengl3.h"

namespace xm {

// [SECTION] scale and theme

void app_apply_scale(App& a) {
  ImGuiIO& io = ImGui::GetIO();
  const float scale = float(a.dpr) * a.ui_scale;
  io.Fonts->Clear();
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  ImFont* f = nullptr;
  if (FILE* fp = std::fopen("/fonts/DejaVuSans.ttf", "rb")) {
    std::fclose(fp);
    f = io.Fonts->AddFontFromFileTTF("/fonts/DejaVuSans.ttf", 15.0f * scale, &cfg);
  }
  a.font_loaded = f != nullptr;
  if (!f) {
    ImFontConfig def;
    def.SizePixels = 13.0f * scale;
    io.Fonts->AddFontDefault(&def);
  }
  ImGui_ImplOpenGL3_DestroyDeviceObjects();  // NewFrame rebuilds them with the new font atlas
  ImGuiStyle style;
  ImGui::StyleColorsDark(&style);
  style.WindowRounding = 4.0f;
  style.FrameRounding = 3.0f;
  style.WindowBorderSize = 1.0f;
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

// [SECTION] panels: case, model, method

namespace {

void panel_case(App& a) {
  ImGui::TextDisabled("Synthetic cases with ground truth");
  static const char* scenarios[] = {"Cardiac LGE MRI", "Liver CT", "Chest X-ray", "Fundus photograph"};
  static int current = 0;
  for (int i = 0; i < 4; ++i)
    if (ImGui::Selectable(scenarios[i], current == i)) current = i;
  ImGui::Separator();
  ImGui::Text("Image: %s", a.state.image.c_str());
}

void panel_model(App& a) {
  ImGui::Text("Model: %s", a.state.model.c_str());
  ImGui::Text("Backend: %s", a.state.backend.c_str());
  ImGui::TextDisabled("Prediction");
  if (a.state.prediction.empty()) ImGui::TextDisabled("  (none yet)");
  for (size_t i = 0; i < a.state.prediction.size(); ++i) {
    const char* name = i < a.state.class_names.size() ? a.state.class_names[i].c_str() : "class";
    ImGui::ProgressBar(a.state.prediction[i], ImVec2(-1, 0), name);
  }
}

void panel_method(App& a) {
  static const char* methods[] = {"saliency", "input_x_gradient", "integrated_gradients", "smoothgrad", "grad_cam",
                                  "occlusion", "lime", "kernel_shap"};
  if (ImGui::BeginCombo("Method", a.state.method.c_str())) {
    for (const char* m : methods)
      if (ImGui::Selectable(m, a.state.method == m)) a.state.method = m;
    ImGui::EndCombo();
  }
  ImGui::BeginDisabled(true);
  ImGui::Button("Explain");
  ImGui::EndDisabled();
  ImGui::ProgressBar(float(a.state.progress), ImVec2(-1, 0));
}

// [SECTION] explanation view

void view_explanation(App& a) {
  ImVec2 avail = ImGui::GetContentRegionAvail();
  ImVec2 p0 = ImGui::GetCursorScreenPos();
  float side = avail.x < avail.y ? avail.x : avail.y;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 c0(p0.x + (avail.x - side) * 0.5f, p0.y + (avail.y - side) * 0.5f);
  dl->AddRectFilled(c0, ImVec2(c0.x + side, c0.y + side), IM_COL32(20, 22, 26, 255));
  dl->AddRect(c0, ImVec2(c0.x + side, c0.y + side), IM_COL32(90, 95, 110, 255));
  const char* msg = "The explanation appears here";
  ImVec2 ts = ImGui::CalcTextSize(msg);
  dl->AddText(ImVec2(c0.x + (side - ts.x) * 0.5f, c0.y + (side - ts.y) * 0.5f), IM_COL32(160, 165, 180, 255), msg);
  ImGui::Dummy(avail);
}

}  // namespace

// [SECTION] layout

void app_draw_layout(App& a) {
  static bool show_about = false;
  float menu_h = 0;
  if (ImGui::BeginMainMenuBar()) {
    if (ImGui::BeginMenu("File")) {
      ImGui::MenuItem("Open image...", nullptr, false, false);
      ImGui::MenuItem("Open model...", nullptr, false, false);
      ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
      ImGui::MenuItem("Compare", nullptr, false, false);
      ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Help")) {
      if (ImGui::MenuItem("About xMedIA Lab")) show_about = true;
      ImGui::EndMenu();
    }
    menu_h = ImGui::GetWindowSize().y;
    ImGui::EndMainMenuBar();
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float side_w = vp->Size.x * 0.26f < 260 * float(a.dpr) ? 260 * float(a.dpr) : vp->Size.x * 0.26f;
  const float h = vp->Size.y - menu_h;
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;
  const float ph[3] = {h * 0.38f, h * 0.30f, h * 0.32f};
  const char* titles[3] = {"Case", "Model", "Method"};
  void (*panels[3])(App&) = {panel_case, panel_model, panel_method};
  float y = vp->Pos.y + menu_h;
  for (int i = 0; i < 3; ++i) {
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, y));
    ImGui::SetNextWindowSize(ImVec2(side_w, ph[i]));
    if (ImGui::Begin(titles[i], nullptr, fixed)) panels[i](a);
    ImGui::End();
    y += ph[i];
  }
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + side_w, vp->Pos.y + menu_h));
  ImGui::SetNextWindowSize(ImVec2(vp->Size.x - side_w, h));
  if (ImGui::Begin("Explanation", nullptr, fixed)) view_explanation(a);
  ImGui::End();

  if (show_about) {
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f), ImGuiCond_Appearing,
                            ImVec2(0.5f, 0.5f));
    if (ImGui::Begin("About xMedIA Lab", &show_about, ImGuiWindowFlags_AlwaysAutoResize)) {
      ImGui::Text("xMedIA Lab %s: explainable AI for medical images, in your browser.", core_version());
      ImGui::Text("Images never leave the browser: nothing is uploaded anywhere.");
      ImGui::Text("Dear ImGui %s", IMGUI_VERSION);
    }
    ImGui::End();
  }
}

}  // namespace xm
