// Teaching on top of the lab: guided lessons, presenter mode (scale, high
// contrast, chrome hidden, fullscreen), keyboard shortcuts with a help
// overlay, what-if painting and the occlusion probe, and deep links (the
// whole state in the URL fragment). Its state is App::teach (teach_state.h);
// the plain logic lives in ui/state/ (edits.h, link_state.h, lessons.h); this
// is the ImGui side.
//
//   teach_before_frame(a);   // main loop, before ImGui::NewFrame (font rebuilds, pending states)
//   teach_draw(a);           // after app_draw: lesson panel, what-if window, help overlay, shortcuts
//   teach_apply(a, state);   // a lesson step or a link; fetches the model first when it differs
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "app.h"
#include "imgui.h"
#include "state/lessons.h"
#include "state/link_state.h"

namespace xm {

void teach_before_frame(App& a);
void teach_draw(App& a);
// The Lessons and Presenter menus, drawn inside the main menu bar.
void teach_menus(App& a);
// Inside the explanation view, after the image is drawn: painting, the
// probe and their cursors. Returns true when a tool owns the mouse (no panning).
bool teach_view(App& a, ImVec2 c0, float side, ImVec2 uv0, ImVec2 uv1);
bool teach_tool_active(const App& a);
bool teach_chrome_hidden(const App& a);
// Applied inside app_apply_scale before sizes are scaled.
void teach_style(const App& a, ImGuiStyle& style);

Status teach_apply(App& a, const LinkState& s);
Status teach_open_link(App& a, const std::string& fragment);
Status teach_start_lesson(App& a, const std::string& id, int step);
Status teach_add_lesson(App& a, const std::string& json_text, const std::string& name);
LinkState teach_capture(const App& a);
// Strokes from the test API and the what-if window.
Status teach_paint(App& a, EditMode mode, int x, int y, int radius, float value);
Status teach_undo(App& a);
// The lessons as the page's test API lists them: [{"id", "title", "summary", "steps": [...]}].
std::string teach_lessons_json(const App& a);

// Between the teach_*.cpp files.
void teach_set_scale(App& a, float s);                // presenter scale, 1x..3x in quarter steps
void teach_go_step(App& a, int step);                 // teach_lessons.cpp
void teach_window_lessons(App& a);                    // teach_lessons.cpp
void teach_follow_links(App& a);                      // teach_links.cpp: pending states, the address bar
void teach_install_key_hook(App& a);                  // teach_keys.cpp
void teach_handle_keys(App& a);                       // teach_keys.cpp
void teach_window_help(Teach& t);                     // teach_keys.cpp
void teach_window_whatif(App& a);                     // panel_whatif.cpp

}  // namespace xm
