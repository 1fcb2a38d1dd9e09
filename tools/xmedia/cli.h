// The xmedia command line: each subcommand lives in its own cmd_NAME.cpp and
// registers itself with a static XM_COMMAND, so adding one touches no other file.
//
//   static int run_info(xm::cli::Args& a) {
//     std::string model;
//     if (!a.get_required("model", &model)) return xm::cli::EXIT_USAGE;
//     ...
//     return xm::cli::EXIT_OK;
//   }
//   XM_COMMAND(info, "JSON: inputs, outputs, shapes, ops", XM_CLI_MODEL, run_info);
//
// Exit status: 0 done, 2 bad usage, 3 bad input. Errors are one line on stderr
// starting "error:".
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace xm {
namespace cli {

enum ExitCode { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_BAD_INPUT = 3 };

// Prints "error: <msg>" on stderr and returns `code`.
int fail(int code, const std::string& msg);

// Parsed "--key value" options (and repeated "--param k=v"), after the subcommand.
class Args {
public:
  // Returns false (after printing an error) on a malformed command line.
  bool parse(const std::string& command, int argc, char** argv, int first);
  bool has(const std::string& key) const { return opts_.count(key) != 0; }
  bool flag(const std::string& key) const;  // "--key" with no value
  // Returns false and prints "error: <command>: missing --key" when absent.
  bool get_required(const std::string& key, std::string* out) const;
  std::string get(const std::string& key, const std::string& fallback = "") const;
  // Integer option with bounds; prints an error naming the option when out of range.
  bool get_int(const std::string& key, long long lo, long long hi, long long fallback, long long* out) const;
  // Every "--param key=value" in order, already split.
  const std::vector<std::pair<std::string, std::string>>& params() const { return params_; }
  // Options the command did not read; call at the end to reject typos.
  bool reject_unknown(const std::vector<std::string>& known) const;
  const std::string& command() const { return command_; }

private:
  std::string command_;
  std::map<std::string, std::string> opts_;
  std::vector<std::pair<std::string, std::string>> params_;
};

using CommandFn = int (*)(Args&);
struct Command {
  const char* name;
  const char* summary;
  const char* usage;  // options, one per line
  CommandFn run;
};
struct CommandRegistrar {
  explicit CommandRegistrar(Command c);
};
const std::vector<Command>& commands();

}  // namespace cli
}  // namespace xm

// Options that several commands share, worded once: a command's usage string
// lists them among its own lines, all aligned at column 28, so every --help
// describes --model, --input, --target, --threads and --backend alike.
#define XM_CLI_MODEL \
    "  --model M.onnx            the model (ONNX)\n"
#define XM_CLI_INPUT \
    "  --input X.npy|IMG         the input: a .npy tensor (fed as is) or an image (PNG, JPEG, BMP;\n" \
    "                            preprocessed as the model card says)\n"
#define XM_CLI_TARGET \
    "  --target K                the output to explain (default: the predicted class)\n"
#define XM_CLI_THREADS \
    "  --threads N               threads the engine may use (default 1)\n"
#define XM_CLI_BACKEND \
    "  --backend B               native (default: our engine) or ort (ONNX Runtime Web, logits only;\n" \
    "                            only in the wasm build: node build/wasm/xmedia.js)\n"

#define XM_COMMAND(name, summary, usage, fn) \
  static ::xm::cli::CommandRegistrar xm_command_##name##_reg({#name, summary, usage, fn})
