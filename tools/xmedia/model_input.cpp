#include "model_input.h"

#include <cmath>
#include <cstdio>

#include "core/json.h"
#include "image/image_io.h"
#include "image/npy.h"

namespace xm {

namespace {

bool ends_with(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

// Bilinear resize of one [1,C,H,W] tensor (half-pixel centres, as PIL and torchvision do without antialias).
Tensor resize_bilinear(const Tensor& x, int64_t OH, int64_t OW) {
  const int64_t C = x.shape[1], H = x.shape[2], W = x.shape[3];
  Tensor y({1, C, OH, OW});
  for (int64_t c = 0; c < C; ++c)
    for (int64_t oh = 0; oh < OH; ++oh) {
      double sy = std::max(0.0, (oh + 0.5) * double(H) / double(OH) - 0.5);
      int64_t y0 = std::min<int64_t>(int64_t(sy), H - 1), y1 = std::min<int64_t>(y0 + 1, H - 1);
      double fy = sy - double(y0);
      for (int64_t ow = 0; ow < OW; ++ow) {
        double sx = std::max(0.0, (ow + 0.5) * double(W) / double(OW) - 0.5);
        int64_t x0 = std::min<int64_t>(int64_t(sx), W - 1), x1 = std::min<int64_t>(x0 + 1, W - 1);
        double fx = sx - double(x0);
        double v = (1 - fy) * ((1 - fx) * x.at4(0, c, y0, x0) + fx * x.at4(0, c, y0, x1)) +
                   fy * ((1 - fx) * x.at4(0, c, y1, x0) + fx * x.at4(0, c, y1, x1));
        y.at4(0, c, oh, ow) = float(v);
      }
    }
  return y;
}

}  // namespace

Result<Tensor> cli_read_model_input(const std::string& model_path, const std::string& input_path, const Shape& model_shape) {
  if (ends_with(input_path, ".npy")) return npy_read_file(input_path);
  if (model_shape.size() != 4)
    return Status::error(input_path + ": an image input needs a model with a [N,C,H,W] input; give a .npy instead");
  int64_t C = model_shape[1], H = model_shape[2], W = model_shape[3];
  std::vector<double> mean, stdev;
  std::string card_path = model_path;
  if (ends_with(card_path, ".onnx")) card_path.resize(card_path.size() - 5);
  card_path += ".json";
  bool has_card = false;
  if (FILE* f = std::fopen(card_path.c_str(), "rb")) {
    std::fclose(f);
    auto bytes = read_file_bytes(card_path, size_t(1) << 20);
    if (!bytes) return bytes.status();
    auto card = json_parse(std::string(bytes->begin(), bytes->end()), card_path);
    if (!card) return card.status();
    const Json& in = (*card)["input"];
    std::vector<double> shape = in["shape"].numbers();
    if (shape.size() != 4) return Status::error(card_path + ": input.shape must be [1,C,H,W]");
    C = int64_t(shape[1]);
    H = int64_t(shape[2]);
    W = int64_t(shape[3]);
    mean = in["mean"].numbers();
    stdev = in["std"].numbers();
    if ((!mean.empty() && mean.size() != size_t(C)) || (!stdev.empty() && stdev.size() != size_t(C)))
      return Status::error(card_path + ": input.mean and input.std must have one value per channel");
    for (double s : stdev)
      if (!(s > 0)) return Status::error(card_path + ": input.std must be positive");
    has_card = true;
  }
  if (C != 1 && C != 3) return Status::error(input_path + ": the model wants " + std::to_string(C) + " channels; give a .npy");
  auto img = image_read_file(input_path);
  if (!img) return img.status();
  Tensor x = image_to_tensor(*img, int(C));
  if (x.shape[2] != H || x.shape[3] != W) {
    if (!has_card)
      return Status::error(input_path + ": the image is " + std::to_string(x.shape[3]) + "x" + std::to_string(x.shape[2]) +
                           " but the model wants " + std::to_string(W) + "x" + std::to_string(H) +
                           " and has no model card (" + card_path + ") saying how to resize");
    x = resize_bilinear(x, H, W);
  }
  for (int64_t c = 0; c < C; ++c) {
    float m = mean.empty() ? 0.0f : float(mean[size_t(c)]), s = stdev.empty() ? 1.0f : float(stdev[size_t(c)]);
    for (int64_t i = 0; i < H * W; ++i) x.data[size_t(c * H * W + i)] = (x.data[size_t(c * H * W + i)] - m) / s;
  }
  return x;
}

std::string cli_json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char b[32];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

}  // namespace xm
