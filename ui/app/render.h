// Drawing a frame with as little GPU work as possible: the frame's triangles
// are compared with the last frame's (state/frame_diff.h) and only the
// rectangles that changed are cleared and redrawn; a frame that changes
// nothing draws nothing. Needs a drawing buffer that keeps its pixels between
// frames (WebGL's preserveDrawingBuffer, set by web/xmedia-lab-api.js).
//
//   ImGui::Render();
//   render_frame(fb_w, fb_h, clear_rgb);   // after ImGui::Render()
//   render_texture_changed(tex.id);        // textures.cpp, when a texture's pixels change
//   render_invalidate();                   // fonts rebuilt: repaint everything next frame
#pragma once

namespace xm {

void render_frame(int fb_w, int fb_h, const float clear_rgb[3]);
void render_texture_changed(unsigned texture_id);
void render_invalidate();

struct RenderStats {
  unsigned long long frames = 0, skipped = 0, partial = 0, full = 0;
  double painted_fraction_sum = 0;  // of the framebuffer, summed over painted frames
};
const RenderStats& render_stats();

}  // namespace xm
