#include "explain/colormap.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "explain/explain_ops.h"

namespace xm {

namespace {

struct Stop { float t, r, g, b; };

void lerp_stops(const Stop* s, int n, float t, uint8_t rgb[3]) {
  t = std::min(std::max(t, s[0].t), s[n - 1].t);
  int i = 0;
  while (i < n - 2 && t > s[i + 1].t) ++i;
  const float u = (t - s[i].t) / (s[i + 1].t - s[i].t);
  rgb[0] = uint8_t(std::lround(s[i].r + u * (s[i + 1].r - s[i].r)));
  rgb[1] = uint8_t(std::lround(s[i].g + u * (s[i + 1].g - s[i].g)));
  rgb[2] = uint8_t(std::lround(s[i].b + u * (s[i + 1].b - s[i].b)));
}

}  // namespace

void colormap_diverging(float t, uint8_t rgb[3]) {
  // Stops of ColorBrewer's RdBu, reversed so that positive is red.
  static const Stop s[] = {{-1.0f, 5, 48, 97},    {-0.5f, 67, 147, 195}, {0.0f, 247, 247, 247},
                           {0.5f, 214, 96, 77},   {1.0f, 103, 0, 31}};
  lerp_stops(s, 5, t, rgb);
}

void colormap_sequential(float t, uint8_t rgb[3]) {
  static const Stop s[] = {{0.0f, 0, 0, 4},      {0.25f, 87, 16, 110}, {0.5f, 188, 55, 84},
                           {0.75f, 249, 142, 9}, {1.0f, 252, 255, 164}};
  lerp_stops(s, 5, t, rgb);
}

Image8 explain_overlay(const Tensor& image, const Tensor& attribution, float opacity) {
  const int64_t C = image.dim(1), H = image.dim(2), W = image.dim(3), hw = H * W;
  const int64_t ac = attribution.dim(1), ah = attribution.dim(2), aw = attribution.dim(3);
  std::vector<float> grey(static_cast<size_t>(hw), 0.0f), small(static_cast<size_t>(ah * aw), 0.0f), map(static_cast<size_t>(hw));
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < hw; ++i) grey[size_t(i)] += image.data[size_t(c * hw + i)] / float(C);
  const auto mm = std::minmax_element(grey.begin(), grey.end());
  const float lo = *mm.first, span = *mm.second - *mm.first;
  for (int64_t c = 0; c < ac; ++c)
    for (int64_t i = 0; i < ah * aw; ++i) small[size_t(i)] += attribution.data[size_t(c * ah * aw + i)];
  resize_nearest(small.data(), ah, aw, map.data(), H, W);
  bool has_negative = false;
  std::vector<float> mag(map.size());
  for (size_t i = 0; i < map.size(); ++i) {
    has_negative = has_negative || map[i] < 0;
    mag[i] = std::fabs(map[i]);
  }
  const size_t k = std::min(mag.size() - 1, size_t(0.99 * double(mag.size())));
  std::nth_element(mag.begin(), mag.begin() + long(k), mag.end());
  float hi = mag[k];
  if (!(hi > 0)) hi = *std::max_element(mag.begin(), mag.end());
  if (!(hi > 0)) hi = 1.0f;
  Image8 out;
  out.width = int(W);
  out.height = int(H);
  out.channels = 3;
  out.pixels.resize(size_t(hw) * 3);
  for (int64_t i = 0; i < hw; ++i) {
    const float g = span > 0 ? (grey[size_t(i)] - lo) / span : 0.5f;
    float t = std::max(-1.0f, std::min(1.0f, map[size_t(i)] / hi));
    uint8_t rgb[3];
    if (has_negative) colormap_diverging(t, rgb);
    else colormap_sequential(t, rgb);
    const float a = opacity * std::fabs(t);
    for (int c = 0; c < 3; ++c)
      out.pixels[size_t(i) * 3 + size_t(c)] = uint8_t(std::lround((1 - a) * 255.0f * g + a * rgb[c]));
  }
  return out;
}

}  // namespace xm
