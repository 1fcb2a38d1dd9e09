// The page's glue: the Emscripten Module settings (fonts into the virtual file
// system, ready and error hooks) and window.xmediaLab, the test and automation
// API described in DESIGN.md ("The page's test API").
'use strict';
(function () {
  const loading = document.getElementById('loading');
  const loadingText = document.getElementById('loading-text');
  const pageErrors = [];
  let resolveReady, rejectReady;
  const ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });

  function fail(message) {
    pageErrors.push(message);
    loading.classList.add('failed');
    loading.classList.remove('done');
    loadingText.textContent = message;
    rejectReady(new Error(message));
  }

  if (typeof WebAssembly !== 'object') {
    fail('This browser cannot run WebAssembly, which xMedIA Lab needs.');
    return;
  }

  // Files the app reads at start-up from its virtual file system.
  const preloaded = [['fonts/DejaVuSans.ttf', '/fonts/DejaVuSans.ttf']];

  const Module = {
    canvas: document.getElementById('canvas'),
    preRun: [function () {
      for (const [url, path] of preloaded) {
        Module.addRunDependency(path);
        fetch(url).then((r) => {
          if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
          return r.arrayBuffer();
        }).then((buf) => {
          const dir = path.substring(0, path.lastIndexOf('/'));
          try { Module.FS.mkdirTree(dir); } catch (e) { /* exists */ }
          Module.FS.writeFile(path, new Uint8Array(buf));
        }).catch((e) => {
          console.warn('xMedIA Lab: ' + e.message + ' (falling back to the built-in font)');
        }).finally(() => Module.removeRunDependency(path));
      }
    }],
    setStatus(text) { if (text) loadingText.textContent = text; },
    monitorRunDependencies(left) {
      loadingText.textContent = left ? 'Loading the lab…' : 'Starting…';
    },
    xmediaOnReady() {
      loading.classList.add('done');
      resolveReady(api);
    },
    xmediaOnError(message) { pageErrors.push(message); },
    onAbort(what) { fail('xMedIA Lab stopped: ' + what); },
    print(text) { console.log(text); },
    printErr(text) { console.warn(text); },
  };
  window.Module = Module;

  let statusFn = null;
  const api = {
    ready,
    status() {
      if (!statusFn) {
        if (!Module.calledRun) return { model: '', backend: 'native', image: '', method: '', busy: true, progress: 0, prediction: [], last: null, errors: pageErrors.slice(), loading: true };
        statusFn = Module.cwrap('xm_api_status_json', 'string', []);
      }
      const s = JSON.parse(statusFn());
      s.errors = pageErrors.concat(s.errors);
      return s;
    },
  };
  window.xmediaLab = api;
  // A page never left unresolved: ready rejects with a message if start-up fails.
  window.addEventListener('error', (e) => {
    if (loading.classList.contains('done')) return;
    if (e.target && e.target.tagName === 'SCRIPT') fail('Could not load ' + e.target.src + '.');
  }, true);
})();
