// Emscripten 3.1.6 loads the .wasm with fetch() whenever fetch exists, and
// Node 20's fetch cannot read a file path. Under Node, hide fetch so the
// loader reads the file from disk.
if (typeof process === 'object' && process.versions && process.versions.node) {
  globalThis.fetch = undefined;
}
