// Turning phantoms into pictures: 8-bit images, mask outlines, contact sheets.
//
//   Image8 rgb = phantom_to_image8(c.image, 3);       // grey images replicated to RGB
//   phantom_outline(rgb, c.mask, {255, 220, 0});      // draw the evidence's border
//   Result<Image8> sheet = phantom_contact_sheet({"chest_xray"}, /*first_seed=*/1, /*cases=*/12, {});
//   png_write_file("sheet.png", *sheet);
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "image/image_io.h"
#include "phantoms/phantom.h"

namespace xm {

// [1,C,H,W] in [0,1] → interleaved 8-bit with `channels` (1 or 3) per pixel.
Image8 phantom_to_image8(const Tensor& image, int channels);
// Colours the border pixels of mask ([1,1,H,W], nonzero = inside) in an RGB image.
void phantom_outline(Image8& rgb, const Tensor& mask, const uint8_t color[3]);
// Draws digits and the letters used in captions (5x7 font scaled by `scale`).
void phantom_draw_text(Image8& rgb, int x, int y, const std::string& text, const uint8_t color[3], int scale);
// A grid: one row of `cases` consecutive seeds per scenario, each tile with the
// mask outlined and "seed label" printed. Knobs apply to every scenario that has them.
Result<Image8> phantom_contact_sheet(const std::vector<std::string>& scenarios, uint64_t first_seed, int cases,
                                     const std::vector<std::pair<std::string, std::string>>& knobs);

}  // namespace xm
