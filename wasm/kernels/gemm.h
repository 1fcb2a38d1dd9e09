// sgemm: single-precision matrix multiply, row-major, BLAS-like arguments.
//
//   // C[M,N] = A[M,K] * B[K,N]   (beta 0: C is only written, never read)
//   xm::sgemm(false, false, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N);
//   // weight gradient of a linear layer: dW[N_out,K] += dY^T[N_out,M] * X[M,K]
//   xm::sgemm(true, false, N_out, K, M, 1.0f, dY, N_out, X, K, 1.0f, dW, K);
//
// Shapes: op(A) is [M,K] (A is stored [M,lda] or, transposed, [K,lda]);
// op(B) is [K,N] (B stored [K,ldb] or, transposed, [N,ldb]); C is [M,ldc].
// ref: BLAS sgemm, with row-major storage.
//
// Results are bit-identical whatever num_threads() is: each element of C is
// computed by exactly one thread with a fixed order of summation over K.
// Threads: runs on the pool of kernels/thread_pool.h; must not be called with
// C overlapping A or B.
#pragma once

namespace xm {

// C = alpha * op(A) * op(B) + beta * C. beta == 0 means C is not read, so
// NaN or garbage in C is ignored (as BLAS does). M, N or K may be 0.
void sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
           const float* A, int lda, const float* B, int ldb, float beta,
           float* C, int ldc);

// The plain triple loop sgemm is checked against; also the fallback for tiny
// products. Single-threaded, same contract as sgemm.
void sgemm_reference(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                     const float* A, int lda, const float* B, int ldb, float beta,
                     float* C, int ldc);

}  // namespace xm
