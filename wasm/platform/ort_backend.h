// ONNX Runtime Web as a second Backend (backend/backend.h): logits only (ORT
// cannot differentiate), for models the native engine refuses (an LSTM, say)
// and for parity checks against the native engine on the same queries.
//
//   auto b = ort_backend_from_bytes(bytes.data(), bytes.size(), "m.onnx", /*threads=*/1);
//   if (!b) return fail(b.error());           // natively: "only in the wasm build"
//   Tensor logits;
//   Status s = (*b)->logits(batch, &logits);  // in the browser: backend_pending() first,
//   if (backend_is_pending(s)) ...            // the answer when asked again (backend/pending.h)
//
// How the synchronous core talks to an asynchronous library (why it looks so):
// - Under Node (`node xmedia.js --backend ort`): ORT runs in a worker_threads
//   Worker (wasm/platform/ort_node_bridge.js, a --pre-js); logits() posts the
//   batch and blocks on Atomics.wait until the worker answers, then takes the
//   reply with receiveMessageOnPort. Node allows blocking its main thread, so
//   the CLI, the benchmark and the tests see a plain synchronous backend.
// - In the browser the main thread must never block: logits() hands the batch
//   to web/xmedia-ort.js, which starts session.run() and answers
//   backend_pending(); the Lab asks the same query again on the next frame and
//   gets the cached answer (matched by a hash of the batch). ORT's files are
//   imported from the site itself (ort/ next to the page) on the first query,
//   never on page load; ORT uses wasm threads only when the page is
//   cross-origin isolated.
// - Natively there is no ORT: every constructor fails with a clear message.
// The model's input shape and output width come from our own ONNX parser
// (onnx/onnx_model.h), which reads any model whatever its ops, so the backend
// describes itself synchronously before ORT is even loaded.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "backend/backend.h"
#include "backend/pending.h"
#include "core/status.h"

namespace xm {

// Whether this build can run ONNX Runtime Web; `why` says why not.
bool ort_backend_available(std::string* why);
// threads: ORT's wasm threads; 0 = automatic (browser: the cores when
// cross-origin isolated, else 1; Node: 1).
Result<std::unique_ptr<Backend>> ort_backend_from_bytes(const uint8_t* data, size_t size, const std::string& name,
                                                       int threads);
Result<std::unique_ptr<Backend>> ort_backend_from_file(const std::string& path, int threads);

// The BackendInfo an ORT backend reports for this model (name "ort", logits
// only): one float input [N,C,...] and one output [N,K]; num_outputs is 0 when
// the file does not say K (the backend then asks ORT once). Shared
// with the native stub so that the error messages are the same everywhere.
Result<BackendInfo> ort_backend_describe(const uint8_t* data, size_t size, const std::string& name);

}  // namespace xm
