// Bakes phantom cases at build time (phantom_case_encode, wasm/phantoms/phantom.h):
// the page's opening case, read instead of drawn at start-up (ui/state/lab.cpp).
//
//   node case_bake.js --dir build/web/cases cardiac_lge:1        // writes cardiac_lge-1.case
//   node case_bake.js --check --dir build/web/cases cardiac_lge:1 // test: the file is the generated case, bit for bit
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "image/npy.h"
#include "phantoms/phantom.h"

using namespace xm;

namespace {

int fail(const std::string& m) {
  std::fprintf(stderr, "error: %s\n", m.c_str());
  return 1;
}

bool same(const Tensor& a, const Tensor& b) { return a.shape == b.shape && a.data == b.data; }

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  bool check = false;
  std::vector<std::pair<std::string, uint64_t>> cases;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--check") check = true;
    else if (size_t c = a.find(':'); c != std::string::npos) cases.push_back({a.substr(0, c), std::strtoull(a.c_str() + c + 1, nullptr, 10)});
    else return fail("bad argument '" + a + "'");
  }
  if (dir.empty() || cases.empty()) return fail("usage: case_bake [--check] --dir DIR SCENARIO:SEED...");
  for (const auto& [scenario, seed] : cases) {
    auto spec = phantom_spec(scenario);
    if (!spec) return fail(spec.error());
    auto c = phantom_generate(*spec, seed);
    if (!c) return fail(c.error());
    const std::string path = dir + "/" + phantom_case_file_name(*spec, seed);
    std::vector<uint8_t> bytes = phantom_case_encode(*spec, seed, *c);
    if (!check) {
      if (Status w = write_file_bytes(path, bytes.data(), bytes.size()); !w) return fail(w.error());
      std::printf("%s: %zu bytes\n", path.c_str(), bytes.size());
      continue;
    }
    // --check: the file decodes to the generated case, bit for bit ...
    auto file = read_file_bytes(path, 1 << 20);
    if (!file) return fail(file.error());
    auto got = phantom_case_decode(file->data(), file->size(), *spec, seed);
    if (!got) return fail(path + ": " + got.error());
    if (!same(got->image, c->image) || !same(got->mask, c->mask) || got->label != c->label)
      return fail(path + ": differs from the generated case");
    // ... and is refused for another seed, other knobs, or altered bytes.
    if (phantom_case_decode(file->data(), file->size(), *spec, seed + 1)) return fail("a case loaded for another seed");
    PhantomSpec other = *spec;
    other.values[1] = other.values[1] == other.knobs[1].max ? other.knobs[1].min : other.knobs[1].max;
    if (phantom_case_decode(file->data(), file->size(), other, seed)) return fail("a case loaded for other knobs");
    for (size_t cut : {size_t(0), size_t(10), size_t(24), file->size() - 1})
      if (phantom_case_decode(file->data(), cut, *spec, seed)) return fail("a truncated case loaded");
    std::vector<uint8_t> bad = *file;
    bad.back() = 7;  // a mask value that is neither 0 nor 1
    if (phantom_case_decode(bad.data(), bad.size(), *spec, seed)) return fail("a case with a bad mask loaded");
    std::printf("%s: the generated case, bit for bit; other seeds, knobs and altered bytes refused\n", path.c_str());
  }
  return 0;
}
