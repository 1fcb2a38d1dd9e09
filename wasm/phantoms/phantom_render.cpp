// Phantom pictures: see phantom_render.h.
#include "phantoms/phantom_render.h"

#include <cmath>

namespace xm {

Image8 phantom_to_image8(const Tensor& image, int channels) {
  XM_ASSERT(image.rank() == 4 && (channels == 1 || channels == 3));
  int c_in = int(image.dim(1)), h = int(image.dim(2)), w = int(image.dim(3));
  Image8 out;
  out.width = w;
  out.height = h;
  out.channels = channels;
  out.pixels.resize(size_t(w) * size_t(h) * size_t(channels));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c) {
        float v = image.at4(0, c < c_in ? c : 0, y, x);
        if (channels == 1 && c_in == 3)  // BT.601 luma, as image_to_tensor
          v = 0.299f * image.at4(0, 0, y, x) + 0.587f * image.at4(0, 1, y, x) + 0.114f * image.at4(0, 2, y, x);
        v = v < 0 ? 0 : (v > 1 ? 1 : v);
        out.pixels[(size_t(y) * size_t(w) + size_t(x)) * size_t(channels) + size_t(c)] = uint8_t(std::lround(v * 255.0f));
      }
  return out;
}

void phantom_outline(Image8& rgb, const Tensor& mask, const uint8_t color[3]) {
  XM_ASSERT(rgb.channels == 3 && mask.rank() == 4 && mask.dim(2) == rgb.height && mask.dim(3) == rgb.width);
  int h = rgb.height, w = rgb.width;
  auto in = [&](int x, int y) { return x >= 0 && y >= 0 && x < w && y < h && mask.at4(0, 0, y, x) > 0.5f; };
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      if (!in(x, y)) continue;
      if (in(x - 1, y) && in(x + 1, y) && in(x, y - 1) && in(x, y + 1)) continue;
      for (int c = 0; c < 3; ++c) rgb.pixels[(size_t(y) * size_t(w) + size_t(x)) * 3 + size_t(c)] = color[c];
    }
}

namespace {
// 5x7 glyphs, one byte per row, bit 4 = leftmost column.
struct Glyph {
  char ch;
  uint8_t rows[7];
};
const Glyph FONT[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'s', {0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E}}, {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'=', {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}}, {' ', {0, 0, 0, 0, 0, 0, 0}},
};
}  // namespace

void phantom_draw_text(Image8& rgb, int x, int y, const std::string& text, const uint8_t color[3], int scale) {
  XM_ASSERT(rgb.channels == 3 && scale >= 1);
  for (char ch : text) {
    const Glyph* g = nullptr;
    for (auto& f : FONT)
      if (f.ch == ch) g = &f;
    if (g)
      for (int gy = 0; gy < 7; ++gy)
        for (int gx = 0; gx < 5; ++gx) {
          if (!(g->rows[gy] & (0x10 >> gx))) continue;
          for (int sy = 0; sy < scale; ++sy)
            for (int sx = 0; sx < scale; ++sx) {
              int px = x + gx * scale + sx, py = y + gy * scale + sy;
              if (px < 0 || py < 0 || px >= rgb.width || py >= rgb.height) continue;
              for (int c = 0; c < 3; ++c) rgb.pixels[(size_t(py) * size_t(rgb.width) + size_t(px)) * 3 + size_t(c)] = color[c];
            }
        }
    x += 6 * scale;
  }
}

Result<Image8> phantom_contact_sheet(const std::vector<std::string>& scenarios, uint64_t first_seed, int cases,
                                     const std::vector<std::pair<std::string, std::string>>& knobs) {
  if (scenarios.empty()) return Status::error("contact sheet: no scenario");
  if (cases < 1 || cases > 64) return Status::error("contact sheet: cases must be 1..64");
  const int t = PHANTOM_SIZE, gap = 4, caption = 12;
  const int cols = cases <= 6 ? cases : (cases + 1) / 2 <= 8 ? (cases + 1) / 2 : 8;
  const int rows_per = (cases + cols - 1) / cols;
  Image8 sheet;
  sheet.channels = 3;
  sheet.width = cols * (t + gap) + gap;
  sheet.height = int(scenarios.size()) * rows_per * (t + caption + gap) + gap;
  sheet.pixels.assign(size_t(sheet.width) * size_t(sheet.height) * 3, 24);
  const uint8_t outline[3] = {255, 230, 0}, text[3] = {230, 230, 230};
  for (size_t s = 0; s < scenarios.size(); ++s) {
    Result<PhantomSpec> spec = phantom_spec(scenarios[s]);
    if (!spec) return spec.status();
    for (auto& kv : knobs)
      if (phantom_get_knob(*spec, kv.first)) XM_TRY(phantom_set_knob(*spec, kv.first, kv.second));
    for (int i = 0; i < cases; ++i) {
      uint64_t seed = first_seed + uint64_t(i);
      Result<PhantomCase> c = phantom_generate(*spec, seed);
      if (!c) return c.status();
      Image8 tile = phantom_to_image8(c->image, 3);
      phantom_outline(tile, c->mask, outline);
      int ox = gap + (i % cols) * (t + gap);
      int oy = gap + (int(s) * rows_per + i / cols) * (t + caption + gap);
      for (int y = 0; y < t; ++y)
        for (int x = 0; x < t; ++x)
          for (int ch = 0; ch < 3; ++ch)
            sheet.pixels[(size_t(oy + caption + y) * size_t(sheet.width) + size_t(ox + x)) * 3 + size_t(ch)] =
                tile.pixels[(size_t(y) * size_t(t) + size_t(x)) * 3 + size_t(ch)];
      phantom_draw_text(sheet, ox, oy + 2, "s" + std::to_string(seed) + " L=" + std::to_string(c->label), text, 1);
    }
  }
  return sheet;
}

}  // namespace xm
