#include <chrono>
#include <cstdio>
#include <thread>

#include "platform/platform.h"

namespace xm {

void platform_run_main_loop(bool (*frame)(void*), void* user) {
  while (frame(user)) {
  }
}

double platform_now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

void platform_canvas_size(int* w, int* h, double* dpr) {
  *w = 1280;
  *h = 800;
  *dpr = 1.0;
}

void platform_resize_canvas(int, int) {}

void platform_notify_ready() {}

void platform_report_error(const char* message) { std::fprintf(stderr, "error: %s\n", message); }

void platform_page_request(const char*, const char*) {}

void platform_download(const char* name, const unsigned char* data, unsigned long size, const char*) {
  if (FILE* f = std::fopen(name, "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
}

int platform_hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? int(n) : 1;
}

}  // namespace xm
