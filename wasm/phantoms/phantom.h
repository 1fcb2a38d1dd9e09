// Synthetic medical cases with ground truth: each scenario draws an image that
// looks like its modality, a class label and a mask of the evidence, all
// determined by a seed and a few knobs (same seed and knobs, same bytes,
// natively and in WebAssembly).
//
//   Result<PhantomSpec> spec = phantom_spec("chest_xray");       // defaults
//   XM_TRY(phantom_set_knob(*spec, "label", 1.0f));
//   XM_TRY(phantom_set_knob(*spec, "marker", "1"));               // text, as from --param
//   Result<PhantomCase> c = phantom_generate(*spec, /*seed=*/42);
//   c->image;  // [1,C,128,128] in [0,1], quantised to 1/255 like an 8-bit image
//   c->mask;   // [1,1,128,128] 0/1, empty when c->label == 0
//
// Scenarios: cardiac_lge (LGE MRI, scar), liver_ct (abdominal CT, focal liver
// lesion), chest_xray (radiograph, nodule; burned-in marker knob), fundus
// (RGB retina photograph, micro-aneurysms/haemorrhages/exudates).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace xm {

constexpr int PHANTOM_SIZE = 128;

// One knob a user can turn. Values outside [min, max] are refused; `integer`
// knobs take whole numbers only. A knob whose min is -1 uses -1 for "drawn
// from the seed" (e.g. label, position).
struct PhantomKnob {
  std::string name;
  float min = 0, max = 1, def = 0;
  bool integer = false;
  std::string help;
};

struct PhantomSpec {
  std::string scenario;
  std::vector<PhantomKnob> knobs;  // the scenario's knob list, in a fixed order
  std::vector<float> values;       // one value per knob
};

struct PhantomCase {
  Tensor image;  // [1,C,128,128], float in [0,1]
  Tensor mask;   // [1,1,128,128], 0 or 1
  int label = 0;
};

// The page's opening case: its scenario (the opening model is the one of the
// same name, models/<scenario>.onnx) and its seed. web/CMakeLists.txt reads
// these two lines to bake the case and to write the page's preloads: keep each
// on one line, in this form.
constexpr const char* PHANTOM_OPENING_SCENARIO = "cardiac_lge";
constexpr uint64_t PHANTOM_OPENING_SEED = 1;

const std::vector<std::string>& phantom_scenarios();
std::string phantom_scenario_list();  // "cardiac_lge, liver_ct, ..." for messages
// A scenario's name for people ("Cardiac LGE MRI"), nullptr if unknown.
const char* phantom_title(const std::string& scenario);
// Channels of a scenario's image (3 for fundus, else 1), 0 if unknown.
int phantom_channels(const std::string& scenario);
// Class names, index = label.
std::vector<std::string> phantom_classes(const std::string& scenario);

Result<std::vector<PhantomKnob>> phantom_knobs(const std::string& scenario);
Result<PhantomSpec> phantom_spec(const std::string& scenario);
Status phantom_set_knob(PhantomSpec& spec, const std::string& name, float value);
// Parses `text` as a number ("true"/"false"/"on"/"off" for 0/1 knobs too).
Status phantom_set_knob(PhantomSpec& spec, const std::string& name, const std::string& text);
Result<float> phantom_get_knob(const PhantomSpec& spec, const std::string& name);

// The label phantom_generate will draw for this seed (the "label" knob, or
// the seed's own 50/50 draw when the knob is -1).
int phantom_label(const PhantomSpec& spec, uint64_t seed);
Result<PhantomCase> phantom_generate(const PhantomSpec& spec, uint64_t seed);

// A generated case as bytes (the 8-bit image, the mask, the label) and back,
// bit for bit: the page loads its opening case baked at build time
// (tools/case_bake) instead of drawing it in the browser's baseline code.
// Decoding refuses bytes that were not made for exactly this spec and seed.
std::vector<uint8_t> phantom_case_encode(const PhantomSpec& spec, uint64_t seed, const PhantomCase& c);
Result<PhantomCase> phantom_case_decode(const uint8_t* data, size_t size, const PhantomSpec& spec, uint64_t seed);
// "<scenario>-<seed>.case", the baked file's name.
std::string phantom_case_file_name(const PhantomSpec& spec, uint64_t seed);

}  // namespace xm
