// Textures for either renderer (render.h): a WebGL texture, or pixels the
// software renderer samples; uploaded only when a pixel changed.
#include <GLES3/gl3.h>

#include <cstring>
#include <vector>

#include "render/render.h"

namespace xm {

void texture_upload(RenderState& r, Texture& t, const Image8& rgba) {
  if (rgba.width <= 0 || rgba.height <= 0 || rgba.channels != 4) return;
  // Panels hand over their image every frame; the renderer (and the repaint of
  // the screen area showing it, render.h) is only bothered when a pixel changed.
  auto& uploaded = r.uploaded;
  if (t.id && t.width == rgba.width && t.height == rgba.height) {
    const std::vector<uint8_t>& last = uploaded[t.id];
    if (last.size() == rgba.pixels.size() && std::memcmp(last.data(), rgba.pixels.data(), last.size()) == 0) return;
  }
  if (r.kind == Renderer::software) {
    if (!t.id) t.id = r.next_soft_texture++;
    t.width = rgba.width;
    t.height = rgba.height;
    std::vector<uint8_t>& kept = uploaded[t.id];
    kept = rgba.pixels;  // the renderer samples this copy
    render_texture_changed(r, t.id, t.width, t.height, kept.data());
    return;
  }
  if (!t.id) {
    GLuint id;
    glGenTextures(1, &id);
    t.id = id;
    glBindTexture(GL_TEXTURE_2D, id);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    // Nearest when magnified: a 128-pixel image shown at 600 pixels keeps its pixels.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  }
  glBindTexture(GL_TEXTURE_2D, t.id);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  if (t.width != rgba.width || t.height != rgba.height) {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, rgba.width, rgba.height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba.pixels.data());
    t.width = rgba.width;
    t.height = rgba.height;
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, rgba.width, rgba.height, GL_RGBA, GL_UNSIGNED_BYTE, rgba.pixels.data());
  }
  uploaded[t.id] = rgba.pixels;
  render_texture_changed(r, t.id);
}

}  // namespace xm
