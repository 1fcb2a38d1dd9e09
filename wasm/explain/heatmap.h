// Turning an attribution into pixels: channel reduction, sign selection,
// percentile clipping, colormaps and the overlay on the image, with the
// ground-truth outline. Pure functions, shared by the page and tests.
//
//   Heat2D h = heat_from_attribution(result.attribution);         // sums channels, like Captum's visualiser
//   HeatView v;  v.sign = HeatSign::ALL;  v.clip_percentile = 99;
//   HeatScale s = heat_scale(h, v);                               // or one scale shared by a grid
//   Image8 rgba = heat_render(image01, h, &mask, v, s);           // RGBA, the image's size
#pragma once
#include <string>
#include <vector>

#include "image/image_io.h"
#include "tensor/tensor.h"

namespace xm {

enum class HeatSign { ALL, POSITIVE, NEGATIVE, ABSOLUTE };
enum class HeatColormap { AUTO, DIVERGING, INFERNO, VIRIDIS, GREY };

struct HeatView {
  HeatSign sign = HeatSign::ALL;
  HeatColormap colormap = HeatColormap::AUTO;  // AUTO: diverging for signed maps, inferno for magnitudes
  float opacity = 0.6f;                        // 0 = image only, 1 = map only
  float clip_percentile = 99.0f;               // of |values|, 50..100
  bool outline = true;                         // ground-truth mask outline
};

struct Heat2D {
  int height = 0, width = 0;
  std::vector<float> v;  // row-major
  bool signed_values = false;  // any negative value
};

// Value range the colours span: [-hi, hi] for signed views, [0, hi] otherwise.
struct HeatScale {
  float hi = 1.0f;
  bool symmetric = true;
};

const char* heat_sign_name(HeatSign s);
const char* heat_colormap_name(HeatColormap c);
// Sums channels ([1,C,H,W] or [1,1,H,W] → H×W).
Heat2D heat_from_attribution(const Tensor& attribution);
// The value that will be coloured: per sign mode (NEGATIVE shows -min(v,0) as a magnitude).
float heat_select(HeatSign sign, float v);
HeatScale heat_scale(const Heat2D& h, const HeatView& view);
// Colormap lookup: t in [-1,1] for diverging, [0,1] for the others; returns RGB.
void heat_colour(HeatColormap cm, float t, uint8_t rgb[3]);
HeatColormap heat_effective_colormap(const HeatView& view, const Heat2D& h);
// Overlay: image01 [1,C,H,W] in [0,1] (grey or RGB), the map resized to it by
// nearest neighbour, optional mask [1,1,H,W] outlined in green.
Image8 heat_render(const Tensor& image01, const Heat2D& h, const Tensor* mask, const HeatView& view, const HeatScale& scale);
// The CLI's --png: the input of unknown range shown as grey (range-normalised),
// the attribution over it with the default view (AUTO colormap, 99th-percentile scale).
Image8 heat_overlay(const Tensor& input, const Tensor& attribution, float opacity = 0.7f);
// A horizontal legend bar (w×h RGBA) of the colormap.
Image8 heat_legend(HeatColormap cm, bool symmetric, int w, int h);

}  // namespace xm
