// The page's bridge to ONNX Runtime Web, the lab's second backend
// (wasm/platform/ort_backend.h). Small and loaded with the page; ORT itself
// (ort/ort.wasm.min.mjs, ort/ort-wasm-simd-threaded.{mjs,wasm}, served by this
// site, never another origin) is imported only when a model first runs on it.
// The core asks synchronously, ORT answers with Promises: run() starts
// session.run() and answers {state: 'pending'}; the core asks the same batch
// (same key) again on a later frame and gets {state: 'done', data}.
// ORT uses wasm threads only when the page is cross-origin isolated.
'use strict';
window.xmediaOrtBridge = (function () {
  const models = new Map();  // id -> {bytes, session, sessionPromise, queue, results: Map(key -> entry)}
  let ortPromise = null;
  const info = { loaded: false, loading: false, threads: 0, loadMs: 0, error: '' };

  function threadsFor(requested) {
    const iso = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
    if (!iso) return 1;
    const cores = navigator.hardwareConcurrency || 1;
    return Math.max(1, requested > 0 ? Math.min(requested, cores) : Math.min(cores, 4));
  }

  function loadOrt(requested) {
    if (!ortPromise) {
      const t0 = performance.now();
      info.loading = true;
      const base = new URL('ort/', document.baseURI).href;
      ortPromise = import(base + 'ort.wasm.min.mjs').then((ort) => {
        ort.env.wasm.wasmPaths = base;
        ort.env.wasm.numThreads = threadsFor(requested);
        ort.env.wasm.proxy = false;
        ort.env.logLevel = 'error';
        info.threads = ort.env.wasm.numThreads;
        return ort;
      });
      ortPromise.then(() => { info.loaded = true; info.loading = false; info.loadMs = performance.now() - t0; },
        (e) => { info.loading = false; info.error = String((e && e.message) || e); });
    }
    return ortPromise;
  }

  async function session(m) {
    if (!m.sessionPromise) {
      m.sessionPromise = loadOrt(m.threads).then((ort) => ort.InferenceSession.create(m.bytes, {
        executionProviders: ['wasm'], graphOptimizationLevel: 'all',
      }).then((s) => ({ ort, s })));
    }
    return m.sessionPromise;
  }

  return {
    info,
    // Keeps the bytes; nothing is fetched until the first run.
    create(id, bytes, threads) {
      models.set(id, { bytes, threads, queue: Promise.resolve(), results: new Map() });
      return '';
    },
    run(id, key, getData, dims) {
      const m = models.get(id);
      if (!m) return { state: 'error', message: 'no such ONNX Runtime Web model' };
      const known = m.results.get(key);
      if (known) {
        if (known.state !== 'pending') m.results.delete(key);
        return known;
      }
      const entry = { state: 'pending' };
      m.results.set(key, entry);
      // Only the last few unanswered queries are kept (a cancelled job leaves its query behind).
      if (m.results.size > 8) m.results.delete(m.results.keys().next().value);
      const data = getData();
      // One run at a time per session.
      m.queue = m.queue.then(async () => {
        try {
          const { ort, s } = await session(m);
          const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', data, dims) });
          const o = out[s.outputNames[0]];
          if (o.type !== 'float32') throw new Error('the output is ' + o.type + ', not float32');
          entry.data = o.data;
          entry.state = 'done';
        } catch (e) {
          entry.message = String((e && e.message) || e);
          entry.state = 'error';
        }
      });
      return entry;
    },
    // Creates a session for the model and runs it once on zeros of `dims`:
    // resolves when ONNX Runtime Web can run the model, rejects with its message
    // when it cannot (the page keeps its current model then).
    async probe(bytes, dims, threads) {
      const ort = await loadOrt(threads || 0);
      const s = await ort.InferenceSession.create(bytes.slice(), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      try {
        const n = dims.reduce((a, b) => a * b, 1);
        const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', new Float32Array(n), dims) });
        const o = out[s.outputNames[0]];
        if (!o || o.type !== 'float32') throw new Error('the output is ' + (o ? o.type : 'missing') + ', not float32');
      } finally {
        Promise.resolve().then(() => s.release()).catch(() => {});
      }
    },
    release(id) {
      const m = models.get(id);
      models.delete(id);
      if (m && m.sessionPromise) m.sessionPromise.then(({ s }) => s.release()).catch(() => {});
    },
  };
})();
