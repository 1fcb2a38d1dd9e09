// xmedia phantom / contact-sheet: one synthetic case to .npy (and PNGs), or a
// contact sheet of many.
#include <cstdio>
#include <string>

#include "cli.h"
#include "core/json_writer.h"
#include "image/image_io.h"
#include "image/npy.h"
#include "phantoms/phantom.h"
#include "phantoms/phantom_render.h"

namespace {
using namespace xm;
using namespace xm::cli;

// Applies --label and every --param to a spec; returns an exit code (0 = ok).
int apply_knobs(const Args& a, PhantomSpec& spec) {
  if (a.has("label")) {
    std::string l = a.get("label");
    if (l != "0" && l != "1" && l != "-1") return fail(EXIT_USAGE, a.command() + ": --label wants 0, 1 or -1 (from the seed), got '" + l + "'");
    Status s = phantom_set_knob(spec, "label", l);
    if (!s) return fail(EXIT_USAGE, a.command() + ": " + s.error());
  }
  for (auto& kv : a.params()) {
    Status s = phantom_set_knob(spec, kv.first, kv.second);
    if (!s) return fail(EXIT_USAGE, a.command() + ": " + s.error());
  }
  return EXIT_OK;
}

std::string knob_help() {
  std::string h;
  for (auto& sc : phantom_scenarios()) {
    h += "\n  knobs of " + sc + ":\n";
    std::vector<PhantomKnob> knobs = *phantom_knobs(sc);
    for (auto& k : knobs) {
      char b[96];
      std::snprintf(b, sizeof b, "    %-11s [%g, %g] default %g: ", k.name.c_str(), double(k.min), double(k.max), double(k.def));
      h += b + k.help + "\n";
    }
  }
  return h;
}

int run_phantom(Args& a) {
  if (!a.reject_unknown({"scenario", "seed", "label", "param", "out", "png", "mask"})) return EXIT_USAGE;
  std::string scenario, out;
  if (!a.get_required("scenario", &scenario)) return EXIT_USAGE;
  Result<PhantomSpec> spec = phantom_spec(scenario);
  if (!spec) return fail(EXIT_USAGE, "phantom: " + spec.error());
  long long seed = 0;
  if (!a.get_int("seed", 0, (1LL << 53), 0, &seed)) return EXIT_USAGE;
  if (!a.has("seed")) return fail(EXIT_USAGE, "phantom: missing --seed (see xmedia phantom --help)");
  if (!a.get_required("out", &out)) return EXIT_USAGE;
  if (int rc = apply_knobs(a, *spec)) return rc;
  Result<PhantomCase> c = phantom_generate(*spec, uint64_t(seed));
  if (!c) return fail(EXIT_BAD_INPUT, "phantom: " + c.error());
  Status s = npy_write_file(out, c->image);
  if (!s) return fail(EXIT_BAD_INPUT, "phantom: " + s.error());
  if (a.has("png")) {
    s = png_write_file(a.get("png"), phantom_to_image8(c->image, int(c->image.dim(1))));
    if (!s) return fail(EXIT_BAD_INPUT, "phantom: " + s.error());
  }
  if (a.has("mask")) {
    std::string m = a.get("mask");
    s = m.size() > 4 && m.compare(m.size() - 4, 4, ".npy") == 0 ? npy_write_file(m, c->mask)
                                                                : png_write_file(m, phantom_to_image8(c->mask, 1));
    if (!s) return fail(EXIT_BAD_INPUT, "phantom: " + s.error());
  }
  long mask_pixels = 0;
  for (float v : c->mask.data) mask_pixels += v > 0.5f;
  JsonWriter w(JsonWriter::Style::SPACED);
  w.begin_object();
  w.key("scenario").str(scenario);
  w.key("seed").integer(seed);
  w.key("label").integer(c->label);
  w.key("class").str(phantom_classes(scenario)[size_t(c->label)]);
  w.key("shape").str(shape_str(c->image.shape));
  w.key("mask_pixels").integer(mask_pixels);
  w.end_object();
  std::printf("%s\n", w.text().c_str());
  return EXIT_OK;
}

int run_contact_sheet(Args& a) {
  if (!a.reject_unknown({"scenario", "seed", "cases", "param", "out"})) return EXIT_USAGE;
  std::string out, sc = a.get("scenario", "all");
  if (!a.get_required("out", &out)) return EXIT_USAGE;
  std::vector<std::string> scenarios;
  if (sc == "all") scenarios = phantom_scenarios();
  else if (phantom_channels(sc) == 0) return fail(EXIT_USAGE, "contact-sheet: unknown scenario '" + sc + "' (scenarios: " + phantom_scenario_list() + ", all)");
  else scenarios = {sc};
  long long seed = 1, cases = 12;
  if (!a.get_int("seed", 0, (1LL << 53), 1, &seed) || !a.get_int("cases", 1, 64, 12, &cases)) return EXIT_USAGE;
  for (auto& kv : a.params()) {  // refuse a knob no chosen scenario knows
    bool known = false;
    for (auto& s : scenarios) {
      Result<PhantomSpec> spec = phantom_spec(s);
      if (phantom_get_knob(*spec, kv.first)) {
        Status st = phantom_set_knob(*spec, kv.first, kv.second);
        if (!st) return fail(EXIT_USAGE, "contact-sheet: " + st.error());
        known = true;
      }
    }
    if (!known) return fail(EXIT_USAGE, "contact-sheet: no chosen scenario has a knob '" + kv.first + "'");
  }
  Result<Image8> sheet = phantom_contact_sheet(scenarios, uint64_t(seed), int(cases), a.params());
  if (!sheet) return fail(EXIT_USAGE, "contact-sheet: " + sheet.error());
  Status s = png_write_file(out, *sheet);
  if (!s) return fail(EXIT_BAD_INPUT, "contact-sheet: " + s.error());
  return EXIT_OK;
}

const std::string PHANTOM_USAGE =
    "  --scenario S        cardiac_lge | liver_ct | chest_xray | fundus\n"
    "  --seed N            0..2^53; same seed and knobs, same bytes (natively and in wasm)\n"
    "  --label 0|1|-1      class to draw (default -1: from the seed, 50/50)\n"
    "  --param key=value   a knob (repeatable), see below\n"
    "  --out X.npy         the image, float32 [1,C,128,128] in [0,1]\n"
    "  --png X.png         the image as PNG (optional)\n"
    "  --mask M.png|M.npy  the ground-truth evidence mask (optional; empty when label 0)\n"
    "  prints JSON: scenario, seed, label, class, shape, mask_pixels\n" + knob_help();
const std::string SHEET_USAGE =
    "  --scenario S|all    which scenarios, one block of rows each (default all)\n"
    "  --seed N            first seed (default 1); tiles use N, N+1, ...\n"
    "  --cases K           cases per scenario (default 12)\n"
    "  --param key=value   a knob for every scenario that has it (e.g. label=1, marker=1)\n"
    "  --out sheet.png     the contact sheet: masks outlined in yellow, 'seed label' above each tile\n";

}  // namespace

XM_COMMAND(phantom, "a synthetic case: image .npy (+ PNG, mask) with ground truth", PHANTOM_USAGE.c_str(), run_phantom);
// "contact-sheet" has a hyphen, so it registers without the XM_COMMAND macro.
static xm::cli::CommandRegistrar xm_command_contact_sheet_reg(
    {"contact-sheet", "a PNG grid of phantoms per scenario with masks outlined", SHEET_USAGE.c_str(), run_contact_sheet});
