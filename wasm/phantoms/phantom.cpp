// Phantom registry: scenarios, knobs and the shared post-processing of every
// generator (label from the seed, clamping, 8-bit quantisation, mask threshold).
#include "phantoms/phantom.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "phantoms/phantom_scenarios.h"

namespace xm {

namespace phantom {

float Request::knob(const char* name) const {
  for (size_t i = 0; i < spec->knobs.size(); ++i)
    if (spec->knobs[i].name == name) return spec->values[i];
  XM_ASSERT(!"phantom generator read a knob its scenario does not declare");
  return 0.0f;
}

std::vector<PhantomKnob> common_knobs(const char* lesion_word) {
  std::string w = lesion_word;
  return {
      {"label", -1, 1, -1, true, "class: 1 = " + w + " present, 0 = absent, -1 = drawn from the seed (50/50)"},
      {"size", 0.25f, 3, 1, false, "scale of the " + w + " (1 = typical)"},
      {"contrast", 0, 3, 1, false, "visibility of the " + w + " against its surroundings (0 = invisible, 1 = typical)"},
      {"noise", 0, 4, 1, false, "image noise, a multiple of the modality's typical level (0 = none)"},
  };
}

void add_gaussian_noise(Canvas& c, Rng& rng, float sigma) {
  if (sigma <= 0.0f) return;
  for (auto& v : c.v) v += sigma * rng.gauss();
}

Canvas correlated_noise(uint64_t seed, int n, float blur_sigma) {
  Rng nz(seed, PHANTOM_STREAM_NOISE);
  Canvas c(n, n, 0.0f);
  add_gaussian_noise(c, nz, 1.0f);
  blur(c, blur_sigma);
  return c;
}

}  // namespace phantom

namespace {

struct Scenario {
  const char* name;
  const char* title;  // for people: the UI's case panel
  int channels;
  std::vector<std::string> classes;
  std::vector<PhantomKnob> (*knobs)();
  void (*draw)(const phantom::Request&, phantom::Drawing&);
};

const std::vector<Scenario>& scenario_table() {
  static const std::vector<Scenario> t = {
      {"cardiac_lge", "Cardiac LGE MRI", 1, {"no scar", "scar"}, phantom::cardiac_lge_knobs, phantom::cardiac_lge_draw},
      {"liver_ct", "Liver CT", 1, {"no lesion", "focal liver lesion"}, phantom::liver_ct_knobs, phantom::liver_ct_draw},
      {"chest_xray", "Chest X-ray", 1, {"no nodule", "nodule"}, phantom::chest_xray_knobs, phantom::chest_xray_draw},
      {"fundus", "Fundus photo", 3, {"no lesions", "lesions"}, phantom::fundus_knobs, phantom::fundus_draw},
  };
  return t;
}

const Scenario* find_scenario(const std::string& name) {
  for (auto& s : scenario_table())
    if (name == s.name) return &s;
  return nullptr;
}

Status unknown_scenario(const std::string& name) {
  return Status::error("unknown phantom scenario '" + name + "' (scenarios: " + phantom_scenario_list() + ")");
}

std::string num_str(float v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", double(v));
  return b;
}

}  // namespace

const std::vector<std::string>& phantom_scenarios() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (auto& s : scenario_table()) n.push_back(s.name);
    return n;
  }();
  return names;
}

std::string phantom_scenario_list() {
  std::string r;
  for (auto& n : phantom_scenarios()) r += (r.empty() ? "" : ", ") + n;
  return r;
}

const char* phantom_title(const std::string& scenario) {
  const Scenario* s = find_scenario(scenario);
  return s ? s->title : nullptr;
}

int phantom_channels(const std::string& scenario) {
  const Scenario* s = find_scenario(scenario);
  return s ? s->channels : 0;
}

std::vector<std::string> phantom_classes(const std::string& scenario) {
  const Scenario* s = find_scenario(scenario);
  return s ? s->classes : std::vector<std::string>{};
}

Result<std::vector<PhantomKnob>> phantom_knobs(const std::string& scenario) {
  const Scenario* s = find_scenario(scenario);
  if (!s) return unknown_scenario(scenario);
  return s->knobs();
}

