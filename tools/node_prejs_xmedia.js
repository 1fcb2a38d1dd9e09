// For the xmedia command-line tool under Node only (not the unit tests, which
// start many short processes): V8 runs wasm first as baseline (Liftoff) code
// and swaps in optimised code only for functions that have run a while; for
// our SIMD kernels the baseline is ~3x slower and the swap can take hundreds
// of explanations, so xmedia compiles its module optimised up front (~0.3 s at
// start). Not when ONNX Runtime Web is loaded too (`--backend ort`, `parity`):
// the flag is process-wide and compiling ORT's much larger module up front
// costs seconds.
// Decided on the main thread only: the pthread workers load this script too,
// without the command line.
if (typeof process === 'object' && process.versions && process.versions.node &&
    require('worker_threads').isMainThread) {
  const args = process.argv.slice(2);
  const uses_ort = args[0] === 'parity' || args.some((a, i) => (a === '--backend' && args[i + 1] !== 'native') ||
                                                      (a.startsWith('--backend=') && a !== '--backend=native'));
  if (!uses_ort) {
    try {
      require('v8').setFlagsFromString('--no-liftoff');
    } catch (e) {
      // an embedder without the v8 module: keep V8's default tiering
    }
  }
}
