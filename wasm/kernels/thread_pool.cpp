// The worker pool behind parallel_for: see thread_pool.h.
//
// Workers sleep on a condition variable and wake on a new "generation"; job i
// of a generation is range i of the static partition, so who computes what
// depends only on the thread count (that is what makes results reproducible).
#include "kernels/thread_pool.h"

#include <algorithm>

#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
#define XM_KERNELS_THREADS 1
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#else
#define XM_KERNELS_THREADS 0
#endif

namespace xm {

int kernels_max_threads() {
#if !XM_KERNELS_THREADS
  return 1;
#elif defined(__EMSCRIPTEN__)
  // Workers must come from Emscripten's preallocated pool: a pthread created
  // beyond it only starts once the caller yields to the event loop, and the
  // caller would be blocked waiting for it.
#ifdef XMEDIA_PTHREAD_POOL_SIZE
  return XMEDIA_PTHREAD_POOL_SIZE + 1;
#else
  return 1;
#endif
#else
  return 64;
#endif
}

#if !XM_KERNELS_THREADS

void set_num_threads(int) {}
int num_threads() { return 1; }
void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n > 0) fn(0, n);
}

#else

namespace {

thread_local bool tl_in_worker = false;

class Pool {
public:
  int threads() const { return (int)workers_.size() + 1; }

  void resize(int n) {
    std::lock_guard<std::mutex> use(use_);
    stop_workers();
    // A worker starts from the generation current now, not when its thread
    // first runs: a job published in between must not be missed.
    const uint64_t start = generation_;
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, i, start] { worker_main(i, start); });
  }

  // Returns false (and does nothing) when the pool is busy with another caller.
  bool run(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    std::unique_lock<std::mutex> use(use_, std::try_to_lock);
    if (!use.owns_lock()) return false;
    const int parts = (int)std::min<int64_t>(threads(), n);
    {
      std::lock_guard<std::mutex> lk(m_);
      fn_ = &fn;
      n_ = n;
      parts_ = parts;
      pending_ = parts - 1;
      ++generation_;
    }
    wake_.notify_all();
    int64_t b, e;
    range(0, b, e);
    tl_in_worker = true;  // a nested parallel_for on the caller runs inline
    fn(b, e);
    tl_in_worker = false;
    std::unique_lock<std::mutex> lk(m_);
    done_.wait(lk, [this] { return pending_ == 0; });
    fn_ = nullptr;
    return true;
  }

private:
  void range(int part, int64_t& b, int64_t& e) const {
    b = n_ * part / parts_;
    e = n_ * (part + 1) / parts_;
  }

  void worker_main(int index, uint64_t seen) {
    tl_in_worker = true;
    for (;;) {
      const std::function<void(int64_t, int64_t)>* fn;
      int64_t b = 0, e = 0;
      {
        std::unique_lock<std::mutex> lk(m_);
        wake_.wait(lk, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
        if (index >= parts_) continue;  // fewer ranges than threads this time
        fn = fn_;
        range(index, b, e);
      }
      (*fn)(b, e);
      {
        std::lock_guard<std::mutex> lk(m_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(m_);
      quit_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    quit_ = false;
  }

  std::mutex use_;  // one parallel_for (or resize) at a time
  std::mutex m_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  int parts_ = 1;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool quit_ = false;
};

// Never destroyed: at exit the workers may still sleep on the pool's condition
// variable, and joining them from a static destructor would race with exit().
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

void set_num_threads(int n) {
  n = std::max(1, std::min(n, kernels_max_threads()));
  if (n != pool().threads()) pool().resize(n);
}

int num_threads() { return pool().threads(); }

void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (n == 1 || tl_in_worker || pool().threads() == 1 || !pool().run(n, fn)) fn(0, n);
}

#endif

}  // namespace xm
