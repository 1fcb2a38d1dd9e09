// Internal: the contract between phantom.cpp (knobs, label, quantisation, mask
// threshold) and one generator per scenario (drawing only).
#pragma once
#include <string>
#include <vector>

#include "phantoms/phantom.h"
#include "phantoms/phantom_util.h"

namespace xm {
namespace phantom {

// What a generator reads: knob values by name, the seed and the label.
struct Request {
  const PhantomSpec* spec = nullptr;
  uint64_t seed = 0;
  int label = 0;
  float knob(const char* name) const;  // asserts the knob exists (a bug otherwise)
};

// What a generator draws: C channels in about [0,1] and the soft evidence
// coverage in [0,1] (thresholded at 0.5 into the mask).
struct Drawing {
  std::vector<Canvas> channels;
  Canvas evidence;
};

std::vector<PhantomKnob> cardiac_lge_knobs();
std::vector<PhantomKnob> liver_ct_knobs();
std::vector<PhantomKnob> chest_xray_knobs();
std::vector<PhantomKnob> fundus_knobs();
void cardiac_lge_draw(const Request& r, Drawing& d);
void liver_ct_draw(const Request& r, Drawing& d);
void chest_xray_draw(const Request& r, Drawing& d);
void fundus_draw(const Request& r, Drawing& d);

// Knobs every scenario has (label, size, contrast, noise), first in each list.
std::vector<PhantomKnob> common_knobs(const char* lesion_word);

// Rician magnitude noise and Gaussian noise on a canvas.
void add_gaussian_noise(Canvas& c, Rng& rng, float sigma);
// A detector's correlated noise: unit Gaussian noise from the seed's noise
// stream on an n x n canvas, blurred by `blur_sigma` pixels.
Canvas correlated_noise(uint64_t seed, int n, float blur_sigma);

}  // namespace phantom
}  // namespace xm
