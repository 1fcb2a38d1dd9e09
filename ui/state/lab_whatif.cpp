// The Lab's what-if part: painted edits on the case and the occlusion probe.
#include <algorithm>
#include <cmath>

#include "image/image_io.h"
#include "image/model_card.h"
#include "state/lab.h"

namespace xm {

Tensor Lab::preprocess(const Tensor& img01) const {
  Tensor x = convert_channels(img01, card_.channels);
  x = resize_bilinear(x, card_.height, card_.width);
  return model_card_preprocess(card_, x);
}

std::vector<float> Lab::softmax(const Tensor& logits) const {
  const size_t K = logits.numel();
  std::vector<float> p(K, 0.0f);
  if (K == 1) {
    p[0] = 1.0f / (1.0f + std::exp(-logits.data[0]));
    return p;
  }
  float mx = *std::max_element(logits.data.begin(), logits.data.end());
  double sum = 0;
  for (size_t k = 0; k < K; ++k) sum += std::exp(double(logits.data[k] - mx));
  for (size_t k = 0; k < K; ++k) p[k] = float(std::exp(double(logits.data[k] - mx)) / sum);
  return p;
}

Status Lab::set_edits(const EditList& edits) {
  XM_TRY(edits_validate(edits));
  if (!npy_input_.data.empty() && !edits.empty())
    return Status::error("this .npy is fed to the model as it is; painting applies to images and synthetic cases");
  if (original01_.numel() == 0) return Status::error("there is no image to edit");
  edits_ = edits;
  image01_ = edits_apply(original01_, edits_);
  image_version_++;
  return refresh_input();
}

Status Lab::probe_occlusion(int x, int y, int size, float fill, std::vector<float>* probs) {
  if (!has_model()) return Status::error("load a model first");
  if (size < 1 || size > 1024) return Status::error("the probe's size must be 1..1024 pixels");
  if (!(fill >= 0.0f && fill <= 1.0f)) return Status::error("the probe's fill value must be in [0, 1]");
  Tensor input;
  if (!npy_input_.data.empty()) {
    // Fed as is: occlude in the model's own units, at the model's resolution.
    input = npy_input_;
    const float sx = float(input.dim(3)) / float(image01_.dim(3)), sy = float(input.dim(2)) / float(image01_.dim(2));
    x = int(std::floor(float(x) * sx));
    y = int(std::floor(float(y) * sy));
    size = std::max(1, int(std::lround(float(size) * sx)));
    const Tensor v = model_card_preprocess(card_, Tensor({1, input.dim(1), 1, 1}, fill));
    const int x0 = x - size / 2, y0 = y - size / 2;
    for (int c = 0; c < int(input.dim(1)); ++c)
      for (int yy = std::max(0, y0); yy < std::min(int(input.dim(2)), y0 + size); ++yy)
        for (int xx = std::max(0, x0); xx < std::min(int(input.dim(3)), x0 + size); ++xx)
          input.at4(0, c, yy, xx) = v.data[size_t(c)];
  } else {
    Tensor img = image01_;
    const int x0 = x - size / 2, y0 = y - size / 2;
    for (int c = 0; c < int(img.dim(1)); ++c)
      for (int yy = std::max(0, y0); yy < std::min(int(img.dim(2)), y0 + size); ++yy)
        for (int xx = std::max(0, x0); xx < std::min(int(img.dim(3)), x0 + size); ++xx) img.at4(0, c, yy, xx) = fill;
    input = preprocess(img);
  }
  Tensor logits;
  XM_TRY(backend_->logits(input, &logits));
  *probs = softmax(logits);
  return Status::ok();
}

}  // namespace xm
