#include "model_input.h"

#include <cmath>
#include <cstdio>

#include "core/strings.h"
#include "image/image_io.h"
#include "image/model_card.h"
#include "image/npy.h"

namespace xm {

namespace {

// Every command that feeds an input refuses NaN and infinities the same way
// (bad input, exit 3) before a model sees them: a NaN logit prints as null and
// a NaN gradient poisons every attribution.
Result<Tensor> refuse_non_finite(Result<Tensor> x, const std::string& input_path) {
  if (!x) return x;
  for (size_t k = 0; k < x->data.size(); ++k)
    if (!std::isfinite(x->data[k]))
      return Status::error(input_path + ": value " + std::to_string(k) + " is " + (std::isnan(x->data[k]) ? "NaN" : "infinite") +
                           "; an input must be finite");
  return x;
}

Result<Tensor> read_model_input(const std::string& model_path, const std::string& input_path, const Shape& model_shape) {
  if (ends_with(input_path, ".npy")) return npy_read_file(input_path);
  if (model_shape.size() != 4)
    return Status::error(input_path + ": an image input needs a model with a [N,C,H,W] input; give a .npy instead");
  bool has_card = false;
  auto card = model_card_for_model(model_path, &has_card);
  if (!card) return card.status();
  if (!has_card) {  // the model's own shape, no normalisation
    card->channels = int(model_shape[1]);
    card->height = int(model_shape[2]);
    card->width = int(model_shape[3]);
  }
  const int C = card->channels;
  if (C != 1 && C != 3) return Status::error(input_path + ": the model wants " + std::to_string(C) + " channels; give a .npy");
  auto img = image_read_file(input_path);
  if (!img) return img.status();
  Tensor x = image_to_tensor(*img, C);
  if (x.shape[2] != card->height || x.shape[3] != card->width) {
    if (!has_card)
      return Status::error(input_path + ": the image is " + std::to_string(x.shape[3]) + "x" + std::to_string(x.shape[2]) +
                           " but the model wants " + std::to_string(card->width) + "x" + std::to_string(card->height) +
                           " and has no model card beside it saying how to resize");
    x = resize_bilinear(x, card->height, card->width);
  }
  return model_card_preprocess(*card, x);
}

}  // namespace

Result<Tensor> cli_read_model_input(const std::string& model_path, const std::string& input_path, const Shape& model_shape) {
  return refuse_non_finite(read_model_input(model_path, input_path, model_shape), input_path);
}

}  // namespace xm
