// xmedia dataset: many phantoms at once, in the layout tools/train reads:
// images.npy uint8 [N,C,128,128] (the phantoms are 8-bit exact, so this is
// lossless: divide by 255), labels.npy uint8 [N], optional masks.npy uint8
// [N,1,128,128], and meta.json with the scenario, seeds and knobs.
#include <cstdio>
#include <string>
#include <utility>

#include "cli.h"
#include "core/json_writer.h"
#include "image/npy.h"
#include "phantoms/phantom.h"
#include "phantoms/phantom_util.h"

namespace {
using namespace xm;
using namespace xm::cli;

// A uint8 .npy header (format 1.0), padded so the data starts at a multiple of 64.
std::vector<uint8_t> npy_u8_header(const std::vector<int64_t>& shape) {
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  std::string h = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, uint8_t(h.size() & 0xff), uint8_t(h.size() >> 8)};
  b.insert(b.end(), h.begin(), h.end());
  return b;
}

uint8_t to_u8(float v) { return uint8_t(v <= 0 ? 0 : v >= 1 ? 255 : int(v * 255.0f + 0.5f)); }

int run_dataset(Args& a) {
  if (!a.reject_unknown({"scenario", "first-seed", "count", "param", "out", "masks", "marker-correlation"})) return EXIT_USAGE;
  std::string scenario, out;
  if (!a.get_required("scenario", &scenario) || !a.get_required("out", &out)) return EXIT_USAGE;
  Result<PhantomSpec> spec = phantom_spec(scenario);
  if (!spec) return fail(EXIT_USAGE, "dataset: " + spec.error());
  long long first = 0, count = 0;
  if (!a.get_int("first-seed", 0, (1LL << 52), 0, &first) || !a.get_int("count", 1, 100000, 1000, &count)) return EXIT_USAGE;
  for (auto& kv : a.params()) {
    Status s = phantom_set_knob(*spec, kv.first, kv.second);
    if (!s) return fail(EXIT_USAGE, "dataset: " + s.error());
  }
  // --marker-correlation p: the burned-in marker agrees with the label with
  // probability p (0.5 = independent), for shortcut experiments.
  double corr = -1;
  if (a.has("marker-correlation")) {
    if (!phantom_get_knob(*spec, "marker")) return fail(EXIT_USAGE, "dataset: --marker-correlation needs a scenario with a 'marker' knob");
    char* end = nullptr;
    std::string t = a.get("marker-correlation");
    corr = std::strtod(t.c_str(), &end);
    if (t.empty() || *end || !(corr >= 0 && corr <= 1)) return fail(EXIT_USAGE, "dataset: --marker-correlation wants a probability 0..1, got '" + t + "'");
  }
  const bool masks = a.flag("masks");
  const int c = phantom_channels(scenario), n = PHANTOM_SIZE;
  std::vector<uint8_t> img = npy_u8_header({count, c, n, n}), lab = npy_u8_header({count}), msk = npy_u8_header({count, 1, n, n});
  size_t img0 = img.size(), lab0 = lab.size(), msk0 = msk.size();
  img.resize(img0 + size_t(count) * size_t(c) * size_t(n) * size_t(n));
  lab.resize(lab0 + size_t(count));
  if (masks) msk.resize(msk0 + size_t(count) * size_t(n) * size_t(n));
  long positives = 0, markers = 0;
  for (long long i = 0; i < count; ++i) {
    uint64_t seed = uint64_t(first + i);
    PhantomSpec s = *spec;
    if (corr >= 0) {
      int label = phantom_label(s, seed);
      phantom::Rng r(seed, 99);
      int marker = r.uniform() < float(corr) ? label : 1 - label;
      Status st = phantom_set_knob(s, "marker", float(marker));
      XM_ASSERT(st.is_ok());
    }
    Result<PhantomCase> pc = phantom_generate(s, seed);
    if (!pc) return fail(EXIT_BAD_INPUT, "dataset: seed " + std::to_string(seed) + ": " + pc.error());
    for (size_t k = 0; k < pc->image.numel(); ++k) img[img0 + size_t(i) * pc->image.numel() + k] = to_u8(pc->image.data[k]);
    if (masks)
      for (size_t k = 0; k < pc->mask.numel(); ++k) msk[msk0 + size_t(i) * pc->mask.numel() + k] = pc->mask.data[k] > 0.5f;
    lab[lab0 + size_t(i)] = uint8_t(pc->label);
    positives += pc->label;
    Result<float> mk = phantom_get_knob(s, "marker");
    if (mk && *mk >= 0.5f) ++markers;
  }
  Status st = write_file_bytes(out + "/images.npy", img.data(), img.size());
  if (st) st = write_file_bytes(out + "/labels.npy", lab.data(), lab.size());
  if (st && masks) st = write_file_bytes(out + "/masks.npy", msk.data(), msk.size());
  JsonWriter w(JsonWriter::Style::SPACED);
  w.begin_object();
  w.key("scenario").str(scenario);
  // The set's integer facts, in meta.json's order.
  const std::pair<const char*, long long> counts[] = {
      {"first_seed", first}, {"count", count}, {"channels", c}, {"positives", positives}, {"markers", markers}};
  for (const auto& [name, v] : counts) w.key(name).integer(v);
  w.key("marker_correlation").num(corr, 6);
  w.key("knobs").begin_object();
  for (size_t k = 0; k < spec->knobs.size(); ++k) w.key(spec->knobs[k].name).num(spec->values[k], 6);
  w.end_object();
  w.key("images").str("uint8, divide by 255");
  w.end_object();
  const std::string meta = w.text() + "\n";
  if (st) st = write_file_bytes(out + "/meta.json", reinterpret_cast<const uint8_t*>(meta.data()), meta.size());
  if (!st) return fail(EXIT_BAD_INPUT, "dataset: " + st.error() + " (does the folder exist?)");
  std::printf("%s", meta.c_str());
  return EXIT_OK;
}

}  // namespace

XM_COMMAND(dataset, "many phantoms as uint8 .npy (images, labels, masks) for training",
           "  --scenario S              cardiac_lge | liver_ct | chest_xray | fundus\n"
           "  --first-seed A            seeds A, A+1, ... (default 0)\n"
           "  --count N                 number of cases (default 1000)\n"
           "  --param key=value         a knob for every case (see xmedia phantom --help)\n"
           "  --marker-correlation P    chest_xray: marker = label with probability P, else its opposite\n"
           "  --masks                   also write masks.npy\n"
           "  --out DIR                 an existing folder: images.npy, labels.npy, [masks.npy], meta.json\n",
           run_dataset);
