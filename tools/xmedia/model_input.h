// Reading a model's input for the CLI: a .npy is fed as it is; an image (PNG,
// JPEG, BMP) is preprocessed as the model card beside the model says
// (models/NAME.onnx + models/NAME.json: "input": {"shape": [1,C,H,W], "mean": [..], "std": [..]}).
// Without a card, an image must already have the model's size; it is scaled to [0,1].
//
//   Result<Tensor> x = cli_read_model_input("models/m.onnx", "scan.png", model_input_shape);
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace xm {

// model_shape: the model's declared input shape ([-1 or 1, C, H, W]).
Result<Tensor> cli_read_model_input(const std::string& model_path, const std::string& input_path, const Shape& model_shape);

}  // namespace xm
