// Emscripten 3.1.6 loads the .wasm with fetch() whenever fetch exists, and
// Node 20's fetch cannot read a file path. Under Node, hide fetch so the
// loader reads the file from disk.
if (typeof process === 'object' && process.versions && process.versions.node) {
  globalThis.fetch = undefined;
  // getenv in wasm reads Emscripten's ENV, not the process's: pass on
  // XMEDIA_ALLOW_SKIP, the by-hand permission to skip a test whose data is
  // missing (tests/unit/test_data.h).
  if (process.env.XMEDIA_ALLOW_SKIP !== undefined) {
    Module['preRun'] = [].concat(Module['preRun'] || [], function () {
      ENV['XMEDIA_ALLOW_SKIP'] = process.env.XMEDIA_ALLOW_SKIP;
    });
  }
}
