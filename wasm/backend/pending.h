// A backend whose answers arrive later (ONNX Runtime Web in the browser, where
// inference is a Promise and the page's main loop must not block) answers a
// query it has only started with backend_pending(). The caller keeps
// everything as it was and asks the very same query again on a later frame;
// the backend recognises it (by a hash of the batch) and returns the answer
// once it is there. Explainer::step() passes the status up without cancelling
// the job; PerturbationJob keeps the batch it built, so nothing random
// advances twice.
//
//   Status s = backend.logits(batch, &logits);
//   if (backend_is_pending(s)) return s;   // same call again next frame
//   XM_TRY(s);
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

#include "core/status.h"
#include "tensor/tensor.h"

namespace xm {

// The message of the pending status; not an error the user ever sees.
constexpr const char* BACKEND_PENDING_MESSAGE = "backend: answer pending (ask again)";

inline Status backend_pending() { return Status::error(BACKEND_PENDING_MESSAGE); }
inline bool backend_is_pending(const Status& s) { return !s && s.error() == BACKEND_PENDING_MESSAGE; }

// FNV-1a 64 over a batch's shape and float bits: how an asynchronous backend
// recognises a query asked again.
inline uint64_t backend_batch_hash(const Tensor& t) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  for (int64_t d : t.shape) mix(&d, sizeof d);
  if (!t.data.empty()) mix(t.data.data(), t.data.size() * sizeof(float));
  return h;
}

}  // namespace xm
