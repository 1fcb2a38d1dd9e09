// Which widget a method parameter gets in the page, read from its ParamSpec
// (default value and one-line help, the same text `xmedia explain --help`
// prints), so a new method gets sensible widgets without UI code.
//
//   ParamKind k = param_kind({"steps", "50", "integration points, 1..4096"});
//   // k.type == ParamType::INT, k.lo == 1, k.hi == 4096, k.log_scale == true
//   ParamKind r = param_kind({"rule", "gausslegendre", "riemann_left | ... | gausslegendre"});
//   // r.type == ParamType::CHOICE, r.choices == {"riemann_left", ..., "gausslegendre"}
#pragma once
#include <string>
#include <vector>

#include "explain/explainer.h"

namespace xm {

enum class ParamType {
  BOOL,    // "true" / "false": a checkbox
  INT,     // an integer: slider when the help gives lo..hi, else a number field
  FLOAT,   // a real number: likewise
  CHOICE,  // one of the identifiers listed "a | b | c" (plus free text when open)
  TEXT,    // anything else (a path, "8x6")
};

struct ParamKind {
  ParamType type = ParamType::TEXT;
  bool has_range = false;
  double lo = 0, hi = 0;
  bool log_scale = false;             // range spans more than two decades
  std::vector<std::string> choices;   // CHOICE: the identifiers
  bool open_choice = false;           // CHOICE: other values allowed too ("a number", "a .npy path")
  bool is_seed = false;               // a seed: any integer, with a "new" button
};

ParamKind param_kind(const ParamSpec& spec);

// "1..4096" anywhere in text (also "(0,1]" as 0..1); false when absent.
bool param_parse_range(const std::string& text, double* lo, double* hi);

}  // namespace xm
