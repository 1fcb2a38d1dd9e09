// libFuzzer target: model cards (wasm/image/model_card.h). An accepted card
// preprocesses a small image the way the page and the CLI do.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "image/model_card.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = xm::fuzz_quiet();
  (void)quiet;
  xm::Result<xm::ModelCard> card = xm::model_card_parse(xm::fuzz_text(data, size), "fuzz.json");
  if (!card) return 0;
  if (int64_t(card->height) * card->width * card->channels > (int64_t(1) << 20)) return 0;  // bounded work per input
  xm::Tensor x01({1, 1, 8, 8}, 0.5f);
  xm::Tensor x = xm::model_card_preprocess(*card, xm::convert_channels(xm::resize_bilinear(x01, card->height, card->width),
                                                                       card->channels));
  (void)xm::model_card_denormalise(*card, x);
  return 0;
}
