#include "render/render.h"

#include <GLES3/gl3.h>
#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <vector>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "platform/platform.h"

namespace xm {

namespace {

static_assert(sizeof(ImDrawIdx) == sizeof(uint16_t), "the software renderer takes 16-bit indices");
static_assert(sizeof(ImDrawVert) == sizeof(SoftVertex) && offsetof(ImDrawVert, uv) == offsetof(SoftVertex, u) &&
                  offsetof(ImDrawVert, col) == offsetof(SoftVertex, col),
              "SoftVertex mirrors ImDrawVert");

// The font atlas's texture id in the software renderer (GL texture names are
// small integers, and so are the software renderer's other ids).
constexpr unsigned kSoftFontTexture = 0xFFFFFFF0u;

// The frame's triangles as frame_diff sees them: keys hash each triangle's
// vertices, clip rectangle, texture (and its content version) and the GL state
// set by draw callbacks before it; boxes are in framebuffer pixels.
void snapshot(const ImDrawData* dd, FrameSnapshot& s, RenderState& r) {
  const ImVec2 off = dd->DisplayPos, scale = dd->FramebufferScale;
  s.lists.resize(size_t(dd->CmdListsCount));
  for (int n = 0; n < dd->CmdListsCount; ++n) {
    const ImDrawList* cl = dd->CmdLists[n];
    FrameList& fl = s.lists[size_t(n)];
    const char* owner = cl->_OwnerName ? cl->_OwnerName : "";
    fl.owner = frame_hash(owner, std::strlen(owner));
    fl.tris.clear();
    uint64_t state = 0;
    for (const ImDrawCmd& cmd : cl->CmdBuffer) {
      if (cmd.UserCallback) {
        const void* parts[2] = {reinterpret_cast<const void*>(cmd.UserCallback), cmd.UserCallbackData};
        state = frame_hash(parts, sizeof parts, state);
        fl.tris.push_back({state, DiffRect{}});
        continue;
      }
      const unsigned tex = unsigned(reinterpret_cast<uintptr_t>(cmd.TextureId));
      auto tv = r.texture_versions.find(tex);
      struct {
        ImVec4 clip;
        uint64_t tex, version, state;
      } head{cmd.ClipRect, tex, tv == r.texture_versions.end() ? 0 : tv->second, state};
      const uint64_t cmd_key = frame_hash(&head, sizeof head);
      const float cx0 = (cmd.ClipRect.x - off.x) * scale.x, cy0 = (cmd.ClipRect.y - off.y) * scale.y;
      const float cx1 = (cmd.ClipRect.z - off.x) * scale.x, cy1 = (cmd.ClipRect.w - off.y) * scale.y;
      const ImDrawIdx* idx = cl->IdxBuffer.Data + cmd.IdxOffset;
      const ImDrawVert* vtx = cl->VtxBuffer.Data + cmd.VtxOffset;
      for (unsigned t = 0; t + 2 < cmd.ElemCount; t += 3) {
        const ImDrawVert tri[3] = {vtx[idx[t]], vtx[idx[t + 1]], vtx[idx[t + 2]]};
        float x0 = tri[0].pos.x, x1 = x0, y0 = tri[0].pos.y, y1 = y0;
        for (int k = 1; k < 3; ++k) {
          x0 = std::min(x0, tri[k].pos.x);
          x1 = std::max(x1, tri[k].pos.x);
          y0 = std::min(y0, tri[k].pos.y);
          y1 = std::max(y1, tri[k].pos.y);
        }
        // One pixel of margin: a pixel is painted when its centre is inside.
        DiffRect box{std::max(cx0, std::floor((x0 - off.x) * scale.x) - 1), std::max(cy0, std::floor((y0 - off.y) * scale.y) - 1),
                     std::min(cx1, std::ceil((x1 - off.x) * scale.x) + 1), std::min(cy1, std::ceil((y1 - off.y) * scale.y) + 1)};
        fl.tris.push_back({frame_hash(tri, sizeof tri, cmd_key), box});
      }
    }
  }
}

void clear_callback(const ImDrawList*, const ImDrawCmd* cmd) {
  const ClearRect& c = *static_cast<const ClearRect*>(cmd->UserCallbackData);
  const DiffRect& d = c.rect;
  glEnable(GL_SCISSOR_TEST);
  glScissor(GLint(d.x0), GLint(float(c.fb_h) - d.y1), GLsizei(d.x1 - d.x0), GLsizei(d.y1 - d.y0));
  glClearColor(c.rgb[0], c.rgb[1], c.rgb[2], 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
}

// Shows the changed rectangles of the software canvas: putImageData copies
// only the rectangle it is given. The ImageData views wasm memory directly (it
// is made again when memory grows or the canvas changes size).
EM_JS(void, soft_present, (const uint8_t* px, int w, int h, const float* rects, int n), {
  const c = Module['canvas'];
  let s = Module.xmediaSoft;
  if (!s || s.canvas !== c) {
    // willReadFrequently keeps the canvas in memory: an accelerated canvas
    // (SwiftShader here) copies the whole canvas to the GPU each frame.
    s = Module.xmediaSoft = { canvas: c, ctx: c.getContext('2d', { alpha: false, willReadFrequently: true }), img: null, buf: null, px: 0, w: 0, h: 0 };
  }
  if (!s.ctx) return;
  if (c.width !== w || c.height !== h) return;  // a resize is on its way; the next frame repaints all
  if (s.buf !== HEAPU8.buffer || s.px !== px || s.w !== w || s.h !== h) {
    s.img = new ImageData(new Uint8ClampedArray(HEAPU8.buffer, px, w * h * 4), w, h);
    s.buf = HEAPU8.buffer; s.px = px; s.w = w; s.h = h;
  }
  for (let i = 0; i < n; i++) {
    const r = (rects >> 2) + 4 * i;
    const x0 = HEAPF32[r], y0 = HEAPF32[r + 1], x1 = HEAPF32[r + 2], y1 = HEAPF32[r + 3];
    s.ctx.putImageData(s.img, 0, 0, x0, y0, x1 - x0, y1 - y0);
  }
});

EM_JS(int, page_wants_software, (), {
  return Module.xmediaChooseRenderer ? (Module.xmediaChooseRenderer() === 'software' ? 1 : 0) : 0;
});

// Rasterises every list into each dirty rectangle (cleared first, whole
// pixels) and shows the rectangles.
void draw_software(RenderState& r, const ImDrawData* dd, int fb_w, int fb_h, const std::vector<DiffRect>& dirty,
                   const float clear_rgb[3]) {
  if (r.canvas.width() != fb_w || r.canvas.height() != fb_h) r.canvas.resize(fb_w, fb_h);
  const ImVec2 off = dd->DisplayPos, scale = dd->FramebufferScale;
  const bool identity = off.x == 0 && off.y == 0 && scale.x == 1 && scale.y == 1;
  auto to_byte = [](float c) { return uint8_t(std::lround(std::clamp(c, 0.0f, 1.0f) * 255.0f)); };
  r.present_rects.clear();
  for (const DiffRect& d0 : dirty) {
    const SoftClip d{std::max(0.0f, std::floor(d0.x0)), std::max(0.0f, std::floor(d0.y0)),
                     std::min(float(fb_w), std::ceil(d0.x1)), std::min(float(fb_h), std::ceil(d0.y1))};
    if (!(d.x1 > d.x0 && d.y1 > d.y0)) continue;
    r.canvas.fill(d, to_byte(clear_rgb[0]), to_byte(clear_rgb[1]), to_byte(clear_rgb[2]));
    for (int n = 0; n < dd->CmdListsCount; ++n) {
      const ImDrawList* cl = dd->CmdLists[n];
      const SoftVertex* list_vtx = reinterpret_cast<const SoftVertex*>(cl->VtxBuffer.Data);
      if (!identity) {  // into framebuffer pixels
        r.scratch.assign(list_vtx, list_vtx + cl->VtxBuffer.Size);
        for (SoftVertex& v : r.scratch) {
          v.x = (v.x - off.x) * scale.x;
          v.y = (v.y - off.y) * scale.y;
        }
        list_vtx = r.scratch.data();
      }
      for (const ImDrawCmd& cmd : cl->CmdBuffer) {
        if (cmd.UserCallback) continue;  // the app sets no GL state in software mode
        const SoftClip clip{std::max(d.x0, (cmd.ClipRect.x - off.x) * scale.x), std::max(d.y0, (cmd.ClipRect.y - off.y) * scale.y),
                            std::min(d.x1, (cmd.ClipRect.z - off.x) * scale.x), std::min(d.y1, (cmd.ClipRect.w - off.y) * scale.y)};
        if (!(clip.x1 > clip.x0 && clip.y1 > clip.y0)) continue;
        const unsigned tex_id = unsigned(reinterpret_cast<uintptr_t>(cmd.TextureId));
        auto t = r.soft_textures.find(tex_id);
        const SoftTexture* tex = t == r.soft_textures.end() ? nullptr : &t->second;
        r.canvas.draw(list_vtx + cmd.VtxOffset, cl->IdxBuffer.Data + cmd.IdxOffset, cmd.ElemCount, clip, tex);
      }
    }
    r.present_rects.insert(r.present_rects.end(), {d.x0, d.y0, d.x1, d.y1});
  }
  soft_present(r.canvas.pixels(), fb_w, fb_h, r.present_rects.data(), int(r.present_rects.size() / 4));
}

void draw_webgl(RenderState& r, ImDrawData* dd, int fb_w, int fb_h, const std::vector<DiffRect>& dirty,
                const float clear_rgb[3]) {
  glViewport(0, 0, fb_w, fb_h);
  const float total = float(fb_w) * float(fb_h);
  if (dirty.size() == 1 && dirty[0].area() >= total) {
    glDisable(GL_SCISSOR_TEST);
    glClearColor(clear_rgb[0], clear_rgb[1], clear_rgb[2], 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(dd);
    return;
  }
  // One draw call sequence for all rects (each backend call reads GL state
  // back, which stalls): per rect, a copy of every list clipped to it, led by
  // a callback that clears the rect.
  const ImVec2 off = dd->DisplayPos, scale = dd->FramebufferScale;
  r.clears.clear();
  for (const DiffRect& d : dirty) r.clears.push_back({d, fb_h, {clear_rgb[0], clear_rgb[1], clear_rgb[2]}});
  r.clones.clear();
  int vtx = 0, idx = 0;
  for (const ClearRect& c : r.clears) {
    const DiffRect& d = c.rect;
    const ImVec4 clip(d.x0 / scale.x + off.x, d.y0 / scale.y + off.y, d.x1 / scale.x + off.x, d.y1 / scale.y + off.y);
    for (int n = 0; n < dd->CmdListsCount; ++n) {
      ImDrawList* l = dd->CmdLists[n]->CloneOutput();
      for (ImDrawCmd& cmd : l->CmdBuffer)  // the backend skips commands left with an empty clip
        cmd.ClipRect = ImVec4(std::max(cmd.ClipRect.x, clip.x), std::max(cmd.ClipRect.y, clip.y),
                              std::min(cmd.ClipRect.z, clip.z), std::min(cmd.ClipRect.w, clip.w));
      if (n == 0) {
        ImDrawCmd clear;
        clear.ClipRect = clip;
        clear.UserCallback = clear_callback;
        clear.UserCallbackData = const_cast<ClearRect*>(&c);
        l->CmdBuffer.push_front(clear);
      }
      vtx += l->VtxBuffer.Size;
      idx += l->IdxBuffer.Size;
      r.clones.push_back(l);
    }
  }
  ImDrawData all = *dd;
  all.CmdLists = r.clones.data();
  all.CmdListsCount = int(r.clones.size());
  all.TotalVtxCount = vtx;
  all.TotalIdxCount = idx;
  ImGui_ImplOpenGL3_RenderDrawData(&all);
  for (ImDrawList* l : r.clones) IM_DELETE(l);
  r.clones.clear();
}

}  // namespace

Renderer render_choose() { return page_wants_software() ? Renderer::software : Renderer::webgl; }

void render_init(RenderState& r, Renderer kind) {
  r.kind = kind;
  if (kind == Renderer::webgl) {
    ImGui_ImplOpenGL3_Init("#version 300 es");
    return;
  }
  ImGuiIO& io = ImGui::GetIO();
  io.BackendRendererName = "xmedia_software";
  io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;  // draw lists may exceed 64k vertices
}

Renderer render_kind(const RenderState& r) { return r.kind; }

const char* render_name(const RenderState& r) { return r.kind == Renderer::software ? "software" : "webgl"; }

void render_new_frame(RenderState& r) {
  if (r.kind == Renderer::webgl) {
    ImGui_ImplOpenGL3_NewFrame();
    return;
  }
  ImFontAtlas* fonts = ImGui::GetIO().Fonts;
  if (fonts->TexID == ImTextureID(0) || !fonts->IsBuilt()) {
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    fonts->GetTexDataAsRGBA32(&px, &w, &h);  // the atlas keeps the pixels until it is cleared
    r.soft_textures[kSoftFontTexture] = SoftTexture{w, h, px, false};
    r.texture_versions[kSoftFontTexture]++;
    fonts->SetTexID(ImTextureID(uintptr_t(kSoftFontTexture)));
  }
}

void render_fonts_changed(RenderState& r) {
  ImFontAtlas* fonts = ImGui::GetIO().Fonts;
  if (r.kind == Renderer::webgl) {
    // Only the font texture is re-created: the 1.86 OpenGL backend keeps its
    // vertex/index buffer sizes across DestroyDeviceObjects, so rebuilding
    // everything leaves buffers too small (WebGL "buffer overflow", blank page).
    // Before the first frame there is no texture yet; NewFrame creates it.
    if (fonts->TexID != ImTextureID(0)) {
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
  } else {
    r.soft_textures.erase(kSoftFontTexture);  // its pixels went with the old atlas
    fonts->SetTexID(ImTextureID(0));         // rebuilt by the next render_new_frame
  }
  r.have_prev = false;  // the glyphs changed: repaint everything
}

void render_texture_changed(RenderState& r, unsigned texture_id, int width, int height, const uint8_t* rgba) {
  r.texture_versions[texture_id]++;
  if (r.kind == Renderer::software && rgba) r.soft_textures[texture_id] = SoftTexture{width, height, rgba, true};
}

void render_frame(RenderState& r, int fb_w, int fb_h, const float clear_rgb[3]) {
  ImDrawData* dd = ImGui::GetDrawData();
  r.stats.frames++;
  if (!dd || fb_w <= 0 || fb_h <= 0) return;
  if (std::memcmp(r.clear_rgb, clear_rgb, sizeof r.clear_rgb) != 0) {  // the theme changed: the background too
    std::memcpy(r.clear_rgb, clear_rgb, sizeof r.clear_rgb);
    r.have_prev = false;
  }
  r.cur.width = fb_w;
  r.cur.height = fb_h;
  snapshot(dd, r.cur, r);
  std::vector<DiffRect> dirty;
  if (r.have_prev) dirty = frame_diff(r.prev, r.cur, 3);
  else dirty.push_back(DiffRect{0, 0, float(fb_w), float(fb_h)});
  std::swap(r.prev, r.cur);
  r.have_prev = true;
  if (dirty.empty()) {
    r.stats.skipped++;
    return;
  }
  const float total = float(fb_w) * float(fb_h);
  float painted = 0;
  for (const DiffRect& d : dirty) painted += d.area();
  r.stats.painted_fraction_sum += double(std::min(1.0f, painted / total));
  if (dirty.size() == 1 && dirty[0].area() >= total) r.stats.full++;
  else r.stats.partial++;
  const double t0 = platform_now_ms();
  if (r.kind == Renderer::software) draw_software(r, dd, fb_w, fb_h, dirty, clear_rgb);
  else draw_webgl(r, dd, fb_w, fb_h, dirty, clear_rgb);
  r.stats.draw_ms_sum += platform_now_ms() - t0;
}

}  // namespace xm
