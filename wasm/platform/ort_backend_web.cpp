// The ONNX Runtime Web backend in the wasm builds (see ort_backend.h for the
// design). The JS side is an object with create / run / release:
// Module.xmediaOrt under Node (ort_node_bridge.js, synchronous) or
// window.xmediaOrtBridge in the page (web/xmedia-ort.js, asynchronous).
// Heap memory is only touched here, in EM_JS, so the bridges see plain arrays.
#include <emscripten.h>

#include <cstdio>
#include <vector>

#include "platform/ort_backend.h"

// 0 ok, -1 error (message via xm_ort_js_error).
EM_JS(int, xm_ort_js_create, (int id, const uint8_t* bytes, int n, int threads), {
  const bridge = Module.xmediaOrt || (typeof globalThis.xmediaOrtBridge === 'object' ? globalThis.xmediaOrtBridge : null);
  Module.xmediaOrtErrors = Module.xmediaOrtErrors || {};
  if (!bridge) {
    Module.xmediaOrtErrors[id] = 'ONNX Runtime Web is not available on this page (xmedia-ort.js missing)';
    return -1;
  }
  const err = bridge.create(id, HEAPU8.slice(bytes, bytes + n), threads);
  if (err) { Module.xmediaOrtErrors[id] = String(err); return -1; }
  return 0;
});

// 0 answered (out filled), 1 pending (ask again), -1 error.
EM_JS(int, xm_ort_js_run, (int id, const char* key, const float* input, int count, const int* dims, int rank, float* output, int out_count), {
  const bridge = Module.xmediaOrt || globalThis.xmediaOrtBridge;
  const r = bridge.run(id, UTF8ToString(key), () => HEAPF32.slice(input >> 2, (input >> 2) + count),
                       Array.from(HEAP32.subarray(dims >> 2, (dims >> 2) + rank)));
  if (r.state === 'pending') return 1;
  if (r.state === 'done') {
    if (r.data.length !== out_count) {
      Module.xmediaOrtErrors[id] = 'ONNX Runtime Web answered ' + r.data.length + ' values, expected ' + out_count;
      return -1;
    }
    HEAPF32.set(r.data, output >> 2);
    return 0;
  }
  Module.xmediaOrtErrors[id] = String(r.message || 'ONNX Runtime Web failed');
  return -1;
});

// The output width K for one zero image, when the file does not say it:
// > 0 the width, 0 only known later (the page: ORT answers asynchronously), -1 error.
EM_JS(int, xm_ort_js_probe_width, (int id, const int* dims, int rank), {
  const bridge = Module.xmediaOrt || globalThis.xmediaOrtBridge;
  const d = Array.from(HEAP32.subarray(dims >> 2, (dims >> 2) + rank));
  const n = d.reduce((a, b) => a * b, 1);
  const r = bridge.run(id, 'probe-width', () => new Float32Array(n), d);
  if (r.state === 'pending') return 0;
  if (r.state === 'done') return r.data.length;
  Module.xmediaOrtErrors[id] = String(r.message || 'ONNX Runtime Web failed');
  return -1;
});

EM_JS(void, xm_ort_js_error, (int id, char* buf, int cap), {
  const m = (Module.xmediaOrtErrors && Module.xmediaOrtErrors[id]) || 'ONNX Runtime Web failed';
  stringToUTF8(m, buf, cap);
});

EM_JS(void, xm_ort_js_release, (int id), {
  const bridge = Module.xmediaOrt || globalThis.xmediaOrtBridge;
  if (bridge) bridge.release(id);
});

EM_JS(int, xm_ort_js_present, (), {
  return (Module.xmediaOrt || (typeof globalThis.xmediaOrtBridge === 'object' && globalThis.xmediaOrtBridge)) ? 1 : 0;
});

namespace xm {

namespace {

int g_next_id = 1;

std::string js_error(int id) {
  std::vector<char> b(1024);
  xm_ort_js_error(id, b.data(), int(b.size()));
  return b.data();
}

class OrtBackend : public Backend {
public:
  OrtBackend(int id, BackendInfo info, std::string name) : id_(id), info_(std::move(info)), name_(std::move(name)) {}
  ~OrtBackend() override { xm_ort_js_release(id_); }
  const BackendInfo& info() const override { return info_; }

  Status logits(const Tensor& batch, Tensor* out) override {
    const Shape& want = info_.input_shape;
    bool fits = batch.shape.size() == want.size() && batch.shape[0] >= 1 &&
                int64_t(batch.data.size()) == shape_numel(batch.shape);
    for (size_t i = 1; fits && i < want.size(); ++i) fits = batch.shape[i] == want[i];
    if (!fits)
      return Status::error(name_ + ": ONNX Runtime Web: the batch " + shape_str(batch.shape) +
                           " does not fit the model's input " + shape_str(want));
    char key[32];
    std::snprintf(key, sizeof key, "%016llx", (unsigned long long)backend_batch_hash(batch));
    std::vector<int> dims(batch.shape.begin(), batch.shape.end());
    Tensor o({batch.shape[0], int64_t(info_.num_outputs)});
    const int r = xm_ort_js_run(id_, key, batch.ptr(), int(batch.data.size()), dims.data(), int(dims.size()), o.ptr(),
                                int(o.data.size()));
    if (r == 1) return backend_pending();
    if (r != 0) return Status::error(name_ + ": ONNX Runtime Web: " + js_error(id_));
    *out = std::move(o);
    return Status::ok();
  }

private:
  int id_;
  BackendInfo info_;
  std::string name_;
};

}  // namespace

bool ort_backend_available(std::string* why) {
  if (xm_ort_js_present()) return true;
  if (why) *why = "ONNX Runtime Web is not available here (no bridge script loaded)";
  return false;
}

Result<std::unique_ptr<Backend>> ort_backend_from_bytes(const uint8_t* data, size_t size, const std::string& name,
                                                       int threads) {
  auto info = ort_backend_describe(data, size, name);
  if (!info) return info.status();
  const int id = g_next_id++;
  if (xm_ort_js_create(id, data, int(size), threads) != 0)
    return Status::error(name + ": ONNX Runtime Web: " + js_error(id));
  if (info->num_outputs == 0) {
    std::vector<int> dims(info->input_shape.begin(), info->input_shape.end());
    const int k = xm_ort_js_probe_width(id, dims.data(), int(dims.size()));
    if (k <= 0) {
      xm_ort_js_release(id);
      return Status::error(name + ": ONNX Runtime Web: " +
                           (k == 0 ? std::string("the model does not state its output width; give it a fixed [N,K] output")
                                   : js_error(id)));
    }
    info->num_outputs = k;
  }
  return std::unique_ptr<Backend>(new OrtBackend(id, info.take(), name));
}

}  // namespace xm
