#include "explain/heatmap.h"

#include <algorithm>
#include <cmath>

namespace xm {

namespace {

struct Stop {
  float t;
  uint8_t r, g, b;
};

// Matplotlib's inferno and viridis at 9 stops; RdBu_r-like diverging at 7.
const Stop kInferno[] = {{0.0f, 0, 0, 4},       {0.125f, 31, 12, 72},  {0.25f, 85, 15, 109},
                         {0.375f, 136, 34, 106}, {0.5f, 186, 54, 85},   {0.625f, 227, 89, 51},
                         {0.75f, 249, 140, 10},  {0.875f, 249, 201, 50}, {1.0f, 252, 255, 164}};
const Stop kViridis[] = {{0.0f, 68, 1, 84},     {0.125f, 71, 44, 122}, {0.25f, 59, 81, 139},
                         {0.375f, 44, 113, 142}, {0.5f, 33, 144, 141},  {0.625f, 39, 173, 129},
                         {0.75f, 92, 200, 99},   {0.875f, 170, 220, 50}, {1.0f, 253, 231, 37}};
const Stop kDiverging[] = {{-1.0f, 5, 48, 97},   {-0.66f, 67, 147, 195}, {-0.33f, 171, 217, 233}, {0.0f, 247, 247, 247},
                           {0.33f, 253, 174, 97}, {0.66f, 215, 48, 39},   {1.0f, 103, 0, 13}};

template <size_t N>
void lookup(const Stop (&stops)[N], float t, uint8_t rgb[3]) {
  if (!(t >= stops[0].t)) t = stops[0].t;  // NaN lands here too
  if (t > stops[N - 1].t) t = stops[N - 1].t;
  size_t i = 1;
  while (i < N - 1 && t > stops[i].t) i++;
  const Stop &a = stops[i - 1], &b = stops[i];
  float u = (t - a.t) / (b.t - a.t);
  rgb[0] = uint8_t(std::lround(a.r + (b.r - a.r) * u));
  rgb[1] = uint8_t(std::lround(a.g + (b.g - a.g) * u));
  rgb[2] = uint8_t(std::lround(a.b + (b.b - a.b) * u));
}

}  // namespace

const char* heat_sign_name(HeatSign s) {
  switch (s) {
    case HeatSign::ALL: return "signed";
    case HeatSign::POSITIVE: return "positive";
    case HeatSign::NEGATIVE: return "negative";
    case HeatSign::ABSOLUTE: return "absolute";
  }
  return "?";
}

const char* heat_colormap_name(HeatColormap c) {
  switch (c) {
    case HeatColormap::AUTO: return "auto";
    case HeatColormap::DIVERGING: return "diverging";
    case HeatColormap::INFERNO: return "inferno";
    case HeatColormap::VIRIDIS: return "viridis";
    case HeatColormap::GREY: return "grey";
  }
  return "?";
}

Heat2D heat_from_attribution(const Tensor& a) {
  Heat2D h;
  if (a.rank() != 4 || a.numel() == 0) return h;
  const int64_t C = a.dim(1);
  h.height = int(a.dim(2));
  h.width = int(a.dim(3));
  const size_t HW = size_t(h.height) * size_t(h.width);
  h.v.assign(HW, 0.0f);
  for (int64_t c = 0; c < C; ++c)
    for (size_t i = 0; i < HW; ++i) h.v[i] += a.data[size_t(c) * HW + i];
  for (float x : h.v) h.signed_values = h.signed_values || x < 0;
  return h;
}

float heat_select(HeatSign sign, float v) {
  switch (sign) {
    case HeatSign::ALL: return v;
    case HeatSign::POSITIVE: return v > 0 ? v : 0;
    case HeatSign::NEGATIVE: return v < 0 ? -v : 0;
    case HeatSign::ABSOLUTE: return std::fabs(v);
  }
  return v;
}

HeatScale heat_scale(const Heat2D& h, const HeatView& view) {
  HeatScale s;
  s.symmetric = view.sign == HeatSign::ALL && h.signed_values;
  std::vector<float> mags;
  mags.reserve(h.v.size());
  for (float x : h.v) {
    float m = std::fabs(heat_select(view.sign, x));
    if (std::isfinite(m)) mags.push_back(m);
  }
  if (mags.empty()) return s;
  float p = std::min(100.0f, std::max(50.0f, view.clip_percentile));
  size_t k = size_t(std::floor((p / 100.0f) * float(mags.size() - 1) + 0.5f));
  std::nth_element(mags.begin(), mags.begin() + long(k), mags.end());
  s.hi = mags[k];
  if (!(s.hi > 0)) s.hi = *std::max_element(mags.begin(), mags.end());
  if (!(s.hi > 0)) s.hi = 1.0f;
  return s;
}

HeatColormap heat_effective_colormap(const HeatView& view, const Heat2D& h) {
  if (view.colormap != HeatColormap::AUTO) return view.colormap;
  return view.sign == HeatSign::ALL && h.signed_values ? HeatColormap::DIVERGING : HeatColormap::INFERNO;
}

void heat_colour(HeatColormap cm, float t, uint8_t rgb[3]) {
  switch (cm) {
    case HeatColormap::DIVERGING: lookup(kDiverging, t, rgb); return;
    case HeatColormap::VIRIDIS: lookup(kViridis, t, rgb); return;
    case HeatColormap::GREY: {
      uint8_t g = uint8_t(std::lround(255.0f * std::min(1.0f, std::max(0.0f, std::isfinite(t) ? t : 0.0f))));
      rgb[0] = rgb[1] = rgb[2] = g;
      return;
    }
    default: lookup(kInferno, t, rgb); return;
  }
}

Image8 heat_render(const Tensor& image01, const Heat2D& h, const Tensor* mask, const HeatView& view, const HeatScale& scale) {
  Image8 out;
  const int H = int(image01.dim(2)), W = int(image01.dim(3)), C = int(image01.dim(1));
  out.width = W;
  out.height = H;
  out.channels = 4;
  out.pixels.assign(size_t(W) * size_t(H) * 4, 255);
  const HeatColormap cm = heat_effective_colormap(view, h);
  const bool diverging = cm == HeatColormap::DIVERGING;
  const float alpha = std::min(1.0f, std::max(0.0f, view.opacity));
  const bool have_map = h.width > 0 && h.height > 0 && !h.v.empty();
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      float base[3];
      for (int c = 0; c < 3; ++c) base[c] = image01.at4(0, C >= 3 ? c : 0, y, x);
      float rgbf[3] = {base[0], base[1], base[2]};
      if (have_map) {
        int hy = std::min(h.height - 1, y * h.height / H), hx = std::min(h.width - 1, x * h.width / W);
        float v = heat_select(view.sign, h.v[size_t(hy) * size_t(h.width) + size_t(hx)]);
        float t = diverging ? v / scale.hi : std::fabs(v) / scale.hi;
        t = std::min(1.0f, std::max(diverging ? -1.0f : 0.0f, t));
        uint8_t col[3];
        heat_colour(cm, t, col);
        // Sequential maps fade in with magnitude so small values keep the anatomy visible.
        float a = diverging ? alpha * std::min(1.0f, std::fabs(t) * 1.5f + 0.15f) : alpha * std::min(1.0f, t * 1.2f + 0.1f);
        for (int c = 0; c < 3; ++c) rgbf[c] = base[c] * (1 - a) + (col[c] / 255.0f) * a;
      }
      uint8_t* p = &out.pixels[(size_t(y) * size_t(W) + size_t(x)) * 4];
      for (int c = 0; c < 3; ++c) p[c] = uint8_t(std::lround(255.0f * std::min(1.0f, std::max(0.0f, rgbf[c]))));
    }
  if (mask && view.outline && mask->numel() == size_t(H) * size_t(W)) {
    auto m = [&](int y, int x) { return y >= 0 && x >= 0 && y < H && x < W && mask->data[size_t(y) * size_t(W) + size_t(x)] > 0.5f; };
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        if (m(y, x) && (!m(y - 1, x) || !m(y + 1, x) || !m(y, x - 1) || !m(y, x + 1))) {
          uint8_t* p = &out.pixels[(size_t(y) * size_t(W) + size_t(x)) * 4];
          p[0] = 40;
          p[1] = 255;
          p[2] = 90;
        }
  }
  return out;
}

