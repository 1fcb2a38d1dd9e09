// One logging sink for the whole core. The CLI prints to stderr; the web build
// routes messages to the browser console and the UI's message area.
//
//   xm::log_set_sink([](xm::LogLevel l, const char* msg, void*) { ... }, nullptr);
//   xm::log_info("loaded %s (%d nodes)", path, n);
#pragma once
#include <cstdarg>

namespace xm {

enum class LogLevel { DEBUG, INFO, WARN, ERROR };
using LogSink = void (*)(LogLevel level, const char* message, void* user);

void log_set_sink(LogSink sink, void* user);
void log_set_min_level(LogLevel level);
void log_message(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmessage(LogLevel level, const char* fmt, va_list args);

#define XM_LOG_FN(name, lvl) \
  inline void name(const char* fmt, ...) __attribute__((format(printf, 1, 2))); \
  inline void name(const char* fmt, ...) { va_list a; va_start(a, fmt); log_vmessage(lvl, fmt, a); va_end(a); }
XM_LOG_FN(log_debug, LogLevel::DEBUG)
XM_LOG_FN(log_info, LogLevel::INFO)
XM_LOG_FN(log_warn, LogLevel::WARN)
XM_LOG_FN(log_error, LogLevel::ERROR)
#undef XM_LOG_FN

}  // namespace xm
