// Teaching journeys (issue 7): paint the lesion away with real mouse drags and
// the prediction drops; the occlusion probe follows the mouse; presenter mode
// at 3x; every lesson walked to its end with the keyboard; a deep link opened
// in a new page restores the same status(); an offline reload works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openPage, saveShot } from './harness.mjs';
import { decodePng } from './png.mjs';

let server, browser, page, rec;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page, ...rec } = await openPage(browser.context, server.url));
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const status = (p = page) => p.evaluate(() => window.xmediaLab.status());
// Keys and clicks reach the app one transition per key per frame (ui/app/input.h):
// wait until none is queued, then for two frames more.
const frames = async (p = page) => {
  await p.waitForFunction(() => window.xmediaLab.status().input_pending === 0, null, { timeout: 30000 });
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
};
const idle = (p = page) => p.waitForFunction(() => {
  const s = window.xmediaLab.status();
  return !s.busy && !s.teach.pending && s.last !== null && s.input_pending === 0;
}, null, { timeout: 60000 });

// Image pixel (x, y) → page coordinates, from the view rectangle the page reports.
function screenOf(s, x, y) {
  const [vx, vy, side] = s.teach.view_rect;
  const [w, h] = s.teach.image_size;
  return { x: vx + ((x + 0.5) / w) * side, y: vy + ((y + 0.5) / h) * side };
}

test('paint the lesion away with the mouse: the prediction drops; undo brings it back', async () => {
  await page.evaluate(() => window.xmediaLab.setCase('cardiac_lge', 5));
  await page.evaluate(() => window.xmediaLab.setKnob('label', 1));
  await idle();
  const s0 = await status();
  assert.equal(s0.model, 'cardiac_lge');
  const p0 = s0.prediction[1];
  assert.ok(p0 > 0.9, `the scar case should be called positive first: ${p0}`);
  assert.ok(s0.teach.lesion, 'the case has a ground-truth scar');
  assert.equal(s0.teach.zoom, 1);
  await page.keyboard.press('e');  // heal brush: covers what is under it with its surroundings
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await frames();
  let s = await status();
  assert.equal(s.teach.tool, 'heal');
  assert.equal(s.teach.brush, 6);
  const [x0, y0, x1, y1] = s.teach.lesion;
  // Real drags across the scar's bounding box, row by row.
  for (let y = y0; y <= y1; y += 4) {
    const a = screenOf(s, x0 - 2, y), b = screenOf(s, x1 + 2, y);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 6 });
    await page.mouse.up();
  }
  await idle();
  s = await status();
  saveShot('teach-painted.png', await page.screenshot());
  const strokes = s.teach.edits;
  assert.ok(strokes >= 2, `the drags made no strokes: ${JSON.stringify(s.teach)}`);
  assert.ok(s.prediction[1] < p0 - 0.3, `painting the scar away should lower p(scar): ${p0} → ${s.prediction[1]}`);
  assert.match(s.teach.fragment, /edit=h,6,/);
  await page.keyboard.press('z');
  await frames();
  s = await status();
  assert.equal(s.teach.edits, strokes - 1);
  // Undo everything: the prediction is exactly the unedited one again.
  for (let i = 1; i < strokes; i++) await page.keyboard.press('z');
  await idle();
  s = await status();
  assert.equal(s.teach.edits, 0);
  assert.equal(s.prediction[1], p0);
  await page.keyboard.press('Escape');
});

