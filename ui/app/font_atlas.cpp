// The UI font and its atlas as a file (font_atlas.h).
#include "font_atlas.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "imgui.h"

namespace xm {

namespace {

// The glyphs the UI and the methods' help texts use; web/CMakeLists.txt
// subsets the shipped TTF to the same ranges (keep the two lists in step).
const ImWchar kRanges[] = {
    0x0020, 0x00FF,  // Basic Latin, Latin-1 (×, ·, ², µ)
    0x0370, 0x03FF,  // Greek (α, β, ε, σ)
    0x2010, 0x205E,  // punctuation (–, —, …, ′)
    0x2070, 0x209F,  // super- and subscripts
    0x2190, 0x21FF,  // arrows
    0x2200, 0x22FF,  // mathematical operators (Σ, −, ≈, ≤, ≥)
    0x25A0, 0x25FF,  // geometric shapes (▲, ▶, ●)
    0,
};

ImFontConfig ui_config(float size_px) {
  ImFontConfig cfg;
  // Whole-pixel glyph positions from a 1x atlas: crisp text, and half the rasterising.
  cfg.OversampleH = 1;
  cfg.PixelSnapH = true;
  cfg.SizePixels = size_px;
  return cfg;
}

constexpr uint32_t kMagic = 0x41464d58;  // "XMFA"
constexpr uint32_t kFormat = 1;
constexpr int kLines = IM_DRAWLIST_TEX_LINES_WIDTH_MAX + 1;

// What an atlas file must have been made with: the glyph ranges, the font
// configuration, the size and this Dear ImGui's layout of glyphs.
uint64_t config_hash(float size_px) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  for (const ImWchar* r = kRanges; *r; ++r) mix(r, sizeof *r);
  const ImFontConfig cfg = ui_config(size_px);
  const int ints[] = {cfg.OversampleH, cfg.OversampleV, cfg.PixelSnapH ? 1 : 0, IMGUI_VERSION_NUM, int(sizeof(ImFontGlyph)),
                      int(sizeof(ImWchar)), kLines};
  mix(ints, sizeof ints);
  mix(&size_px, sizeof size_px);
  return h;
}

struct Writer {
  std::vector<uint8_t> out;
  template <class T>
  void put(const T& v) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof v);
  }
};

struct Reader {
  const uint8_t* p;
  size_t left;
  template <class T>
  bool get(T* v) {
    if (left < sizeof *v) return false;
    std::memcpy(v, p, sizeof *v);
    p += sizeof *v;
    left -= sizeof *v;
    return true;
  }
};

}  // namespace

bool font_add_ui(ImFontAtlas* atlas, float size_px, const char* ttf) {
  FILE* fp = std::fopen(ttf, "rb");
  if (!fp) return false;
  std::fclose(fp);
  ImFontConfig cfg = ui_config(size_px);
  return atlas->AddFontFromFileTTF(ttf, size_px, &cfg, kRanges) != nullptr;
}

std::string font_atlas_path(float size_px, const char* dir) {
  return std::string(dir) + "/ui-" + std::to_string(std::lround(size_px * 100.0f)) + ".atlas";
}

std::vector<uint8_t> font_atlas_save(ImFontAtlas* atlas) {
  unsigned char* px = nullptr;
  int w = 0, h = 0;
  atlas->GetTexDataAsAlpha8(&px, &w, &h);  // builds the atlas if needed
  IM_ASSERT(atlas->Fonts.Size == 1);
  const ImFont* f = atlas->Fonts[0];
  Writer wr;
  wr.put(kMagic);
  wr.put(kFormat);
  wr.put(config_hash(f->FontSize));
  wr.put(f->FontSize);
  wr.put(w);
  wr.put(h);
  wr.put(atlas->TexUvScale);
  wr.put(atlas->TexUvWhitePixel);
  for (int i = 0; i < kLines; ++i) wr.put(atlas->TexUvLines[i]);
  wr.put(f->Ascent);
  wr.put(f->Descent);
  wr.put(f->FallbackChar);
  wr.put(f->EllipsisChar);
  wr.put(f->DotChar);
  wr.put(f->MetricsTotalSurface);
  wr.put(int32_t(f->Glyphs.Size));
  for (const ImFontGlyph& g : f->Glyphs) {
    wr.put(uint32_t(g.Codepoint) | (uint32_t(g.Visible) << 30) | (uint32_t(g.Colored) << 31));
    const float v[] = {g.AdvanceX, g.X0, g.Y0, g.X1, g.Y1, g.U0, g.V0, g.U1, g.V1};
    for (float x : v) wr.put(x);
  }
  wr.out.insert(wr.out.end(), px, px + size_t(w) * size_t(h));
  return wr.out;
}

