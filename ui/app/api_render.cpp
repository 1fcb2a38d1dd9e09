// window.xmediaLab.renderStats(): how much of the screen the page repaints
// (ui/app/render.h), for the page benchmark (tools/bench/page.mjs).
#include <cstdio>

#include "app.h"
#include "render.h"

extern "C" const char* xm_api_render_stats_json() {
  static char buf[512];
  const xm::RenderStats& s = xm::render_stats();
  const unsigned long long painted = s.partial + s.full;
  std::snprintf(buf, sizeof buf, "{\"renderer\": \"%s\", \"frames\": %llu, \"skipped\": %llu, \"partial\": %llu, \"full\": %llu, "
                "\"painted_fraction\": %.4f, \"draw_ms_mean\": %.3f, \"font\": \"%s\"}",
                xm::render_name(), s.frames, s.skipped, s.partial, s.full, painted ? s.painted_fraction_sum / double(painted) : 0.0,
                painted ? s.draw_ms_sum / double(painted) : 0.0, xm::app().font_source.c_str());
  return buf;
}