Result<PhantomSpec> phantom_spec(const std::string& scenario) {
  const Scenario* s = find_scenario(scenario);
  if (!s) return unknown_scenario(scenario);
  PhantomSpec spec;
  spec.scenario = scenario;
  spec.knobs = s->knobs();
  for (auto& k : spec.knobs) spec.values.push_back(k.def);
  return spec;
}

Status phantom_set_knob(PhantomSpec& spec, const std::string& name, float value) {
  for (size_t i = 0; i < spec.knobs.size(); ++i) {
    const PhantomKnob& k = spec.knobs[i];
    if (k.name != name) continue;
    if (!std::isfinite(value) || value < k.min || value > k.max)
      return Status::error(spec.scenario + ": knob '" + name + "' wants a value from " + num_str(k.min) + " to " +
                           num_str(k.max) + ", got " + num_str(value));
    if (k.integer && value != std::floor(value))
      return Status::error(spec.scenario + ": knob '" + name + "' wants a whole number, got " + num_str(value));
    spec.values[i] = value;
    return Status::ok();
  }
  std::string names;
  for (auto& k : spec.knobs) names += (names.empty() ? "" : ", ") + k.name;
  return Status::error(spec.scenario + ": unknown knob '" + name + "' (knobs: " + names + ")");
}

Status phantom_set_knob(PhantomSpec& spec, const std::string& name, const std::string& text) {
  float v = 0.0f;
  if (text == "true" || text == "on" || text == "yes") v = 1.0f;
  else if (text == "false" || text == "off" || text == "no") v = 0.0f;
  else {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0')
      return Status::error(spec.scenario + ": knob '" + name + "' wants a number, got '" + text + "'");
    v = float(d);
  }
  return phantom_set_knob(spec, name, v);
}

Result<float> phantom_get_knob(const PhantomSpec& spec, const std::string& name) {
  for (size_t i = 0; i < spec.knobs.size(); ++i)
    if (spec.knobs[i].name == name) return spec.values[i];
  return Status::error(spec.scenario + ": unknown knob '" + name + "'");
}

int phantom_label(const PhantomSpec& spec, uint64_t seed) {
  Result<float> lk = phantom_get_knob(spec, "label");
  if (lk && *lk >= 0.0f) return *lk >= 0.5f ? 1 : 0;
  phantom::Rng rng(seed, phantom::PHANTOM_STREAM_LABEL);
  return rng.chance(0.5f) ? 1 : 0;
}

Result<PhantomCase> phantom_generate(const PhantomSpec& spec, uint64_t seed) {
  const Scenario* s = find_scenario(spec.scenario);
  if (!s) return unknown_scenario(spec.scenario);
  if (spec.values.size() != spec.knobs.size()) return Status::error(spec.scenario + ": knob values do not match the knob list");
  for (size_t i = 0; i < spec.knobs.size(); ++i) {
    const PhantomKnob& k = spec.knobs[i];
    float v = spec.values[i];
    if (!std::isfinite(v) || v < k.min || v > k.max)
      return Status::error(spec.scenario + ": knob '" + k.name + "' is out of range (" + num_str(v) + ")");
  }
  phantom::Request req;
  req.spec = &spec;
  req.seed = seed;
  req.label = phantom_label(spec, seed);
  const int n = PHANTOM_SIZE;
  phantom::Drawing d;
  d.evidence = phantom::Canvas(n, n, 0.0f);
  s->draw(req, d);
  XM_ASSERT(int(d.channels.size()) == s->channels);

  PhantomCase out;
  out.label = req.label;
  out.image = Tensor({1, int64_t(s->channels), n, n});
  for (int c = 0; c < s->channels; ++c) {
    XM_ASSERT(d.channels[size_t(c)].w == n && d.channels[size_t(c)].h == n);
    float* dst = out.image.ptr() + size_t(c) * size_t(n) * size_t(n);
    for (size_t i = 0; i < size_t(n) * size_t(n); ++i) {
      float v = phantom::clamp01(d.channels[size_t(c)].v[i]);
      dst[i] = std::floor(v * 255.0f + 0.5f) / 255.0f;  // 8-bit like a stored image; the dataset is lossless in uint8
    }
  }
  out.mask = Tensor({1, 1, n, n});
  if (req.label == 1) {
    size_t best = 0;
    int count = 0;
    for (size_t i = 0; i < out.mask.numel(); ++i) {
      if (d.evidence.v[i] >= 0.5f) {
        out.mask.data[i] = 1.0f;
        ++count;
      }
      if (d.evidence.v[i] > d.evidence.v[best]) best = i;
    }
    // A lesion thinner than a pixel still has a pixel of evidence.
    if (count == 0 && d.evidence.v[best] > 0.0f) out.mask.data[best] = 1.0f;
  }
  return out;
}