bool font_atlas_load(ImFontAtlas* atlas, const uint8_t* data, size_t size, float size_px, std::string* why) {
  auto fail = [why](const std::string& m) {
    if (why) *why = m;
    return false;
  };
  if (atlas->Fonts.Size != 0 || atlas->ConfigData.Size != 0) return fail("the atlas already has fonts");
  Reader rd{data, size};
  uint32_t magic = 0, format = 0;
  uint64_t hash = 0;
  float font_size = 0;
  int32_t w = 0, h = 0;
  if (!rd.get(&magic) || magic != kMagic) return fail("not a font atlas file");
  if (!rd.get(&format) || format != kFormat) return fail("font atlas format " + std::to_string(format) + ", expected " + std::to_string(kFormat));
  if (!rd.get(&hash) || !rd.get(&font_size)) return fail("truncated font atlas");
  if (font_size != size_px || hash != config_hash(size_px))
    return fail("the font atlas was made for another size, other glyphs or another Dear ImGui");
  ImVec2 uv_scale, uv_white;
  ImVec4 lines[kLines];
  if (!rd.get(&w) || !rd.get(&h) || !rd.get(&uv_scale) || !rd.get(&uv_white)) return fail("truncated font atlas");
  if (w < 1 || h < 1 || w > 8192 || h > 8192) return fail("font atlas texture of " + std::to_string(w) + "x" + std::to_string(h));
  for (ImVec4& l : lines)
    if (!rd.get(&l)) return fail("truncated font atlas");
  float ascent = 0, descent = 0;
  ImWchar fallback = 0, ellipsis = 0, dot = 0;
  int metrics = 0;
  int32_t n = 0;
  if (!rd.get(&ascent) || !rd.get(&descent) || !rd.get(&fallback) || !rd.get(&ellipsis) || !rd.get(&dot) ||
      !rd.get(&metrics) || !rd.get(&n))
    return fail("truncated font atlas");
  if (n < 1 || size_t(n) > rd.left / (4 + 9 * sizeof(float))) return fail("bad glyph count in font atlas");
  ImVector<ImFontGlyph> glyphs;
  glyphs.resize(n);
  for (ImFontGlyph& g : glyphs) {
    uint32_t bits = 0;
    float v[9];
    rd.get(&bits);
    for (float& x : v) rd.get(&x);
    const uint32_t cp = bits & 0x3fffffffu;
    if (cp > IM_UNICODE_CODEPOINT_MAX) return fail("glyph code point out of range in font atlas");
    for (float x : v)
      if (!std::isfinite(x)) return fail("non-finite glyph metrics in font atlas");
    g.Codepoint = cp;
    g.Visible = (bits >> 30) & 1;
    g.Colored = (bits >> 31) & 1;
    g.AdvanceX = v[0];
    g.X0 = v[1], g.Y0 = v[2], g.X1 = v[3], g.Y1 = v[4];
    g.U0 = v[5], g.V0 = v[6], g.U1 = v[7], g.V1 = v[8];
  }
  if (rd.left != size_t(w) * size_t(h)) return fail("font atlas texture size does not match its pixels");

  ImFontConfig cfg = ui_config(size_px);
  cfg.FontData = nullptr;
  cfg.FontDataOwnedByAtlas = false;
  std::snprintf(cfg.Name, sizeof cfg.Name, "DejaVuSans.ttf, %.2fpx (baked)", double(size_px));
  ImFont* f = IM_NEW(ImFont);
  cfg.DstFont = f;
  atlas->ConfigData.push_back(cfg);
  atlas->Fonts.push_back(f);
  f->ContainerAtlas = atlas;
  f->ConfigData = &atlas->ConfigData[0];
  f->ConfigDataCount = 1;
  f->FontSize = font_size;
  f->Ascent = ascent;
  f->Descent = descent;
  f->FallbackChar = fallback;
  f->EllipsisChar = ellipsis;
  f->DotChar = dot;
  f->MetricsTotalSurface = metrics;
  f->Glyphs.swap(glyphs);
  f->DirtyLookupTables = true;
  f->BuildLookupTable();
  atlas->TexWidth = w;
  atlas->TexHeight = h;
  atlas->TexUvScale = uv_scale;
  atlas->TexUvWhitePixel = uv_white;
  for (int i = 0; i < kLines; ++i) atlas->TexUvLines[i] = lines[i];
  atlas->TexPixelsAlpha8 = static_cast<unsigned char*>(IM_ALLOC(size_t(w) * size_t(h)));
  std::memcpy(atlas->TexPixelsAlpha8, rd.p, size_t(w) * size_t(h));
  atlas->TexReady = true;
  return true;
}

bool font_atlas_load_file(ImFontAtlas* atlas, const std::string& path, float size_px, std::string* why) {
  FILE* fp = std::fopen(path.c_str(), "rb");
  if (!fp) {
    if (why) *why = path + ": not found";
    return false;
  }
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  for (size_t got; (got = std::fread(buf, 1, sizeof buf, fp)) > 0;) {
    bytes.insert(bytes.end(), buf, buf + got);
    if (bytes.size() > (size_t(64) << 20)) break;  // far above any atlas: refused below
  }
  std::fclose(fp);
  return font_atlas_load(atlas, bytes.data(), bytes.size(), size_px, why);
}

}  // namespace xm
