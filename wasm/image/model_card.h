// Model cards (models/NAME.json beside models/NAME.onnx) and the preprocessing
// they describe: an image in [0,1] is resized to the card's input size,
// converted to its channel count and normalised as (x - mean[c]) / std[c].
//
//   Result<ModelCard> card = model_card_parse(text, "models/cardiac_lge.json");
//   Tensor x01 = image_to_tensor(img, card->channels);          // [1,C,h,w] in [0,1]
//   Tensor x = model_card_preprocess(*card, resize_bilinear(x01, card->height, card->width));
//   Tensor back = model_card_denormalise(*card, x);              // for display
#pragma once
#include <string>
#include <vector>

#include "core/json.h"
#include "tensor/tensor.h"

namespace xm {

struct ModelCard {
  std::string name, scenario, architecture, known_flaws, gradcam_layer;
  std::vector<std::string> classes;
  int channels = 1, height = 128, width = 128;
  std::vector<float> mean{0.0f}, std{1.0f};  // per channel (one value applies to all)
  double accuracy = -1;                      // held-out accuracy, -1 when unknown
  Json json;                                 // the whole card, for panels that show more
};

Result<ModelCard> model_card_parse(const std::string& text, const std::string& name);
// Reads PATH.json for PATH.onnx; an absent card is not an error (returns a card
// with defaults and `name` from the file name; `*found` tells which).
Result<ModelCard> model_card_for_model(const std::string& onnx_path, bool* found);
// [1,C,H,W] in [0,1] → normalised model input.
Tensor model_card_preprocess(const ModelCard& card, const Tensor& x01);
// Normalised model input → [0,1] (clamped) for display.
Tensor model_card_denormalise(const ModelCard& card, const Tensor& x);
// Resizes [1,C,h,w] to [1,C,H,W] (bilinear, half-pixel centres, with
// area-averaging when shrinking by more than 2 so stripes do not alias).
Tensor resize_bilinear(const Tensor& x, int64_t H, int64_t W);
// Converts [1,c,H,W] to `channels` channels (grey→colour by copies, colour→grey by BT.601 luma).
Tensor convert_channels(const Tensor& x, int channels);

}  // namespace xm
