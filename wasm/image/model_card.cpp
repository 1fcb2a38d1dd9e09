#include "image/model_card.h"

#include <algorithm>
#include <cmath>

#include "core/strings.h"
#include "image/npy.h"

namespace xm {

Result<ModelCard> model_card_parse(const std::string& text, const std::string& name) {
  auto j = json_parse(text, name);
  if (!j) return j.status();
  if (!j->is_object()) return Status::error(name + ": a model card is a JSON object");
  ModelCard c;
  const Json& J = *j;
  c.name = J["name"].str("");
  c.scenario = J["scenario"].str("");
  c.architecture = J["architecture"].str("");
  c.known_flaws = J["known_flaws"].is_string() ? J["known_flaws"].str() : "";
  c.gradcam_layer = J["target_layer_for_gradcam"].str("");
  for (auto& cl : J["classes"].items())
    if (cl.is_string()) c.classes.push_back(cl.str());
  const Json& in = J["input"];
  auto shape = in["shape"].numbers();
  if (!shape.empty()) {
    if (shape.size() != 4 || shape[1] < 1 || shape[1] > 4 || shape[2] < 1 || shape[3] < 1 || shape[2] > 4096 || shape[3] > 4096)
      return Status::error(name + ": input.shape must be [1,C,H,W] with 1 <= C <= 4 and sides up to 4096");
    c.channels = int(shape[1]);
    c.height = int(shape[2]);
    c.width = int(shape[3]);
  }
  auto mean = in["mean"].numbers(), stdv = in["std"].numbers();
  if (!mean.empty()) c.mean.assign(mean.begin(), mean.end());
  if (!stdv.empty()) c.std.assign(stdv.begin(), stdv.end());
  for (float s : c.std)
    if (!(s > 0) || !std::isfinite(s)) return Status::error(name + ": input.std must be positive");
  if ((c.mean.size() != 1 && int(c.mean.size()) != c.channels) || (c.std.size() != 1 && int(c.std.size()) != c.channels))
    return Status::error(name + ": input.mean and input.std need 1 or C values");
  const Json& acc = J["accuracy"];
  if (acc.is_number()) c.accuracy = acc.num();
  else if (acc["held_out"].is_number()) c.accuracy = acc["held_out"].num();
  c.json = J;
  return c;
}

Result<ModelCard> model_card_for_model(const std::string& onnx_path, bool* found) {
  std::string base = onnx_path;
  if (base.size() > 5 && ends_with(base, ".onnx")) base.resize(base.size() - 5);
  std::string path = base + ".json";
  auto bytes = read_file_bytes(path, 1 << 20);
  *found = bool(bytes);
  if (!bytes) {
    ModelCard c;
    size_t slash = base.find_last_of('/');
    c.name = slash == std::string::npos ? base : base.substr(slash + 1);
    return c;
  }
  return model_card_parse(std::string(bytes->begin(), bytes->end()), path);
}

namespace {
// Channel c's mean and std (a card with one value uses it for every channel).
float card_mean(const ModelCard& card, int64_t c) { return card.mean[card.mean.size() == 1 ? 0 : size_t(c)]; }
float card_std(const ModelCard& card, int64_t c) { return card.std[card.std.size() == 1 ? 0 : size_t(c)]; }
}  // namespace

Tensor model_card_preprocess(const ModelCard& card, const Tensor& x01) {
  Tensor x = x01;
  const int64_t C = x.dim(1), HW = x.dim(2) * x.dim(3);
  for (int64_t c = 0; c < C; ++c) {
    const float m = card_mean(card, c), s = card_std(card, c);
    float* p = x.ptr() + c * HW;
    for (int64_t i = 0; i < HW; ++i) p[i] = (p[i] - m) / s;
  }
  return x;
}

Tensor model_card_denormalise(const ModelCard& card, const Tensor& x) {
  Tensor y = x;
  const int64_t C = y.dim(1), HW = y.dim(2) * y.dim(3);
  for (int64_t c = 0; c < C; ++c) {
    const float m = card_mean(card, c), s = card_std(card, c);
    float* p = y.ptr() + c * HW;
    for (int64_t i = 0; i < HW; ++i) p[i] = std::min(1.0f, std::max(0.0f, p[i] * s + m));
  }
  return y;
}

Tensor resize_bilinear(const Tensor& x, int64_t H, int64_t W) {
  const int64_t C = x.dim(1), h = x.dim(2), w = x.dim(3);
  if (h == H && w == W) return x;
  // Shrinking a lot: box-average first to at most 2x the target, then interpolate.
  Tensor src = x;
  while (src.dim(2) >= 2 * H * 2 || src.dim(3) >= 2 * W * 2) {
    const int64_t sh = src.dim(2) >= 2 * H * 2 ? 2 : 1, sw = src.dim(3) >= 2 * W * 2 ? 2 : 1;
    Tensor half({1, C, src.dim(2) / sh, src.dim(3) / sw});
    for (int64_t c = 0; c < C; ++c)
      for (int64_t y = 0; y < half.dim(2); ++y)
        for (int64_t xx = 0; xx < half.dim(3); ++xx) {
          float s = 0;
          for (int64_t dy = 0; dy < sh; ++dy)
            for (int64_t dx = 0; dx < sw; ++dx) s += src.at4(0, c, y * sh + dy, xx * sw + dx);
          half.at4(0, c, y, xx) = s / float(sh * sw);
        }
    src = std::move(half);
  }
  const int64_t sh = src.dim(2), sw = src.dim(3);
  Tensor out({1, C, H, W});
  for (int64_t y = 0; y < H; ++y) {
    float fy = std::max(0.0f, (float(y) + 0.5f) * float(sh) / float(H) - 0.5f);
    int64_t y0 = std::min<int64_t>(int64_t(fy), sh - 1), y1 = std::min<int64_t>(y0 + 1, sh - 1);
    float wy = fy - float(y0);
    for (int64_t xx = 0; xx < W; ++xx) {
      float fx = std::max(0.0f, (float(xx) + 0.5f) * float(sw) / float(W) - 0.5f);
      int64_t x0 = std::min<int64_t>(int64_t(fx), sw - 1), x1 = std::min<int64_t>(x0 + 1, sw - 1);
      float wx = fx - float(x0);
      for (int64_t c = 0; c < C; ++c) {
        float a = src.at4(0, c, y0, x0), b = src.at4(0, c, y0, x1), d = src.at4(0, c, y1, x0), e = src.at4(0, c, y1, x1);
        out.at4(0, c, y, xx) = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
      }
    }
  }
  return out;
}

Tensor convert_channels(const Tensor& x, int channels) {
  const int64_t c_in = x.dim(1), H = x.dim(2), W = x.dim(3);
  if (c_in == channels) return x;
  Tensor out({1, channels, H, W});
  for (int64_t y = 0; y < H; ++y)
    for (int64_t xx = 0; xx < W; ++xx) {
      if (channels == 1) {
        float v = c_in >= 3 ? 0.299f * x.at4(0, 0, y, xx) + 0.587f * x.at4(0, 1, y, xx) + 0.114f * x.at4(0, 2, y, xx)
                            : x.at4(0, 0, y, xx);
        out.at4(0, 0, y, xx) = v;
      } else {
        for (int c = 0; c < channels; ++c) out.at4(0, c, y, xx) = x.at4(0, c < c_in ? c : 0, y, xx);
      }
    }
  return out;
}

}  // namespace xm
