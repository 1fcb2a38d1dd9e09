#include "backend_option.h"

#include "engine/engine_backend.h"
#include "platform/ort_backend.h"

namespace xm {

int cli_backend_choice(const cli::Args& a, std::string* which) {
  *which = a.get("backend", "native");
  if (*which != "native" && *which != "ort")
    return cli::fail(cli::EXIT_USAGE, a.command() + ": --backend must be native or ort, got '" + *which + "'");
  std::string why;
  if (*which == "ort" && !ort_backend_available(&why)) return cli::fail(cli::EXIT_USAGE, a.command() + ": " + why);
  return 0;
}

Result<std::unique_ptr<Backend>> cli_open_backend(const std::string& which, const std::string& model, int threads) {
  if (which == "ort") return ort_backend_from_file(model, threads);
  auto b = native_backend_from_file(model);
  if (b) (*b)->set_threads(threads);
  return b;
}

}  // namespace xm
