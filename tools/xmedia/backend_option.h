// --backend native|ort for predict and explain. `ort` is ONNX Runtime Web
// (wasm/platform/ort_backend.h): only in the wasm build under Node; natively
// it is a usage error (exit 2) that says so.
//
//   std::string which;
//   if (int rc = cli_backend_choice(a, &which)) return rc;
//   auto b = cli_open_backend(which, model, threads);
#pragma once
#include <memory>
#include <string>

#include "backend/backend.h"
#include "cli.h"

namespace xm {

// Its usage line is XM_CLI_BACKEND (cli.h).
// 0 with *which set, or the exit code after printing the error.
int cli_backend_choice(const cli::Args& a, std::string* which);
Result<std::unique_ptr<Backend>> cli_open_backend(const std::string& which, const std::string& model, int threads);

}  // namespace xm
