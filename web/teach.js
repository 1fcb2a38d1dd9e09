// Teaching glue: the lessons (web/lessons/), deep links (the whole state in
// the URL fragment, written as it changes and restored on load), fullscreen
// and link copying for presenters, the offline service worker, and the
// teaching part of window.xmediaLab: lessons(), startLesson(id, step),
// openLink(fragment), paint({x, y, radius, value, mode}), undo(), offlineReady().
'use strict';
(function () {
  const api = window.xmediaLab;
  const Module = window.Module;
  if (!api || !Module) return;
  const startHash = location.hash;  // read before the page writes its own state there
  let written = startHash.replace(/^#/, '');
  const call = (fn, ret, types, args) => Module.ccall(fn, ret, types, args);
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const started = () => { if (!Module.calledRun) throw new Error('xMedIA Lab is still loading'); };

  // Fetched while the wasm compiles: every lesson listed in lessons/index.json.
  const lessonsPromise = fetch('lessons/index.json')
    .then((r) => (r.ok ? r.json() : { lessons: [] }))
    .then((idx) => Promise.all((idx.lessons || []).map(async (f) => {
      const r = await fetch('lessons/' + f);
      return r.ok ? { name: 'lessons/' + f, text: await r.text() } : null;
    })))
    .catch(() => []);

  // Waits until a state that needed another model has been applied.
  async function settle() {
    for (let i = 0; i < 20000; i++) {
      await nextFrame();
      if (!call('xm_api_teach_pending', 'number', [], [])) return;
    }
  }

  // Called by xmedia-lab-api.js once the default model is in: `ready` waits for it.
  window.xmediaTeachStartup = async () => {
    for (const l of await lessonsPromise) {
      if (!l) continue;
      const err = call('xm_api_add_lesson', 'string', ['string', 'string'], [l.text, l.name]);
      if (err) console.warn(err);
    }
    const err = call('xm_api_open_link', 'string', ['string'], [startHash]);
    if (err) console.warn('link: ' + err);
    await settle();
  };

  window.xmediaTeachRequest = (action, arg) => {
    if (action === 'set-fragment') {
      written = arg;
      history.replaceState(history.state, '', '#' + arg);
    } else if (action === 'fullscreen') {
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      else document.documentElement.requestFullscreen().catch((e) => console.warn('fullscreen: ' + e.message));
    } else if (action === 'copy-link') {
      if (navigator.clipboard) navigator.clipboard.writeText(location.href).catch(() => {});
    }
  };

  // A link pasted into the address bar of an open lab.
  window.addEventListener('hashchange', () => {
    const f = location.hash.replace(/^#/, '');
    if (f === written || !Module.calledRun) return;
    written = f;
    call('xm_api_open_link', 'string', ['string'], [location.hash]);
  });

  Object.assign(api, {
    // [{id, title, summary, steps: [{title, text, look, method, model, scenario}]}]
    lessons() {
      started();
      return JSON.parse(call('xm_api_lessons_json', 'string', [], []));
    },
    // Opens a lesson at a step (0-based), setting up that step's state; resolves once it is set.
    async startLesson(id, step = 0) {
      started();
      const err = call('xm_api_start_lesson', 'string', ['string', 'number'], [id, step]);
      if (err) throw new Error(err);
      await settle();
      return api.status();
    },
    // Restores the state of a link's fragment ("#v=1&case=...").
    async openLink(fragment) {
      started();
      const err = call('xm_api_open_link', 'string', ['string'], [fragment]);
      if (err) throw new Error(err);
      await settle();
      return api.status();
    },
    // One dab of a brush at image pixel (x, y): mode paint | heal | restore.
    paint({ x, y, radius = 4, value = 0, mode = 'paint' } = {}) {
      started();
      const err = call('xm_api_paint', 'string', ['string', 'number', 'number', 'number', 'number'], [mode, x, y, radius, value]);
      if (err) throw new Error(err);
      return api.status();
    },
    undo() {
      started();
      const err = call('xm_api_undo', 'string', [], []);
      if (err) throw new Error(err);
      return api.status();
    },
    link() { return location.href; },
    // Resolves once the service worker controls the page (the site is cached for offline use).
    async offlineReady() {
      if (!('serviceWorker' in navigator)) throw new Error('this browser has no service workers');
      await navigator.serviceWorker.ready;
      for (let i = 0; i < 200 && !navigator.serviceWorker.controller; i++) await new Promise((r) => setTimeout(r, 50));
      return !!navigator.serviceWorker.controller;
    },
  });

  // Offline: sw.js (generated at build time, versioned by a hash of the build)
  // caches the site on the first visit. A new build takes over once, with one reload.
  if ('serviceWorker' in navigator && /^https?:$/.test(location.protocol)) {
    const hadController = !!navigator.serviceWorker.controller;
    let reloading = false;
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (hadController && !reloading) {
        reloading = true;
        location.reload();
      }
    });
    // After the first explanation is on screen and while no explainer runs (or
    // after 20 s at most), so that caching the site never competes with either.
    const lull = async () => {
      for (let quiet = 0, t = 0; quiet < 2 && t < 80; t++) {
        await new Promise((r) => setTimeout(r, 250));
        quiet = api.status().busy ? 0 : quiet + 1;
      }
    };
    api.ready.then(lull).then(() => navigator.serviceWorker.register('sw.js'))
      .catch((e) => console.warn('offline cache unavailable: ' + (e && e.message)));
  }
})();