// [SECTION] baked cases

namespace {

constexpr uint32_t kCaseMagic = 0x43504d58;  // "XMPC"
constexpr uint32_t kCaseFormat = 1;

// What the bytes must have been made for: the scenario, every knob's name and
// value, the seed and the image size.
uint64_t case_key(const PhantomSpec& spec, uint64_t seed) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  mix(spec.scenario.data(), spec.scenario.size() + 0);
  for (size_t i = 0; i < spec.knobs.size(); ++i) {
    mix(spec.knobs[i].name.data(), spec.knobs[i].name.size());
    if (i < spec.values.size()) mix(&spec.values[i], sizeof(float));
  }
  mix(&seed, sizeof seed);
  const int n = PHANTOM_SIZE;
  mix(&n, sizeof n);
  return h;
}

}  // namespace

std::string phantom_case_file_name(const PhantomSpec& spec, uint64_t seed) {
  return spec.scenario + "-" + std::to_string(seed) + ".case";
}

std::vector<uint8_t> phantom_case_encode(const PhantomSpec& spec, uint64_t seed, const PhantomCase& c) {
  std::vector<uint8_t> out;
  auto put = [&out](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  };
  const uint64_t key = case_key(spec, seed);
  const int32_t channels = int32_t(c.image.dim(1)), label = c.label;
  put(&kCaseMagic, 4);
  put(&kCaseFormat, 4);
  put(&key, 8);
  put(&channels, 4);
  put(&label, 4);
  for (float v : c.image.data) out.push_back(uint8_t(std::lround(v * 255.0f)));  // exactly k/255 (phantom_generate)
  for (float v : c.mask.data) out.push_back(v > 0.5f ? 1 : 0);
  return out;
}

Result<PhantomCase> phantom_case_decode(const uint8_t* data, size_t size, const PhantomSpec& spec, uint64_t seed) {
  const int64_t n = PHANTOM_SIZE;
  const size_t head = 24;
  uint32_t magic = 0, format = 0;
  uint64_t key = 0;
  int32_t channels = 0, label = 0;
  if (size < head) return Status::error("not a baked case (too short)");
  std::memcpy(&magic, data, 4);
  std::memcpy(&format, data + 4, 4);
  std::memcpy(&key, data + 8, 8);
  std::memcpy(&channels, data + 16, 4);
  std::memcpy(&label, data + 20, 4);
  if (magic != kCaseMagic || format != kCaseFormat) return Status::error("not a baked case");
  if (key != case_key(spec, seed)) return Status::error("the baked case was made for other knobs or another seed");
  if (channels != phantom_channels(spec.scenario) || (label != 0 && label != 1)) return Status::error("bad baked case header");
  if (size != head + size_t(channels + 1) * size_t(n * n)) return Status::error("baked case of the wrong size");
  PhantomCase c;
  c.label = label;
  c.image = Tensor({1, channels, n, n});
  const uint8_t* p = data + head;
  for (float& v : c.image.data) v = float(*p++) / 255.0f;
  c.mask = Tensor({1, 1, n, n});
  for (float& v : c.mask.data) {
    if (*p > 1) return Status::error("bad mask in baked case");
    v = float(*p++);
  }
  return c;
}

}  // namespace xm