Image8 heat_overlay(const Tensor& input, const Tensor& attribution, float opacity) {
  const int64_t C = input.dim(1), hw = input.dim(2) * input.dim(3);
  Tensor grey({1, 1, input.dim(2), input.dim(3)});
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < hw; ++i) grey.data[size_t(i)] += input.data[size_t(c * hw + i)] / float(C);
  const auto mm = std::minmax_element(grey.data.begin(), grey.data.end());
  const float lo = *mm.first, span = *mm.second - *mm.first;
  for (float& g : grey.data) g = span > 0 ? (g - lo) / span : 0.5f;
  Heat2D h = heat_from_attribution(attribution);
  HeatView view;
  view.opacity = opacity;
  return heat_render(grey, h, nullptr, view, heat_scale(h, view));
}

Image8 heat_legend(HeatColormap cm, bool symmetric, int w, int h) {
  Image8 out;
  out.width = w;
  out.height = h;
  out.channels = 4;
  out.pixels.assign(size_t(w) * size_t(h) * 4, 255);
  for (int x = 0; x < w; ++x) {
    float u = w > 1 ? float(x) / float(w - 1) : 0.0f;
    uint8_t col[3];
    heat_colour(cm == HeatColormap::AUTO ? HeatColormap::INFERNO : cm, cm == HeatColormap::DIVERGING && symmetric ? 2 * u - 1 : u, col);
    for (int y = 0; y < h; ++y) {
      uint8_t* p = &out.pixels[(size_t(y) * size_t(w) + size_t(x)) * 4];
      p[0] = col[0];
      p[1] = col[1];
      p[2] = col[2];
    }
  }
  return out;
}

}  // namespace xm
