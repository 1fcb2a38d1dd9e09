// Bakes the UI font's atlases at build time (ui/app/font_atlas.h): for each
// pixel size, the atlas Dear ImGui builds from the TTF, written as
// <dir>/ui-<size*100>.atlas for the page to load instead of rasterising.
//
//   node font_bake.js --ttf build/web/fonts/DejaVuSans.ttf --dir build/web/fonts 15 18.75 22.5 30
//   node font_bake.js --check ...   // test: each file loads into exactly the atlas the TTF gives
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "font_atlas.h"
#include "image/npy.h"
#include "imgui.h"

using namespace xm;

namespace {

int fail(const std::string& m) {
  std::fprintf(stderr, "error: %s\n", m.c_str());
  return 1;
}

// Every field a frame reads: textures, UVs, metrics, glyphs and lookup tables.
std::string compare(ImFontAtlas* a, ImFontAtlas* b) {
  unsigned char *pa = nullptr, *pb = nullptr;
  int wa = 0, ha = 0, wb = 0, hb = 0;
  a->GetTexDataAsAlpha8(&pa, &wa, &ha);
  b->GetTexDataAsAlpha8(&pb, &wb, &hb);
  if (wa != wb || ha != hb) return "texture size";
  if (std::memcmp(pa, pb, size_t(wa) * size_t(ha)) != 0) return "texture pixels";
  unsigned char *ra = nullptr, *rb = nullptr;
  a->GetTexDataAsRGBA32(&ra, &wa, &ha);
  b->GetTexDataAsRGBA32(&rb, &wb, &hb);
  if (std::memcmp(ra, rb, size_t(wa) * size_t(ha) * 4) != 0) return "RGBA texture";
  if (a->TexUvScale.x != b->TexUvScale.x || a->TexUvScale.y != b->TexUvScale.y) return "TexUvScale";
  if (a->TexUvWhitePixel.x != b->TexUvWhitePixel.x || a->TexUvWhitePixel.y != b->TexUvWhitePixel.y) return "TexUvWhitePixel";
  if (std::memcmp(a->TexUvLines, b->TexUvLines, sizeof a->TexUvLines) != 0) return "TexUvLines";
  if (!a->IsBuilt() || !b->IsBuilt() || a->Fonts.Size != 1 || b->Fonts.Size != 1) return "fonts";
  const ImFont& fa = *a->Fonts[0];
  const ImFont& fb = *b->Fonts[0];
  if (fa.FontSize != fb.FontSize || fa.Ascent != fb.Ascent || fa.Descent != fb.Descent || fa.Scale != fb.Scale)
    return "font metrics";
  if (fa.FallbackChar != fb.FallbackChar || fa.EllipsisChar != fb.EllipsisChar || fa.DotChar != fb.DotChar ||
      fa.FallbackAdvanceX != fb.FallbackAdvanceX || fa.MetricsTotalSurface != fb.MetricsTotalSurface)
    return "font fallback and ellipsis";
  if (fa.Glyphs.Size != fb.Glyphs.Size || std::memcmp(fa.Glyphs.Data, fb.Glyphs.Data, size_t(fa.Glyphs.Size) * sizeof(ImFontGlyph)) != 0)
    return "glyphs";
  if (fa.IndexAdvanceX.Size != fb.IndexAdvanceX.Size ||
      std::memcmp(fa.IndexAdvanceX.Data, fb.IndexAdvanceX.Data, size_t(fa.IndexAdvanceX.Size) * sizeof(float)) != 0)
    return "advance index";
  if (fa.IndexLookup.Size != fb.IndexLookup.Size ||
      std::memcmp(fa.IndexLookup.Data, fb.IndexLookup.Data, size_t(fa.IndexLookup.Size) * sizeof(ImWchar)) != 0)
    return "glyph index";
  if (std::memcmp(fa.Used4kPagesMap, fb.Used4kPagesMap, sizeof fa.Used4kPagesMap) != 0) return "4k pages map";
  if ((fa.FallbackGlyph - fa.Glyphs.Data) != (fb.FallbackGlyph - fb.Glyphs.Data)) return "fallback glyph";
  // And text measures the same.
  const char* text = "Integrated Gradients: Σ ≈ 0.97 × (x − x′) — α=0.5 ▶ µ";
  const ImVec2 sa = fa.CalcTextSizeA(fa.FontSize, 1e9f, 120.0f, text), sb = fb.CalcTextSizeA(fb.FontSize, 1e9f, 120.0f, text);
  if (sa.x != sb.x || sa.y != sb.y) return "text size";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  std::string ttf, dir;
  bool check = false;
  std::vector<float> sizes;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--ttf" && i + 1 < argc) ttf = argv[++i];
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--check") check = true;
    else {
      char* end = nullptr;
      const float s = std::strtof(argv[i], &end);
      if (!end || *end || !(s >= 4 && s <= 200)) return fail("bad argument '" + a + "'");
      sizes.push_back(s);
    }
  }
  if (ttf.empty() || dir.empty() || sizes.empty())
    return fail("usage: font_bake [--check] --ttf FONT.ttf --dir DIR SIZE_PX...");
  ImGui::CreateContext();
  for (float px : sizes) {
    const std::string path = font_atlas_path(px, dir.c_str());
    ImFontAtlas built;
    if (!font_add_ui(&built, px, ttf.c_str())) return fail(ttf + ": cannot read the font");
    std::vector<uint8_t> bytes = font_atlas_save(&built);
    if (!check) {
      if (Status w = write_file_bytes(path, bytes.data(), bytes.size()); !w) return fail(w.error());
      std::printf("%s: %zu bytes\n", path.c_str(), bytes.size());
      continue;
    }
    // --check: the file on disk loads into the atlas the TTF gives, field by field.
    ImFontAtlas loaded;
    std::string why;
    if (!font_atlas_load_file(&loaded, path, px, &why)) return fail(path + ": " + why);
    if (std::string d = compare(&built, &loaded); !d.empty()) return fail(path + ": differs from the TTF's atlas in " + d);
    // Refused: another size, truncated or altered files, and the TTF's atlas stays usable after a refusal.
    ImFontAtlas other;
    if (font_atlas_load(&other, bytes.data(), bytes.size(), px + 1, &why)) return fail("an atlas loaded at another size");
    for (size_t cut : {size_t(0), size_t(3), size_t(40), bytes.size() / 2, bytes.size() - 1})
      if (font_atlas_load(&other, bytes.data(), cut, px, &why) || other.Fonts.Size != 0)
        return fail("a truncated atlas (" + std::to_string(cut) + " bytes) loaded");
    std::vector<uint8_t> bad = bytes;
    bad[0] ^= 1;
    if (font_atlas_load(&other, bad.data(), bad.size(), px, &why)) return fail("an atlas with a bad magic loaded");
    // A glyph count far above the bytes there are.
    bad = bytes;
    const size_t count_at = 4 + 4 + 8 + 4 + 4 + 4 + 8 + 8 + sizeof(ImVec4) * (IM_DRAWLIST_TEX_LINES_WIDTH_MAX + 1) + 4 + 4 + 3 * sizeof(ImWchar) + 4;
    const int32_t huge = 0x7fffffff;
    std::memcpy(bad.data() + count_at, &huge, 4);
    if (font_atlas_load(&other, bad.data(), bad.size(), px, &why)) return fail("an atlas with a huge glyph count loaded");
    if (font_atlas_load(&loaded, bytes.data(), bytes.size(), px, &why)) return fail("loaded into an atlas that has a font");
    // Random corruption of the body never crashes (it loads or is refused).
    uint64_t s = 0x9E3779B97F4A7C15ull ^ uint64_t(px * 100);
    for (int k = 0; k < 300; ++k) {
      bad = bytes;
      for (int j = 0; j < 4; ++j) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        bad[size_t(s % bad.size())] ^= uint8_t(1u << (s >> 60 & 7));
      }
      ImFontAtlas fuzz;
      if (font_atlas_load(&fuzz, bad.data(), bad.size(), px, &why)) {
        unsigned char* p = nullptr;
        int w = 0, h = 0;
        fuzz.GetTexDataAsRGBA32(&p, &w, &h);
        if (!p || !fuzz.IsBuilt()) return fail("a loaded atlas is not usable");
      }
    }
    std::printf("%s: %zu bytes, the same atlas as the TTF's; corrupt copies refused\n", path.c_str(), bytes.size());
  }
  ImGui::DestroyContext();
  return 0;
}
