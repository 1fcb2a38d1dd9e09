// A small pool of worker threads kept alive between calls, for data-parallel
// loops in the kernels and the engine.
//
//   xm::set_num_threads(2);                  // the caller plus one worker
//   xm::parallel_for(rows, [&](int64_t b, int64_t e) {
//     for (int64_t i = b; i < e; ++i) out[i] = f(in[i]);   // disjoint outputs
//   });
//
// Determinism: [0,n) is cut into contiguous, disjoint ranges whose bounds
// depend on num_threads(). fn must give the same result whatever the cut,
// i.e. every output element is computed inside one call, in a fixed order;
// then results are bit-identical for any thread count.
//
// Threads exist natively (std::thread) and in a wasm build compiled and linked
// with -pthread (__EMSCRIPTEN_PTHREADS__); in a plain wasm build everything
// runs inline on the caller and num_threads() is always 1.
// A parallel_for called from inside a worker, or while another thread is
// using the pool, runs inline on its caller (no nesting, no deadlock).
#pragma once
#include <cstdint>
#include <functional>

namespace xm {

// Runs fn over disjoint ranges covering [0,n) (nothing when n <= 0) and
// returns when all have finished. The caller runs the first range itself.
void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn);

// Threads used by parallel_for, counting the caller; default 1. n < 1 means 1;
// capped at kernels_max_threads(). Not to be called from inside parallel_for.
void set_num_threads(int n);
int num_threads();
// The largest thread count this build supports: 1 in a wasm build without
// pthreads, the pthread pool size + 1 in a wasm pthreads build, 64 natively.
int kernels_max_threads();

}  // namespace xm
