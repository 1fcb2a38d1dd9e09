#include <emscripten.h>
#include <emscripten/html5.h>

#include "platform/platform.h"

namespace xm {
namespace {
bool (*g_frame)(void*) = nullptr;
void* g_user = nullptr;
void frame_thunk(void*) { g_frame(g_user); }
}  // namespace

void platform_run_main_loop(bool (*frame)(void*), void* user) {
  g_frame = frame;
  g_user = user;
  emscripten_set_main_loop_arg(frame_thunk, nullptr, 0, true);
}

double platform_now_ms() { return emscripten_get_now(); }

void platform_canvas_size(int* w, int* h, double* dpr) {
  double cw = 0, ch = 0;
  if (emscripten_get_element_css_size("#canvas", &cw, &ch) != EMSCRIPTEN_RESULT_SUCCESS || cw < 1 || ch < 1) {
    cw = 1280;
    ch = 800;
  }
  *w = int(cw);
  *h = int(ch);
  *dpr = emscripten_get_device_pixel_ratio();
  if (*dpr <= 0) *dpr = 1;
}

void platform_resize_canvas(int w, int h) {
  EM_ASM({ Browser.setCanvasSize($0, $1); }, w, h);
}

void platform_notify_ready() {
  EM_ASM({ if (Module.xmediaOnReady) Module.xmediaOnReady(); });
}

void platform_report_error(const char* message) {
  EM_ASM({ if (Module.xmediaOnError) Module.xmediaOnError(UTF8ToString($0)); else console.warn(UTF8ToString($0)); }, message);
}

void platform_page_request(const char* action, const char* arg) {
  EM_ASM({ if (Module.xmediaRequest) Module.xmediaRequest(UTF8ToString($0), UTF8ToString($1)); }, action, arg);
}

void platform_download(const char* name, const unsigned char* data, unsigned long size, const char* mime) {
  EM_ASM({
    const bytes = HEAPU8.slice($1, $1 + $2);
    const url = URL.createObjectURL(new Blob([bytes], {type: UTF8ToString($3)}));
    const a = document.createElement('a');
    a.href = url;
    a.download = UTF8ToString($0);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    if (Module.xmediaOnDownload) Module.xmediaOnDownload(UTF8ToString($0), $2);
  }, name, data, size, mime);
}

int platform_hardware_threads() {
#ifdef __EMSCRIPTEN_PTHREADS__
  return EM_ASM_INT({ return (typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated) ? (navigator.hardwareConcurrency || 1) : 1; });
#else
  return 1;
#endif
}

}  // namespace xm
