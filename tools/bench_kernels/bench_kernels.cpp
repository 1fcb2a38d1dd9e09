// bench_kernels: GFLOP/s of sgemm and of im2col+sgemm convolutions on the
// shapes of bench_cnn.onnx (see /work/shared/bench/README.md). A program that
// prints numbers (JSON lines), not a test.
//
//   build/native/tools/bench_kernels/bench_kernels [--threads N] [--reps R]
//   node build/wasm/bench_kernels.js --threads 2
//   perf stat -e cycles:u bench_kernels --only conv_3x3_direct   # one measurement:
//     user cycles are steadier than seconds on a busy shared machine
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/json_writer.h"
#include "kernels/conv_direct.h"
#include "kernels/conv_gemm.h"
#include "kernels/conv_narrow.h"
#include "kernels/gemm.h"
#include "kernels/im2col.h"
#include "kernels/thread_pool.h"
#include "kernels/winograd.h"

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <class F>
double median_seconds(int reps, F&& f) {
  f();  // warm-up: scratch buffers, caches, the JIT in wasm
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    double t0 = now_s();
    f();
    t.push_back(now_s() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

std::vector<float> random_vec(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

// One JSON line per measured conv layer.
void print_conv_line(const char* what, const char* layer, int batch, int threads, double median_s, double flops) {
  xm::JsonWriter w;
  w.begin_object().key("what").str(what).key("layer").str(layer).key("batch").integer(batch).key("threads").integer(threads);
  w.key("median_s").num(median_s, 6).key("gflops").fixed(flops / median_s * 1e-9, 2).end_object();
  std::printf("%s\n", w.text().c_str());
}

struct Layer { const char* name; int C, M, H, W; };  // conv3x3, pad 1, stride 1

}  // namespace

int main(int argc, char** argv) {
  int threads = 1, reps = 5, batch = 64;
  std::string only, layer;  // run just the measurements whose "what" / "layer" equal these
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (a == "--reps" && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (a == "--batch" && i + 1 < argc) batch = std::max(1, std::atoi(argv[++i]));
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else if (a == "--layer" && i + 1 < argc) layer = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench_kernels [--threads N] [--reps R] [--batch B] [--only WHAT] [--layer NAME]\n");
      return 2;
    }
  }
  xm::set_num_threads(threads);
  threads = xm::num_threads();
  const Layer layers[] = {{"conv1_1to16_128", 1, 16, 128, 128},
                          {"conv2_16to32_64", 16, 32, 64, 64},
                          {"conv3_32to64_32", 32, 64, 32, 32}};

  // 1. sgemm alone on the im2col shapes of one image (M=out ch, K=C*9, N=H*W).
  auto want = [&](const char* what) { return only.empty() || only == what; };
  for (const Layer& l : layers) {
    if (!want("sgemm")) break;
    if (!layer.empty() && layer != l.name) continue;
    const int M = l.M, K = l.C * 9, N = l.H * l.W;
    auto A = random_vec((size_t)M * K, 1), B = random_vec((size_t)K * N, 2);
    std::vector<float> C((size_t)M * N);
    const int inner = std::max(1, (int)(2e8 / (2.0 * M * N * K)));
    double s = median_seconds(reps, [&] {
      for (int r = 0; r < inner; ++r)
        xm::sgemm(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C.data(), N);
    }) / inner;
    xm::JsonWriter w;
    w.begin_object().key("what").str("sgemm").key("layer").str(l.name).key("M").integer(M).key("N").integer(N).key("K").integer(K);
    w.key("threads").integer(threads).key("median_s").num(s, 6).key("gflops").fixed(2.0 * M * N * K / s * 1e-9, 2).end_object();
    std::printf("%s\n", w.text().c_str());
  }

  // 2. Whole conv layers with bias over a batch, as the engine runs them:
  //    im2col, C = bias, sgemm with beta 1 per image (threads inside sgemm);
  //    the implicit GEMM (conv2d_gemm); and the direct 3x3 path where it applies.
  double total_gemm = 0, total_best = 0;
  for (const Layer& l : layers) {
    if (!layer.empty() && layer != l.name) continue;
    const int M = l.M, K = l.C * 9, N = l.H * l.W;
    auto x = random_vec((size_t)batch * l.C * N, 3), w = random_vec((size_t)M * K, 4), bias = random_vec(M, 5);
    std::vector<float> cols((size_t)K * N), y((size_t)batch * M * N);
    const double flops = 2.0 * batch * M * N * K;
    double s = 0, best = 1e30;
    if (want("conv_im2col_gemm")) {
      s = median_seconds(reps, [&] {
        for (int b = 0; b < batch; ++b) {
          xm::im2col(x.data() + (size_t)b * l.C * N, l.C, l.H, l.W, 3, 3, 1, 1, 1, 1, 1, 1, l.H, l.W, cols.data());
          float* yb = y.data() + (size_t)b * M * N;
          for (int m = 0; m < M; ++m) std::fill(yb + (size_t)m * N, yb + (size_t)(m + 1) * N, bias[m]);
          xm::sgemm(false, false, M, N, K, 1.0f, w.data(), K, cols.data(), N, 1.0f, yb, N);
        }
      });
      print_conv_line("conv_im2col_gemm", l.name, batch, threads, s, flops);
      best = s;
    }
    if (want("conv_implicit_gemm")) {
      double si = median_seconds(reps, [&] {
        for (int b = 0; b < batch; ++b)
          xm::conv2d_gemm(x.data() + (size_t)b * l.C * N, l.C, l.H, l.W, 3, 3, 1, 1, 1, 1, 1, 1, l.H, l.W, w.data(), M,
                          bias.data(), y.data() + (size_t)b * M * N);
      });
      print_conv_line("conv_implicit_gemm", l.name, batch, threads, si, flops);
      best = std::min(best, si);
    }
    if (xm::conv2d_3x3_direct_supported(l.C) && want("conv_3x3_direct")) {
      double sd = median_seconds(reps, [&] {
        xm::conv2d_3x3_direct(x.data(), batch, l.C, l.H, l.W, w.data(), M, bias.data(), y.data());
      });
      print_conv_line("conv_3x3_direct", l.name, batch, threads, sd, flops);
      best = std::min(best, sd);
    }
    if (xm::conv3x3_winograd_supported(l.C, M, l.H, l.W) && want("conv_3x3_winograd")) {
      std::vector<float> u(xm::winograd_weight_floats(l.C, M)), ws(xm::winograd_workspace_floats(l.C, M, l.H, l.W));
      double sw = median_seconds(reps, [&] {
        xm::winograd_weights(w.data(), M, l.C, false, u.data());
        for (int b = 0; b < batch; ++b)
          xm::conv3x3_winograd(x.data() + (size_t)b * l.C * N, l.C, l.H, l.W, u.data(), M, bias.data(), false, false,
                               y.data() + (size_t)b * M * N, ws.data());
      });
      // gflops: the direct conv's flops per second (effective), as for the other rows
      print_conv_line("conv_3x3_winograd", l.name, batch, threads, sw, flops);
      best = std::min(best, sw);
    }
    total_gemm += s;
    total_best += best < 1e30 ? best : 0;
  }
  // 3. The data gradient of a layer with few input channels (bench_cnn's first:
  //    dy [16] -> dx [1]): the direct narrow kernel against sgemm + col2im.
  for (const Layer& l : layers) {
    if (!layer.empty() && layer != l.name) continue;
    if (!xm::conv2d_3x3_narrow_supported(l.M, l.C)) continue;
    const int N = l.H * l.W, K = l.C * 9;
    auto dy = random_vec((size_t)batch * l.M * N, 6), w = random_vec((size_t)l.M * K, 7);
    std::vector<float> dx((size_t)batch * l.C * N), cols((size_t)K * N);
    const double flops = 2.0 * batch * l.M * N * K;
    if (want("conv_bwd_gemm_col2im")) {
      double s = median_seconds(reps, [&] {
        for (int b = 0; b < batch; ++b) {
          xm::sgemm(true, false, K, N, l.M, 1.0f, w.data(), K, dy.data() + (size_t)b * l.M * N, N, 0.0f, cols.data(), N);
          float* dxb = dx.data() + (size_t)b * l.C * N;
          std::fill(dxb, dxb + (size_t)l.C * N, 0.0f);
          xm::col2im(cols.data(), l.C, l.H, l.W, 3, 3, 1, 1, 1, 1, 1, 1, l.H, l.W, dxb);
        }
      });
      print_conv_line("conv_bwd_gemm_col2im", l.name, batch, threads, s, flops);
    }
    if (want("conv_bwd_narrow")) {
      double s = median_seconds(reps, [&] {
        xm::conv2d_3x3_narrow(dy.data(), batch, l.M, l.H, l.W, w.data(), l.C, true, false, dx.data());
      });
      print_conv_line("conv_bwd_narrow", l.name, batch, threads, s, flops);
    }
  }
  if (only.empty() && layer.empty()) {
    xm::JsonWriter w;
    w.begin_object().key("what").str("bench_cnn_convs").key("batch").integer(batch).key("threads").integer(threads);
    w.key("median_s").num(total_gemm, 6).key("best_median_s").num(total_best, 6).end_object();
    std::printf("%s\n", w.text().c_str());
  }
  return 0;
}
