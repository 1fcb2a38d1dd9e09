// The page's glue: the Emscripten Module settings (fonts into the virtual file
// system, ready and error hooks), loading the default model, the file picker
// and drag-and-drop, and window.xmediaLab, the test and automation API
// (docs/ARCHITECTURE.md, "The page's test API"). Every request stays on this origin.
'use strict';
(function () {
  const loading = document.getElementById('loading');
  const loadingText = document.getElementById('loading-text');
  const pageErrors = [];
  let resolveReady, rejectReady;
  let readyDone = false;
  const ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
  const t0 = performance.now();
  // style.css: the overlay's words only for a slow start.
  setTimeout(() => loading.classList.add('slow'), 2000);

  function fail(message) {
    pageErrors.push(message);
    loading.classList.add('failed');
    loading.classList.remove('done');
    loadingText.textContent = message;
    if (!readyDone) { readyDone = true; rejectReady(new Error(message)); }
  }

  if (typeof WebAssembly !== 'object') {
    fail('This browser cannot run WebAssembly, which xMedIA Lab needs.');
    return;
  }

  // The app's wasm (1.5 MB) is compiled while it streams in and while the other
  // files load (index.html preloads it), rather than only once xmedia-lab.js has
  // arrived and run; Module.instantiateWasm below hands the result to Emscripten.
  const wasmUrl = 'xmedia-lab.wasm';
  const fetchWasm = () => fetch(wasmUrl, { credentials: 'same-origin' });
  // Start-up phases on the performance timeline, prefixed (ui/app/main.cpp marks its own the same way).
  const markPrefix = 'xmedia: ';
  const mark = (what) => { try { performance.mark(markPrefix + what); } catch (e) { /* no User Timing */ } };
  mark('glue start');
  const wasmCompiled = (typeof WebAssembly.compileStreaming === 'function'
    ? WebAssembly.compileStreaming(fetchWasm())
    : Promise.reject(new Error('no streaming compile')))
    .catch(() => fetchWasm().then((r) => {  // e.g. a host that serves .wasm with another MIME type
      if (!r.ok) throw new Error(`${wasmUrl}: HTTP ${r.status}`);
      return r.arrayBuffer();
    }).then((b) => WebAssembly.compile(b)));
  wasmCompiled.then(() => mark('wasm compiled'), () => {});  // errors: reported by instantiateWasm

  // Fetched while the wasm compiles: the font, the model list and the default model.
  const fontPromise = fetch('fonts/DejaVuSans.ttf').then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null);
  // The font's atlas baked for this screen's pixel ratio (web/CMakeLists.txt
  // bakes 1, 1.25, 1.5 and 2), so the page need not rasterise the glyphs.
  const atlasName = `ui-${Math.round(1500 * (window.devicePixelRatio || 1))}.atlas`;
  // The opening case, baked at build time (web/CMakeLists.txt, which fills in
  // its name from wasm/phantoms/phantom.h): read, not drawn.
  const openingCase = '@XMEDIA_OPENING_CASE@';
  const casePromise = fetch('cases/' + openingCase).then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null);
  const atlasPromise = ['ui-1500.atlas', 'ui-1875.atlas', 'ui-2250.atlas', 'ui-3000.atlas'].includes(atlasName)
    ? fetch('fonts/' + atlasName).then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null)
    : Promise.resolve(null);
  const zooPromise = fetch('models/index.json').then((r) => (r.ok ? r.json() : { models: [] })).catch(() => ({ models: [] }));
  const defaultModelPromise = zooPromise.then((zoo) => {
    const d = (zoo.models || []).find((m) => m.default) || (zoo.models || [])[0];
    return d ? fetchModel(d.url) : null;
  }).catch((e) => { pageErrors.push(String(e.message || e)); return null; });

  async function fetchModel(url) {
    const cardUrl = url.replace(/\.onnx$/i, '.json');
    // The model and its card in parallel.
    const cardText = cardUrl === url ? Promise.resolve('')
      : fetch(cardUrl).then((c) => (c.ok ? c.text() : '')).catch(() => '');
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    return { bytes, name: url.split('/').pop(), card: await cardText };
  }

  // The app repaints only the parts of the screen that changed (ui/render/render.h),
  // so the WebGL drawing buffer must keep its pixels between frames. Emscripten's
  // GLFW has no hint for that: ask for it where the context is created.
  const canvas = document.getElementById('canvas');
  const getContext = canvas.getContext.bind(canvas);
  canvas.getContext = (type, attrs) => {
    if (!/^webgl/.test(type)) return getContext(type, attrs);
    const gl = getContext(type, { ...attrs, preserveDrawingBuffer: true });
    if (gl) shadowGlState(gl);
    return gl;
  };

  // ImGui's renderer reads the blend, viewport and scissor state back before each
  // draw (to restore it after); in Chromium each of those reads waits for the GPU
  // process to finish all queued work (milliseconds per frame with a software
  // GPU). The page answers them from a copy kept as the state is set.
  function shadowGlState(gl) {
    if (gl.xmediaShadowed) return;
    gl.xmediaShadowed = true;
    const get = gl.getParameter.bind(gl);
    const keys = [gl.VIEWPORT, gl.SCISSOR_BOX, gl.BLEND_SRC_RGB, gl.BLEND_DST_RGB, gl.BLEND_SRC_ALPHA, gl.BLEND_DST_ALPHA,
                  gl.BLEND_EQUATION_RGB, gl.BLEND_EQUATION_ALPHA];
    const state = new Map(keys.map((k) => [k, get(k)]));
    gl.getParameter = (p) => {
      const v = state.get(p);
      if (v === undefined) return get(p);
      return v instanceof Int32Array ? new Int32Array(v) : v;
    };
    const wrap = (name, after) => {
      const f = gl[name].bind(gl);
      gl[name] = (...a) => { f(...a); after(...a); };
    };
    wrap('viewport', (x, y, w, h) => state.set(gl.VIEWPORT, new Int32Array([x, y, w, h])));
    wrap('scissor', (x, y, w, h) => state.set(gl.SCISSOR_BOX, new Int32Array([x, y, w, h])));
    const blend = (sr, dr, sa, da) => {
      state.set(gl.BLEND_SRC_RGB, sr); state.set(gl.BLEND_DST_RGB, dr);
      state.set(gl.BLEND_SRC_ALPHA, sa); state.set(gl.BLEND_DST_ALPHA, da);
    };
    wrap('blendFunc', (s, d) => blend(s, d, s, d));
    wrap('blendFuncSeparate', blend);
    wrap('blendEquation', (m) => { state.set(gl.BLEND_EQUATION_RGB, m); state.set(gl.BLEND_EQUATION_ALPHA, m); });
    wrap('blendEquationSeparate', (mr, ma) => { state.set(gl.BLEND_EQUATION_RGB, mr); state.set(gl.BLEND_EQUATION_ALPHA, ma); });
  }

  // How the page draws (ui/render/render.h): WebGL 2 where the browser runs it on a
  // GPU, else in software into a 2D canvas. `?renderer=webgl` or
  // `?renderer=software` in the address forces one. A throwaway WebGL 2 context
  // tells them apart: browsers refuse it on a "major performance caveat", or
  // name a software rasteriser as the renderer (SwiftShader, llvmpipe, ...).
  let renderer = null;
  function chooseRenderer() {
    if (renderer) return renderer;
    const forced = new URLSearchParams(location.search).get('renderer');
    if (forced === 'webgl' || forced === 'software') return (renderer = forced);
    let gl = null;
    try {
      gl = document.createElement('canvas').getContext('webgl2', { failIfMajorPerformanceCaveat: true });
    } catch (e) { gl = null; }
    let soft = !gl;
    if (gl) {
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) || '');
      soft = /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
      const lose = gl.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();
    }
    mark('renderer chosen');
    return (renderer = soft ? 'software' : 'webgl');
  }
  // Decided while the network works (the probe takes tens of milliseconds
  // with a software WebGL), not when main() asks.
  setTimeout(chooseRenderer, 0);

  const Module = {
    canvas,
    xmediaChooseRenderer: chooseRenderer,
    instantiateWasm(imports, receiveInstance) {
      wasmCompiled
        .then((module) => WebAssembly.instantiate(module, imports).then((instance) => receiveInstance(instance, module)))
        .catch((e) => fail('Could not start xMedIA Lab: ' + (e && e.message ? e.message : e)));
      return {};  // the exports arrive asynchronously
    },
    preRun: [function () {
      Module.addRunDependency('font');
      Promise.all([fontPromise, atlasPromise, casePromise]).then(([ttf, atlas, baked]) => {
        for (const dir of ['/fonts', '/cases']) try { Module.FS.mkdirTree(dir); } catch (e) { /* exists */ }
        if (ttf) Module.FS.writeFile('/fonts/DejaVuSans.ttf', new Uint8Array(ttf));
        if (atlas) Module.FS.writeFile('/fonts/' + atlasName, new Uint8Array(atlas));
        if (baked) Module.FS.writeFile('/cases/' + openingCase, new Uint8Array(baked));
      }).finally(() => Module.removeRunDependency('font'));
      // main() also waits for the default model's bytes (they usually arrive
      // while the wasm compiles), so postRun loads it before the first frame:
      // otherwise the network's completion callbacks queue behind the first,
      // slow frames and the first explanation starts half a second later.
      Module.addRunDependency('model');
      defaultModelPromise.finally(() => Module.removeRunDependency('model'));
    }],
    postRun: [function () {
      zooPromise.then((zoo) => {
        const lines = (zoo.models || []).map((m) => `${m.name}|${m.url}|${m.scenario || ''}`).join('\n');
        call('xm_api_set_zoo', null, ['string'], [lines]);
      });
      defaultModelPromise.then((m) => {
        if (m) {
          mark('model load start');
          const err = loadModelBytes(m.bytes, m.name, m.card);
          mark('model loaded');
          if (err) pageErrors.push(err);
        }
        // teach.js: lessons and the start-up link are in place before `ready`.
        Promise.resolve(window.xmediaTeachStartup && window.xmediaTeachStartup())
          .catch((e) => pageErrors.push(String(e.message || e)))
          .finally(() => { startupDone = true; maybeReady(); });
      });
    }],
    monitorRunDependencies(left) {
      if (!readyDone) loadingText.textContent = left ? 'Loading the lab…' : 'Starting…';
    },
    xmediaOnFirstFrame() { drawn = true; maybeReady(); },
    xmediaOnReady() { drawn = true; firstFrame = true; maybeReady(); },
    xmediaOnError(message) { pageErrors.push(message); },
    xmediaRequest(action, arg) {
      if (action === 'pick-image') pickFile('.png,.jpg,.jpeg,.bmp,.npy', (bytes, name) => api.loadImage(bytes, name));
      else if (action === 'pick-model') pickFile('.onnx', (bytes, name) => api.loadModel(bytes, name));
      else if (action === 'load-model') api.loadModel(arg).catch(() => {});
      else if (window.xmediaTeachRequest) window.xmediaTeachRequest(action, arg);  // teach.js
    },
    onAbort(what) { fail('xMedIA Lab stopped: ' + what); },
    print(text) { console.log(text); },
    printErr(text) { console.warn(text); },
  };
  window.Module = Module;

  let firstFrame = false, startupDone = false;
  // The overlay goes once the lab has drawn itself; without a start-up link in
  // the address there is nothing more to wait for (the lessons list arrives
  // meanwhile). `ready` also waits for the lessons and the link.
  const startLink = location.hash.replace(/^#/, '') !== '';
  let drawn = false;
  function maybeReady() {
    if (drawn && !startLink && !pageErrors.length) loading.classList.add('done');
    if (!firstFrame || !startupDone || readyDone) return;
    readyDone = true;
    api.startupMs = performance.now() - t0;
    loading.classList.add('done');
    resolveReady(api);
  }

  function call(fn, ret, types, args) { return Module.ccall(fn, ret, types, args); }

  function withBytes(bytes, f) {
    const ptr = Module._malloc(Math.max(1, bytes.length));
    try {
      Module.HEAPU8.set(bytes, ptr);
      return f(ptr);
    } finally {
      Module._free(ptr);
    }
  }

  function loadModelBytes(bytes, name, card) {
    return withBytes(bytes, (ptr) => call('xm_api_load_model', 'string', ['number', 'number', 'string', 'string'], [ptr, bytes.length, name, card || '']));
  }

  async function toBytes(src, fallbackName) {
    if (typeof src === 'string') {
      const r = await fetch(src);
      if (!r.ok) throw new Error(`${src}: HTTP ${r.status}`);
      return { bytes: new Uint8Array(await r.arrayBuffer()), name: src.split('/').pop() || fallbackName };
    }
    if (src instanceof ArrayBuffer) return { bytes: new Uint8Array(src), name: fallbackName };
    if (ArrayBuffer.isView(src)) return { bytes: new Uint8Array(src.buffer, src.byteOffset, src.byteLength), name: fallbackName };
    if (src && typeof src.arrayBuffer === 'function') return { bytes: new Uint8Array(await src.arrayBuffer()), name: src.name || fallbackName };
    throw new Error('expected a URL, an ArrayBuffer, a typed array or a File');
  }

  function pickFile(accept, onBytes) {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.style.display = 'none';
    input.addEventListener('change', async () => {
      const f = input.files && input.files[0];
      input.remove();
      if (f) onBytes(new Uint8Array(await f.arrayBuffer()), f.name).catch(() => {});
    });
    document.body.appendChild(input);
    input.click();
  }

  // Drag and drop anywhere on the page: .onnx is a model, anything else an image.
  window.addEventListener('dragover', (e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; });
  window.addEventListener('drop', async (e) => {
    e.preventDefault();
    const f = e.dataTransfer.files && e.dataTransfer.files[0];
    if (!f) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    const p = /\.onnx$/i.test(f.name) ? api.loadModel(bytes, f.name) : api.loadImage(bytes, f.name);
    p.catch(() => {});
  });

  function rawStatus() { return JSON.parse(call('xm_api_status_json', 'string', [], [])); }
  function nextFrame() { return new Promise((r) => requestAnimationFrame(() => r())); }
  function started() {
    if (!Module.calledRun) throw new Error('xMedIA Lab is still loading');
  }

  let runQueue = Promise.resolve();
  async function runNow({ method, params = {}, target = -1 }) {
    // xm_api_run_state: finished runs * 2, + 1 while busy (the full status once, at the end).
    const runState = () => call('xm_api_run_state', 'number', [], []);
    const before = runState() >> 1;
    const err = call('xm_api_run', 'string', ['string'], [JSON.stringify({ method, params, target })]);
    if (err) throw new Error(err);
    for (;;) {
      await nextFrame();
      const r = runState();
      if (r & 1) continue;
      const s = rawStatus();
      if (s.runs_finished > before) return { ...s.last, prediction: s.prediction, target: s.predicted };
      throw new Error(s.run_error || 'the run did not finish');
    }
  }

  const api = {
    ready,
    status() {
      if (!Module.calledRun) {
        return { model: '', backend: 'native', image: '', method: '', busy: true, progress: 0, prediction: [], last: null, errors: pageErrors.slice(), loading: true };
      }
      const s = rawStatus();
      s.errors = pageErrors.concat(s.errors);
      return s;
    },
    // Runs a method on the current case; resolves with the run's summary when it
    // finishes. Calls made while one runs wait their turn, so each resolves
    // with its own run's summary, in the order of the calls.
    async run(request) {
      started();
      const mine = runQueue.then(() => runNow(request || {}));
      runQueue = mine.catch(() => {});
      return mine;
    },
    cancel() { started(); call('xm_api_cancel', null, [], []); },
    // Every method and its parameters as the core declares them (ParamSpec): [{name, params: [{key, kind
    // (bool|int|float|size|choice|text|seed), default, help, lo, hi, log, slider, image_side, choices, open}]}].
    methods() { started(); return JSON.parse(call('xm_api_methods', 'string', [], [])); },
    async loadModel(src, name) {
      started();
      const isUrl = typeof src === 'string';
      let m;
      if (isUrl) {
        call('xm_api_loading_model', null, ['string'], [src.split('/').pop()]);
        try { m = await fetchModel(src); } finally { call('xm_api_loading_model', null, ['string'], ['']); }
      } else {
        const b = await toBytes(src, name || 'uploaded.onnx');
        m = { bytes: b.bytes, name: name || b.name, card: '' };
      }
      // A model our engine refuses replaces the current one only once ONNX
      // Runtime Web has created a session for it and run it once.
      const first = JSON.parse(withBytes(m.bytes, (ptr) => call('xm_api_load_model_or_probe', 'string',
        ['number', 'number', 'string', 'string'], [ptr, m.bytes.length, m.name, m.card || ''])));
      if (first.error) throw new Error(first.error);
      if (first.ort_probe.length) {
        call('xm_api_loading_model', null, ['string'], [m.name]);
        try {
          await window.xmediaOrtBridge.probe(m.bytes, first.ort_probe);
        } catch (e) {
          const message = `${m.name}: ${first.refusal}; ONNX Runtime Web cannot run it either: ${(e && e.message) || e}`;
          call('xm_api_report', null, ['string'], [message]);
          throw new Error(message);
        } finally {
          call('xm_api_loading_model', null, ['string'], ['']);
        }
        const err = loadModelBytes(m.bytes, m.name, m.card);
        if (err) throw new Error(err);
      }
      return api.status();
    },
    async loadImage(src, name) {
      started();
      const b = await toBytes(src, name || 'uploaded.png');
      const err = withBytes(b.bytes, (ptr) => call('xm_api_load_image', 'string', ['number', 'number', 'string'], [ptr, b.bytes.length, name || b.name]));
      if (err) throw new Error(err);
      return api.status();
    },
    // seed: a whole number 0..2147483647; left out, the case keeps its seed.
    setCase(scenario, seed) {
      started();
      if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 2147483647)) {
        throw new Error(`setCase: seed must be a whole number 0..2147483647, not ${String(seed)}`);
      }
      const err = call('xm_api_set_case', 'string', ['string', 'number'], [scenario, seed === undefined ? -1 : seed]);
      if (err) throw new Error(err);
      return api.status();
    },
    setKnob(name, value) {
      started();
      const err = call('xm_api_set_knob', 'string', ['string', 'number'], [name, value]);
      if (err) throw new Error(err);
      return api.status();
    },
    // Runs several methods side by side in the Compare window; resolves when all are done.
    // Rejects, changing nothing, when a method is unknown.
    async compare(methods) {
      started();
      const err = call('xm_api_compare', 'string', ['string'], [methods.join(',')]);
      if (err) throw new Error(err);
      for (;;) {
        await nextFrame();
        const s = rawStatus();
        if (!s.busy && s.compare_pending === 0) return s.compare;
      }
    },
    // Scores the map on screen (ui/state/evaluation.h): {metrics: "all" | [names] (default: all but
    // max_sensitivity), sanity: bool, sanity_layers: n}. Resolves with {metrics: {name: {value, seconds}, curves},
    // sanity: {layers, spearman_abs, spearman_signed, ssim}, seconds}; rejects with the user-facing message.
    async evaluate(request = {}) {
      started();
      const err = call('xm_api_evaluate', 'string', ['string'], [JSON.stringify(request)]);
      if (err) throw new Error(err);
      for (;;) {
        await nextFrame();
        const e = JSON.parse(call('xm_api_evaluation_json', 'string', [], []));
        if (!e.busy) {
          if (e.error) throw new Error(e.error);
          return e;
        }
      }
    },
    // Frames drawn, skipped (nothing changed), repainted in part or in full, and the
    // mean fraction of the screen a painted frame repaints (ui/render/render.h).
    renderStats() { started(); return JSON.parse(call('xm_api_render_stats_json', 'string', [], [])); },
    // Milliseconds from navigation to each start-up phase the page marks (glue
    // start, wasm compiled, main start/end, model loaded, first frames, first
    // explanation drawn).
    startupTimeline() {
      return performance.getEntriesByType('mark').filter((m) => m.name.startsWith(markPrefix))
        .map((m) => ({ name: m.name.slice(markPrefix.length), ms: Math.round(m.startTime) }));
    },
    // The evaluation as it stands (busy or not), without starting one.
    evaluation() { started(); return JSON.parse(call('xm_api_evaluation_json', 'string', [], [])); },
    // The map on screen: {shape, data: Float32Array}.
    attribution() {
      started();
      const sizePtr = Module._malloc(4);
      try {
        const ptr = call('xm_api_attribution_npy', 'number', ['number'], [sizePtr]);
        const size = Module.HEAP32[sizePtr >> 2];
        const bytes = Module.HEAPU8.slice(ptr, ptr + size);
        const headerLen = bytes[8] | (bytes[9] << 8);
        const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLen));
        const shape = (header.match(/\(([^)]*)\)/)[1].split(',').map((x) => x.trim()).filter(Boolean).map(Number));
        return { shape, data: new Float32Array(bytes.buffer.slice(10 + headerLen)) };
      } finally {
        Module._free(sizePtr);
      }
    },
  };
  window.xmediaLab = api;
  // A page never left unresolved: ready rejects with a message if start-up fails.
  window.addEventListener('error', (e) => {
    if (readyDone) return;
    if (e.target && e.target.tagName === 'SCRIPT') fail('Could not load ' + e.target.src + '.');
  }, true);

  // The page's other scripts, in this order, each as soon as it has arrived
  // (index.html preloads them). As deferred scripts they waited for the end
  // of parsing, which the browser scheduled behind the wasm's streaming
  // compile and the renderer probe: 0.1-0.2 s before main() could start.
  for (const src of ['teach.js', 'xmedia-ort.js', 'xmedia-lab.js']) {
    const s = document.createElement('script');
    s.src = src;
    s.async = false;
    document.body.appendChild(s);
  }
})();
