// The native Backend (backend/backend.h) on the differentiable engine: logits,
// input gradients for any seed, activation + gradient at a named tensor, and
// the guided-backprop ReLU rule. Batches are split to stay under a memory bound.
//
//   auto b = native_backend_from_file("models/chest_xray.onnx");
//   if (!b) return fail(b.error());
//   Tensor logits;
//   XM_TRY((*b)->logits(batch, &logits));
#pragma once
#include <memory>
#include <string>

#include "backend/backend.h"
#include "core/status.h"

namespace xm {

class Engine;

// Arena bytes one call may plan for; larger batches are split.
constexpr size_t NATIVE_BACKEND_MEMORY_BOUND = size_t(256) << 20;

Result<std::unique_ptr<Backend>> native_backend_from_file(const std::string& path);
Result<std::unique_ptr<Backend>> native_backend_from_bytes(const uint8_t* data, size_t size, const std::string& name);
// For callers that already hold an engine (e.g. the CLI's bench).
Result<std::unique_ptr<Backend>> native_backend_from_engine(std::unique_ptr<Engine> engine, const std::string& name);

}  // namespace xm
