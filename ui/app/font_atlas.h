// The UI font (DejaVu Sans at the UI's pixel size, with the glyph ranges the UI
// and the methods' help texts use) and its atlas as a file.
//
// Rasterising ~700 glyphs with stb_truetype was the slowest step of the page's
// first frame (60-95 ms in the browser's baseline code), and because that one
// call runs long, V8 then also compiled the rasteriser optimised on a
// background thread (~0.45 s of a core) while the page was starting. So the
// atlases for the usual pixel sizes are built at build time by
// tools/font_bake (web/CMakeLists.txt writes build/web/fonts/ui-<size>.atlas),
// the page fetches the one for its device pixel ratio, and other sizes are
// built from the TTF as before.
//
//   ImFontAtlas* atlas = ImGui::GetIO().Fonts;
//   if (!font_atlas_load_file(atlas, font_atlas_path(px), px, &why))   // "/fonts/ui-1500.atlas"
//     font_add_ui(atlas, px);                                        // built from the TTF on first use
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct ImFontAtlas;

namespace xm {

// Where the page puts the font (web/xmedia-lab-api.js).
constexpr const char* kUiFontTtf = "/fonts/DejaVuSans.ttf";
// The UI font's size in pixels at scale 1.
constexpr float kUiFontPx = 15.0f;

// Adds the UI font at size_px from `ttf` to the atlas (built on first use, as
// ImGui does); false when the file cannot be read.
bool font_add_ui(ImFontAtlas* atlas, float size_px, const char* ttf = kUiFontTtf);
// "/fonts/ui-<size_px*100>.atlas": the page's name for a baked atlas.
std::string font_atlas_path(float size_px, const char* dir = "/fonts");
// A built atlas holding one font, as bytes (the texture, the glyphs, the metrics).
std::vector<uint8_t> font_atlas_save(ImFontAtlas* atlas);
// Fills an empty atlas (no fonts) from font_atlas_save's bytes, built and ready
// as if from the TTF. False, with the reason and the atlas left empty, when the
// bytes are not an atlas of the UI font at size_px made with these glyph ranges
// and this Dear ImGui.
bool font_atlas_load(ImFontAtlas* atlas, const uint8_t* data, size_t size, float size_px, std::string* why);
bool font_atlas_load_file(ImFontAtlas* atlas, const std::string& path, float size_px, std::string* why);

}  // namespace xm
