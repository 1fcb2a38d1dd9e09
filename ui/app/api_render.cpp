// window.xmediaLab.renderStats(): how much of the screen the page repaints
// (ui/render/render.h), for the page benchmark (tools/bench/page.mjs).
#include <string>

#include "app.h"
#include "core/json_writer.h"
#include "render/render.h"

extern "C" const char* xm_api_render_stats_json() {
  xm::App& a = xm::app();
  const xm::RenderStats& s = a.render.stats;
  const unsigned long long painted = s.partial + s.full;
  xm::JsonWriter w(xm::JsonWriter::Style::SPACED);
  w.begin_object();
  w.key("renderer").str(xm::render_name(a.render));
  w.key("frames").integer(s.frames);
  w.key("skipped").integer(s.skipped);
  w.key("partial").integer(s.partial);
  w.key("full").integer(s.full);
  w.key("painted_fraction").fixed(painted ? s.painted_fraction_sum / double(painted) : 0.0, 4);
  w.key("draw_ms_mean").fixed(painted ? s.draw_ms_sum / double(painted) : 0.0, 3);
  w.key("font").str(a.font_source);
  w.end_object();
  return xm::app_api_return(a, w.take());
}
