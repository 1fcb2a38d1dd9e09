// Small string tests shared by the core, the CLI and the UI.
//
//   ends_with("scan.npy", ".npy");         // true
//   ends_with("scan.NPY", ".npy");         // false: byte for byte
//   ends_with_nocase("scan.NPY", ".npy");  // true: ASCII case folded; the suffix in lower case
#pragma once
#include <cctype>
#include <string>

namespace xm {

inline bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

inline bool ends_with_nocase(const std::string& s, const std::string& lower_suffix) {
  const size_t n = lower_suffix.size();
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - n + i])) != lower_suffix[i]) return false;
  return true;
}

}  // namespace xm
