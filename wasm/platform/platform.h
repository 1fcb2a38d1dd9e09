// The platform layer: the only place that knows whether the core runs in a
// browser (Emscripten) or natively. Everything else calls these functions.
//
//   xm::platform_run_main_loop(frame, &app);   // browser: requestAnimationFrame
//   xm::platform_notify_ready();                 // resolves window.xmediaLab.ready
#pragma once

namespace xm {

// Calls frame(user) once per display frame until it returns false (natively)
// or forever (browser). Never returns in the browser.
void platform_run_main_loop(bool (*frame)(void* user), void* user);
// Milliseconds from a monotonic clock.
double platform_now_ms();
// Size of the page's canvas in CSS pixels and the device pixel ratio.
// Natively: 1280x800 at ratio 1.
void platform_canvas_size(int* css_width, int* css_height, double* device_pixel_ratio);
// Sets the canvas's backing store to w x h device pixels and tells GLFW
// (Emscripten's glfwSetWindowSize would also toggle fullscreen; this does not).
void platform_resize_canvas(int width, int height);
// Tells the page that the first frame has been drawn (browser); no-op natively.
void platform_notify_ready();
// Hands a user-facing message to the page (browser console and status()); stderr natively.
void platform_report_error(const char* message);
// Asks the page to do something only it can: "pick-image" and "pick-model"
// open the file picker, "load-model" fetches the model at URL `arg`; the page
// hands the bytes back through the test API's loaders. No-op natively.
void platform_page_request(const char* action, const char* arg);
// Offers bytes to the user as a download named `name` (browser); writes the file natively.
void platform_download(const char* name, const unsigned char* data, unsigned long size, const char* mime);
// How many threads the core may use: hardware threads natively; in the
// browser 1 unless the page is cross-origin isolated and built with threads.
int platform_hardware_threads();

}  // namespace xm
