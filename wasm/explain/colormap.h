// Attribution overlays for the CLI's --png: a diverging map (blue - white - red)
// for signed attributions and a sequential one (black - purple - orange - yellow,
// after matplotlib's inferno) for magnitudes, blended over the grey image.
//
//   uint8_t rgb[3];
//   colormap_diverging(-0.5f, rgb);                     // t in [-1,1]
//   Image8 png = explain_overlay(x, result.attribution); // RGB, the input's size
#pragma once
#include <cstdint>

#include "image/image_io.h"
#include "tensor/tensor.h"

namespace xm {

void colormap_diverging(float t, uint8_t rgb[3]);   // t in [-1,1], 0 = white
void colormap_sequential(float t, uint8_t rgb[3]);  // t in [0,1]
// image: [1,C,H,W] (shown as grey, range-normalised); attribution: [1,C',H',W']
// summed over channels (as Captum's visualiser does) and resized to H×W by nearest
// neighbour. Signed maps use the diverging colormap scaled to the 99th percentile
// of |a|; maps without negative values the sequential one. Opacity grows with |t|
// up to `opacity`, so weak attributions leave the image visible.
Image8 explain_overlay(const Tensor& image, const Tensor& attribution, float opacity = 0.7f);

}  // namespace xm
