// Status and Result: how bad input travels out of the core. No exception
// crosses a module boundary; a message names the file, node or parameter.
//
//   Result<Model> r = onnx_load_file("m.onnx");
//   if (!r) { log_error("%s", r.error().c_str()); return 3; }
//   Model& m = *r;
//
// Bugs are not statuses: XM_ASSERT(cond) aborts with file and line, always on.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace xm {

class Status {
public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string message) { Status s; s.ok_ = false; s.message_ = std::move(message); return s; }
  explicit operator bool() const { return ok_; }
  bool is_ok() const { return ok_; }
  const std::string& error() const { return message_; }
private:
  bool ok_ = true;
  std::string message_;
};

template <class T>
class Result {
public:
  Result(T value) : value_(std::move(value)), ok_(true) {}
  Result(Status status) : status_(std::move(status)), ok_(false) {
    if (status_.is_ok()) status_ = Status::error("internal: Result built from an ok Status without a value");
  }
  explicit operator bool() const { return ok_; }
  T& operator*() { return value_; }
  const T& operator*() const { return value_; }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }
  const std::string& error() const { return status_.error(); }
  const Status& status() const { return status_; }
  T take() { return std::move(value_); }
private:
  T value_{};
  Status status_;
  bool ok_;
};

[[noreturn]] inline void assert_fail(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "xmedia: internal error: assertion '%s' failed at %s:%d\n", expr, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace xm

#define XM_ASSERT(cond) ((cond) ? (void)0 : ::xm::assert_fail(#cond, __FILE__, __LINE__))
// Propagate a failed Status from an expression returning Status.
#define XM_TRY(expr) do { ::xm::Status xm_try_s_ = (expr); if (!xm_try_s_) return xm_try_s_; } while (0)
