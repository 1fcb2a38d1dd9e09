#include "render.h"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "state/frame_diff.h"

namespace xm {

namespace {

struct ClearRect {
  DiffRect rect;  // framebuffer pixels, y down
  int fb_h;
  float rgb[3];
};

struct Renderer {
  FrameSnapshot prev, cur;
  bool have_prev = false;
  std::unordered_map<unsigned, uint64_t> texture_versions;
  RenderStats stats;
  std::vector<ClearRect> clears;
  std::vector<ImDrawList*> clones;
  float clear_rgb[3] = {-1, -1, -1};
};

Renderer& renderer() {
  static Renderer r;
  return r;
}

// The frame's triangles as frame_diff sees them: keys hash each triangle's
// vertices, clip rectangle, texture (and its content version) and the GL state
// set by draw callbacks before it; boxes are in framebuffer pixels.
void snapshot(const ImDrawData* dd, FrameSnapshot& s, Renderer& r) {
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

}  // namespace

void render_texture_changed(unsigned texture_id) { renderer().texture_versions[texture_id]++; }

void render_invalidate() { renderer().have_prev = false; }

const RenderStats& render_stats() { return renderer().stats; }

void render_frame(int fb_w, int fb_h, const float clear_rgb[3]) {
  Renderer& r = renderer();
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
  glViewport(0, 0, fb_w, fb_h);
  const float total = float(fb_w) * float(fb_h);
  float painted = 0;
  for (const DiffRect& d : dirty) painted += d.area();
  r.stats.painted_fraction_sum += double(std::min(1.0f, painted / total));
  if (dirty.size() == 1 && dirty[0].area() >= total) {
    r.stats.full++;
    glDisable(GL_SCISSOR_TEST);
    glClearColor(clear_rgb[0], clear_rgb[1], clear_rgb[2], 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(dd);
    return;
  }
  r.stats.partial++;
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

}  // namespace xm