test('the occlusion probe follows the mouse and shows the output drop', async () => {
  await page.keyboard.press('q');
  await frames();
  let s = await status();
  assert.equal(s.teach.tool, 'probe');
  const [x0, y0, x1, y1] = s.teach.lesion;
  const cx = Math.round((x0 + x1) / 2), cy = Math.round((y0 + y1) / 2);
  const on = screenOf(s, cx, cy);
  await page.mouse.move(on.x, on.y);
  await page.waitForFunction(() => window.xmediaLab.status().teach.probe !== null, null, { timeout: 10000 });
  s = await status();
  assert.deepEqual([s.teach.probe.x, s.teach.probe.y], [cx, cy]);
  const dropOnScar = s.teach.probe.drop;
  const off = screenOf(s, 4, 4);  // a corner of the image, far from the heart
  await page.mouse.move(off.x, off.y);
  await page.waitForFunction(() => window.xmediaLab.status().teach.probe?.x === 4, null, { timeout: 10000 });
  s = await status();
  saveShot('teach-probe.png', await page.screenshot());
  assert.ok(dropOnScar > s.teach.probe.drop + 0.05, `hiding the scar should cost more than hiding a corner: ${dropOnScar} vs ${s.teach.probe.drop}`);
  await page.keyboard.press('q');
  await frames();
  assert.equal((await status()).teach.tool, 'none');
});

test('presenter mode at 3x: high contrast, no menu bar, crisp help overlay', async () => {
  for (let i = 0; i < 10; i++) await page.keyboard.press('+');
  await page.keyboard.press('k');
  await page.keyboard.press('p');
  await page.keyboard.press('?');
  await frames();
  await page.waitForTimeout(300);
  const s = await status();
  assert.equal(s.teach.scale, 3);
  assert.equal(s.teach.high_contrast, true);
  assert.equal(s.teach.presenter, true);
  assert.equal(s.teach.help, true);
  const shot = await page.screenshot();
  saveShot('teach-presenter-3x.png', shot);
  const img = decodePng(shot);
  // High contrast: the window backgrounds are black and the text white.
  let black = 0, white = 0;
  for (let i = 0; i < img.width * img.height; i++) {
    const r = img.rgba[i * 4], g = img.rgba[i * 4 + 1], b = img.rgba[i * 4 + 2];
    if (r < 8 && g < 8 && b < 8) black++;
    if (r > 247 && g > 247 && b > 247) white++;
  }
  const n = img.width * img.height;
  assert.ok(black > n * 0.2, `expected black panels, ${black}/${n}`);
  assert.ok(white > n * 0.005, `expected white text, ${white}/${n}`);
  await page.keyboard.press('Escape');
  await frames();
  await page.waitForTimeout(200);
  saveShot('teach-presenter-3x-lab.png', await page.screenshot());
  await page.keyboard.press('0');
  await page.keyboard.press('k');
  await page.keyboard.press('p');
  await frames();
  const r = await status();
  assert.equal(r.teach.scale, 1);
  assert.equal(r.teach.help, false);
  assert.equal(r.teach.presenter, false);
});

test('every lesson can be walked to its end with the keyboard', async () => {
  const lessons = await page.evaluate(() => window.xmediaLab.lessons());
  assert.ok(lessons.length >= 4, `lessons: ${lessons.map((l) => l.id)}`);
  for (const id of ['saliency', 'integrated_gradients', 'sanity_checks', 'shortcut'])
    assert.ok(lessons.some((l) => l.id === id), `lesson ${id} is missing`);
  for (const lesson of lessons) {
    let s = await page.evaluate((id) => window.xmediaLab.startLesson(id, 0), lesson.id);
    assert.equal(s.teach.lesson, lesson.id);
    assert.equal(s.teach.step, 0);
    let method = lesson.steps[0].method, model = lesson.steps[0].model;
    for (let i = 1; i < lesson.steps.length; i++) {
      await page.keyboard.press(i % 2 ? 'PageDown' : 'ArrowRight');
      await page.waitForFunction((k) => {
        const t = window.xmediaLab.status().teach;
        return t.step === k && !t.pending;
      }, i, { timeout: 30000 });
      s = await status();
      method = lesson.steps[i].method || method;
      model = lesson.steps[i].model || model;
      assert.equal(s.method, method, `${lesson.id} step ${i + 1}`);
      assert.equal(s.model, model, `${lesson.id} step ${i + 1}`);
      if (lesson.steps[i].scenario) assert.equal(s.scenario, lesson.steps[i].scenario);
    }
    // Past the end stays at the end; back goes one step back.
    await page.keyboard.press('ArrowRight');
    await frames();
    assert.equal((await status()).teach.step, lesson.steps.length - 1);
    saveShot(`teach-lesson-${lesson.id}-end.png`, await page.screenshot());
    await page.keyboard.press('PageUp');
    await page.waitForFunction((k) => window.xmediaLab.status().teach.step === k && !window.xmediaLab.status().teach.pending,
      lesson.steps.length - 2, { timeout: 30000 });
  }
  await page.keyboard.press('Escape');
  await frames();
  const s = await status();
  assert.equal(s.teach.lesson, '');
  assert.deepEqual(rec.consoleErrors, []);
});

