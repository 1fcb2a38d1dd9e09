// xmedia: the command-line face of the core (see docs/ARCHITECTURE.md, "The CLI contract").
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cli.h"
#include "core/version.h"

namespace xm {
namespace cli {

namespace {
std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}
}  // namespace

CommandRegistrar::CommandRegistrar(Command c) { registry().push_back(c); }
const std::vector<Command>& commands() { return registry(); }

int fail(int code, const std::string& msg) {
  std::fprintf(stderr, "error: %s\n", msg.c_str());
  return code;
}

bool Args::parse(const std::string& command, int argc, char** argv, int first) {
  command_ = command;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      fail(EXIT_USAGE, command + ": unexpected argument '" + a + "' (options look like --name value)");
      return false;
    }
    std::string key = a.substr(2), value;
    size_t eq = key.find('=');
    if (eq != std::string::npos) {
      value = key.substr(eq + 1);
      key = key.substr(0, eq);
    } else if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) {
      value = argv[++i];
    } else {
      value = "";
      opts_[key] = "\x01";  // flag without value
      continue;
    }
    if (key == "param") {
      size_t e = value.find('=');
      if (e == std::string::npos || e == 0) {
        fail(EXIT_USAGE, command + ": --param wants key=value, got '" + value + "'");
        return false;
      }
      params_.emplace_back(value.substr(0, e), value.substr(e + 1));
      opts_[key] = "";
      continue;
    }
    if (opts_.count(key)) {
      fail(EXIT_USAGE, command + ": --" + key + " given twice");
      return false;
    }
    opts_[key] = value;
  }
  return true;
}

bool Args::flag(const std::string& key) const {
  auto it = opts_.find(key);
  return it != opts_.end() && it->second == "\x01";
}

bool Args::get_required(const std::string& key, std::string* out) const {
  auto it = opts_.find(key);
  if (it == opts_.end() || it->second == "\x01" || it->second.empty()) {
    fail(EXIT_USAGE, command_ + ": missing --" + key + " (see xmedia " + command_ + " --help)");
    return false;
  }
  *out = it->second;
  return true;
}

std::string Args::get(const std::string& key, const std::string& fallback) const {
  auto it = opts_.find(key);
  return it == opts_.end() || it->second == "\x01" ? fallback : it->second;
}

bool Args::get_int(const std::string& key, long long lo, long long hi, long long fallback, long long* out) const {
  auto it = opts_.find(key);
  if (it == opts_.end()) {
    *out = fallback;
    return true;
  }
  // Strict: an optional '-' and digits, nothing else (no "1e30", " 5", "+5", "7x"); an overflow is out of range, not wrapped.
  const std::string& s = it->second;
  const size_t sign = !s.empty() && s[0] == '-' ? 1 : 0;
  const bool well_formed = s.size() > sign && s.size() - sign <= 19 &&
                           s.find_first_not_of("0123456789", sign) == std::string::npos;
  long long v = well_formed ? std::strtoll(s.c_str(), nullptr, 10) : 0;
  if (!well_formed || v < lo || v > hi) {
    fail(EXIT_USAGE, command_ + ": --" + key + " wants an integer from " + std::to_string(lo) + " to " +
                         std::to_string(hi) + ", got '" + (s == "\x01" ? "" : s) + "'");
    return false;
  }
  *out = v;
  return true;
}

bool Args::reject_unknown(const std::vector<std::string>& known) const {
  for (auto& kv : opts_) {
    bool ok = false;
    for (auto& k : known) ok = ok || k == kv.first;
    if (!ok) {
      fail(EXIT_USAGE, command_ + ": unknown option --" + kv.first + " (see xmedia " + command_ + " --help)");
      return false;
    }
  }
  return true;
}

}  // namespace cli
}  // namespace xm

namespace {

void print_help() {
  std::printf(
      "xmedia %s - explainable AI for medical images (xMedIA Lab's command line)\n\n"
      "usage: xmedia <command> [--option value]...\n"
      "       xmedia <command> --help\n\n"
      "commands:\n",
      xm::core_version());
  for (auto& c : xm::cli::commands()) std::printf("  %-14s %s\n", c.name, c.summary);
  std::printf(
      "\nExit status: 0 done, 2 bad usage, 3 bad input (unreadable or corrupt file,\n"
      "unsupported op, shapes that do not fit); errors are one line on stderr starting 'error:'.\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace xm::cli;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    print_help();
    return argc < 2 ? EXIT_USAGE : EXIT_OK;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::printf("xmedia %s\n", xm::core_version());
    return EXIT_OK;
  }
  std::string name = argv[1];
  for (auto& c : commands()) {
    if (name != c.name) continue;
    for (int i = 2; i < argc; ++i)
      if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
        std::printf("xmedia %s - %s\n\noptions:\n%s", c.name, c.summary, c.usage);
        return EXIT_OK;
      }
    Args args;
    if (!args.parse(name, argc, argv, 2)) return EXIT_USAGE;
    return c.run(args);
  }
  return fail(EXIT_USAGE, "unknown command '" + name + "' (run xmedia --help for the list)");
}
