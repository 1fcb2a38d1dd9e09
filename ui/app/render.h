// Drawing a frame with as little work as possible: the frame's triangles are
// compared with the last frame's (state/frame_diff.h) and only the rectangles
// that changed are cleared and redrawn; a frame that changes nothing draws
// nothing.
//
// Two renderers draw the same ImGui frame:
//   - WebGL 2 (ImGui's OpenGL 3 backend), where the browser's WebGL runs on a
//     GPU. Needs a drawing buffer that keeps its pixels between frames
//     (preserveDrawingBuffer, set by web/xmedia-lab-api.js).
//   - software (state/soft_raster.h into a 2D canvas with putImageData), where
//     WebGL is itself software (SwiftShader: headless browsers, machines
//     without GPU acceleration, remote desktops) or missing. There WebGL costs
//     hundreds of milliseconds of shader compilation before the first frame
//     and a read-back of the whole canvas every frame; drawing the changed
//     rectangles in wasm costs a few milliseconds.
// The page chooses (web/xmedia-lab-api.js: `?renderer=webgl|software`, else
// software unless the browser offers WebGL 2 without a major performance caveat).
//
//   const Renderer kind = render_choose();  // before the window: WebGL needs a GL context
//   render_init(kind);                      // after ImGui::CreateContext and the GLFW window
//   render_new_frame();                     // before ImGui::NewFrame (builds the font texture)
//   ImGui::Render();
//   render_frame(fb_w, fb_h, clear_rgb);    // after ImGui::Render()
//   render_fonts_changed();                 // the font atlas was rebuilt (scale change)
//   texture_upload(tex, rgba);              // textures.cpp: either renderer
#pragma once
#include <cstdint>

namespace xm {

enum class Renderer { webgl, software };

Renderer render_choose();
void render_init(Renderer kind);
Renderer render_kind();
const char* render_name();  // "webgl" or "software"
void render_new_frame();
void render_fonts_changed();
void render_frame(int fb_w, int fb_h, const float clear_rgb[3]);
// A texture's pixels changed (its screen area is repainted next frame). The
// software renderer reads `rgba` (width*height*4 bytes, kept alive by the
// caller until the next call for this id) when it draws.
void render_texture_changed(unsigned texture_id, int width = 0, int height = 0, const uint8_t* rgba = nullptr);

struct RenderStats {
  unsigned long long frames = 0, skipped = 0, partial = 0, full = 0;
  double painted_fraction_sum = 0;  // of the framebuffer, summed over painted frames
  double draw_ms_sum = 0;           // issuing the draw (WebGL) or rasterising and presenting (software)
};
const RenderStats& render_stats();

}  // namespace xm