test('a deep link opened in a new page restores the same status()', async () => {
  await page.evaluate(() => window.xmediaLab.loadModel('models/chest_xray_shortcut.onnx'));
  await page.evaluate(() => window.xmediaLab.setCase('chest_xray', 7));
  await page.evaluate(() => window.xmediaLab.setKnob('marker', 1));
  await page.evaluate(() => window.xmediaLab.paint({ x: 60, y: 70, radius: 5, value: 0.9 }));
  await page.evaluate(() => window.xmediaLab.paint({ x: 10, y: 10, radius: 8, mode: 'heal' }));
  await page.keyboard.press('g');  // outline off: the view is part of the link
  await page.evaluate(() => window.xmediaLab.run({ method: 'integrated_gradients', params: { steps: 8, rule: 'riemann_middle' } }));
  await page.evaluate(() => window.xmediaLab.startLesson('shortcut', 2).then(() => window.xmediaLab.run({ method: 'saliency' })));
  await idle();
  await page.waitForFunction(() => location.hash.slice(1) === window.xmediaLab.status().teach.fragment, null, { timeout: 5000 });
  const link = await page.evaluate(() => window.xmediaLab.link());
  const a = await status();
  assert.match(link, /#v=1&case=chest_xray&seed=7&k\.label=0&k\.marker=1/);
  const opened = await openPage(browser.context, link);
  try {
    await idle(opened.page);
    const b = await status(opened.page);
    const pick = (s) => ({
      model: s.model, image: s.image, scenario: s.scenario, seed: s.seed, label: s.label, method: s.method,
      prediction: s.prediction, predicted: s.predicted, last: s.last.method, fragment: s.teach.fragment,
      lesson: s.teach.lesson, step: s.teach.step, edits: s.teach.edits, outline: s.teach.outline,
    });
    assert.deepEqual(pick(b), pick(a));
    const mapA = await page.evaluate(() => Array.from(window.xmediaLab.attribution().data));
    const mapB = await opened.page.evaluate(() => Array.from(window.xmediaLab.attribution().data));
    assert.deepEqual(mapB, mapA, 'the same state gives the same map');
    assert.deepEqual(opened.consoleErrors, []);
  } finally {
    await opened.page.close();
  }
  // A broken link is reported and leaves the state alone.
  const err = await page.evaluate(() => window.xmediaLab.openLink('#v=1&case=nosuch').then(() => 'opened', (e) => e.message));
  assert.match(err, /nosuch/);
});

test('offline: after the first visit the page reloads and works with no network', async () => {
  assert.equal(await page.evaluate(() => window.xmediaLab.offlineReady()), true);
  await browser.context.setOffline(true);
  try {
    await page.reload();
    await page.evaluate(() => window.xmediaLab.ready.then(() => true), null, { timeout: 30000 });
    await idle();
    const s = await status();
    assert.equal(s.model, 'chest_xray_shortcut', 'the link in the address bar came back too');
    const r = await page.evaluate(() => window.xmediaLab.run({ method: 'grad_cam' }));
    assert.equal(r.method, 'grad_cam');
    // Another model, never opened in this tab, comes from the cache too.
    const m = await page.evaluate(() => window.xmediaLab.loadModel('models/fundus.onnx').then((x) => x.model));
    assert.equal(m, 'fundus');
    saveShot('teach-offline.png', await page.screenshot());
  } finally {
    await browser.context.setOffline(false);
  }
});
