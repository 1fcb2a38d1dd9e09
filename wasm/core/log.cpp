#include "core/log.h"

#include <cstdio>
#include <mutex>

namespace xm {
namespace {

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::DEBUG: return "debug";
    case LogLevel::INFO: return "info";
    case LogLevel::WARN: return "warning";
    case LogLevel::ERROR: return "error";
  }
  return "?";
}

void stderr_sink(LogLevel level, const char* message, void*) {
  std::fprintf(stderr, "%s: %s\n", level_name(level), message);
}

std::mutex g_mutex;
LogSink g_sink = stderr_sink;
void* g_user = nullptr;
LogLevel g_min = LogLevel::WARN;

}  // namespace

void log_set_sink(LogSink sink, void* user) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_sink = sink ? sink : stderr_sink;
  g_user = user;
}

void log_set_min_level(LogLevel level) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_min = level;
}

void log_vmessage(LogLevel level, const char* fmt, va_list args) {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, args);
  std::lock_guard<std::mutex> lock(g_mutex);
  if (level < g_min) return;
  g_sink(level, buf, g_user);
}

void log_message(LogLevel level, const char* fmt, ...) {
  va_list a;
  va_start(a, fmt);
  log_vmessage(level, fmt, a);
  va_end(a);
}

}  // namespace xm
