// Drawing a frame with as little work as possible: the frame's triangles are
// compared with the last frame's (render/frame_diff.h) and only the rectangles
// that changed are cleared and redrawn; a frame that changes nothing draws
// nothing.
//
// Two renderers draw the same ImGui frame:
//   - WebGL 2 (ImGui's OpenGL 3 backend), where the browser's WebGL runs on a
//     GPU. Needs a drawing buffer that keeps its pixels between frames
//     (preserveDrawingBuffer, set by web/xmedia-lab-api.js).
//   - software (render/soft_raster.h into a 2D canvas with putImageData), where
//     WebGL is itself software (SwiftShader: headless browsers, machines
//     without GPU acceleration, remote desktops) or missing. There WebGL costs
//     hundreds of milliseconds of shader compilation before the first frame
//     and a read-back of the whole canvas every frame; drawing the changed
//     rectangles in wasm costs a few milliseconds.
// The page chooses (web/xmedia-lab-api.js: `?renderer=webgl|software`, else
// software unless the browser offers WebGL 2 without a major performance caveat).
//
//   const Renderer kind = render_choose();   // before the window: WebGL needs a GL context
//   render_init(a.render, kind);             // after ImGui::CreateContext and the GLFW window
//   render_new_frame(a.render);              // before ImGui::NewFrame (builds the font texture)
//   ImGui::Render();
//   render_frame(a.render, fb_w, fb_h, rgb); // after ImGui::Render()
//   render_fonts_changed(a.render);          // the font atlas was rebuilt (scale change)
//   texture_upload(a.render, tex, rgba);     // textures.cpp: either renderer
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "image/image_io.h"
#include "render/frame_diff.h"
#include "render/soft_raster.h"

struct ImDrawList;

namespace xm {

enum class Renderer { webgl, software };

struct RenderStats {
  unsigned long long frames = 0, skipped = 0, partial = 0, full = 0;
  double painted_fraction_sum = 0;  // of the framebuffer, summed over painted frames
  double draw_ms_sum = 0;           // issuing the draw (WebGL) or rasterising and presenting (software)
};

// A rectangle the WebGL renderer clears before redrawing it.
struct ClearRect {
  DiffRect rect;  // framebuffer pixels, y down
  int fb_h;
  float rgb[3];
};

// Everything the renderer keeps between frames; one per page, a member of App (ui/app/app.h).
struct RenderState {
  FrameSnapshot prev, cur;
  bool have_prev = false;
  std::unordered_map<unsigned, uint64_t> texture_versions;
  RenderStats stats;
  std::vector<ClearRect> clears;
  std::vector<ImDrawList*> clones;
  float clear_rgb[3] = {-1, -1, -1};
  Renderer kind = Renderer::webgl;
  // Software renderer: the canvas, the textures it samples, scratch space.
  SoftCanvas canvas;
  std::unordered_map<unsigned, SoftTexture> soft_textures;
  std::vector<SoftVertex> scratch;
  std::vector<float> present_rects;
  // Textures (textures.cpp): the pixels last uploaded per texture id, and the
  // software renderer's next id.
  std::unordered_map<unsigned, std::vector<uint8_t>> uploaded;
  unsigned next_soft_texture = 1;
};

Renderer render_choose();
void render_init(RenderState& r, Renderer kind);
Renderer render_kind(const RenderState& r);
const char* render_name(const RenderState& r);  // "webgl" or "software"
void render_new_frame(RenderState& r);
void render_fonts_changed(RenderState& r);
void render_frame(RenderState& r, int fb_w, int fb_h, const float clear_rgb[3]);
// A texture's pixels changed (its screen area is repainted next frame). The
// software renderer reads `rgba` (width*height*4 bytes, kept alive by the
// caller until the next call for this id) when it draws.
void render_texture_changed(RenderState& r, unsigned texture_id, int width = 0, int height = 0, const uint8_t* rgba = nullptr);

// An RGBA image the renderer can draw (a WebGL texture, or pixels the software
// renderer samples); re-uploaded when its pixels change (textures.cpp).
struct Texture {
  unsigned id = 0;
  int width = 0, height = 0;
  uint64_t version = 0;
};
void texture_upload(RenderState& r, Texture& t, const Image8& rgba);

}  // namespace xm
