// The main journeys through the lab, by real clicks and keys and through
// window.xmediaLab: open → first explanation; switch case, model and method;
// compare three methods; upload an image and a model; bad files leave the
// previous state in place. Every request must stay on the page's origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, openPage, saveShot, repo } from './harness.mjs';
import { decodePng, distinctColours } from './png.mjs';

let server, browser, page, rec;
const allRequests = [];
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page, ...rec } = await openPage(browser.context, server.url));
});
after(async () => {
  const origin = new URL(server.url).origin;
  const foreign = allRequests.concat(rec.requests).filter((r) => !r.startsWith(origin) && !r.startsWith('data:') && !r.startsWith('blob:'));
  await browser?.close();
  await server?.close();
  assert.deepEqual(foreign, [], 'the page made requests to another origin');
});

const status = () => page.evaluate(() => window.xmediaLab.status());
const mapStats = () => page.evaluate(() => {
  const a = window.xmediaLab.attribution();
  let nz = 0, max = 0;
  for (const v of a.data) { if (v !== 0) nz++; max = Math.max(max, Math.abs(v)); }
  return { shape: a.shape, nonzero: nz, max };
});
const zoo = JSON.parse(fs.readFileSync(path.join(repo, 'build', 'web', 'models', 'index.json'), 'utf8')).models;

test('opens on a case with an explanation already on screen', async () => {
  assert.ok(zoo.length > 0, 'the build ships no models (models/index.json is empty)');
  await page.waitForFunction(() => window.xmediaLab.status().last !== null && !window.xmediaLab.status().busy, null, { timeout: 30000 });
  const s = await status();
  assert.equal(s.backend, 'native');
  assert.ok(s.model.length > 0);
  assert.equal(s.prediction.length, 2);
  assert.ok(Math.abs(s.prediction[0] + s.prediction[1] - 1) < 1e-4);
  const m = await mapStats();
  assert.ok(m.nonzero > 100 && m.max > 0, `the first map is empty: ${JSON.stringify(m)}`);
  const shot = await page.screenshot();
  saveShot('lab-first-explanation.png', shot);
  const img = decodePng(shot);
  // The explanation view (centre) shows the coloured map over the image.
  assert.ok(distinctColours(img, 400, 60, 880, 600) > 60, 'the explanation view shows no map');
  assert.deepEqual(rec.consoleErrors, []);
});

test('run() through the API: several methods, each with its own cost', async () => {
  for (const method of ['saliency', 'integrated_gradients', 'grad_cam', 'occlusion']) {
    const params = method === 'occlusion' ? { window: 16, stride: 8 } : method === 'integrated_gradients' ? { steps: 16 } : {};
    const r = await page.evaluate(([m, p]) => window.xmediaLab.run({ method: m, params: p }), [method, params]);
    assert.equal(r.method, method);
    assert.ok(r.passes >= 1, `${method}: ${JSON.stringify(r)}`);
    assert.ok(r.ms >= 0);
    const st = await mapStats();
    assert.ok(st.max > 0, `${method} gave an all-zero map`);
  }
  const s = await status();
  assert.equal(s.method, 'occlusion');
  await assert.rejects(page.evaluate(() => window.xmediaLab.run({ method: 'integrated_gradients', params: { steps: 0 } })), /steps/);
  await assert.rejects(page.evaluate(() => window.xmediaLab.run({ method: 'nonsense' })), /nonsense/);
});

test('methods() gives every parameter spec, and run() refuses a value outside its range', async () => {
  const methods = await page.evaluate(() => window.xmediaLab.methods());
  const names = methods.map((m) => m.name);
  for (const n of ['saliency', 'integrated_gradients', 'grad_cam', 'occlusion', 'lime', 'kernel_shap', 'lrp_epsilon'])
    assert.ok(names.includes(n), `${n} missing from ${names}`);
  const ig = methods.find((m) => m.name === 'integrated_gradients').params;
  const steps = ig.find((p) => p.key === 'steps');
  assert.deepEqual({ kind: steps.kind, default: steps.default, lo: steps.lo, hi: steps.hi, log: steps.log, slider: steps.slider },
    { kind: 'int', default: '50', lo: 1, hi: 4096, log: true, slider: true });
  const baseline = ig.find((p) => p.key === 'baseline');
  assert.deepEqual({ kind: baseline.kind, choices: baseline.choices, open: baseline.open },
    { kind: 'choice', choices: ['zero', 'blur', 'uniform'], open: true });
  for (const m of methods) {
    for (const p of m.params) {
      assert.ok(['bool', 'int', 'float', 'size', 'choice', 'text', 'seed'].includes(p.kind), `${m.name}.${p.key}: ${p.kind}`);
      if (p.kind === 'int' || p.kind === 'float') assert.ok(Number(p.default) >= p.lo && Number(p.default) <= p.hi, `${m.name}.${p.key}`);
      if (p.kind === 'choice') assert.ok(p.choices.includes(p.default), `${m.name}.${p.key}`);
    }
  }
  const err = await page.evaluate((hi) => window.xmediaLab.run({ method: 'integrated_gradients', params: { steps: hi + 1 } })
    .then(() => '', (e) => e.message), steps.hi);
  assert.equal(err, `integrated_gradients: parameter 'steps' must be an integer from 1 to ${steps.hi}, got '${steps.hi + 1}'`);
});

test('switching the case by clicking its thumbnail changes image and prediction', async () => {
  const before = await status();
  // The Case panel (left column, max(300, 24% of the width) wide, 8 px padding)
  // starts with a row of four thumbnails; the third is the chest X-ray.
  const thumbs = await page.evaluate(() => ({ w: innerWidth, h: innerHeight }));
  const panelW = Math.max(300, 0.24 * thumbs.w);
  const cell = (panelW - 16 + 8) / 4;
  await page.mouse.click(8 + cell * 2.5, 48 + cell / 2);
  await page.waitForFunction((prev) => window.xmediaLab.status().image !== prev, before.image, { timeout: 10000 });
  const s = await status();
  assert.equal(s.scenario, 'chest_xray', `clicked at ${JSON.stringify(thumbs)}; status ${JSON.stringify(s)}`);
  saveShot('lab-chest-xray.png', await page.screenshot());
  await page.evaluate(() => window.xmediaLab.setCase('cardiac_lge', 5));
  const c = await status();
  assert.equal(c.scenario, 'cardiac_lge');
  assert.equal(c.seed, 5);
});

test('moving a knob changes the prediction live', async () => {
  await page.evaluate(() => window.xmediaLab.setCase('cardiac_lge', 11));
  const healthy = await page.evaluate(() => window.xmediaLab.setKnob('label', 0));
  const lesion = await page.evaluate(() => window.xmediaLab.setKnob('label', 1));
  assert.notDeepEqual(healthy.prediction, lesion.prediction);
  await assert.rejects(page.evaluate(() => window.xmediaLab.setKnob('no_such_knob', 1)), /no_such_knob/);
});

test('switching the model from the zoo', async () => {
  const other = zoo.find((m) => m.name !== zoo.find((z) => z.default)?.name) || zoo[0];
  const s = await page.evaluate((url) => window.xmediaLab.loadModel(url), other.url);
  assert.equal(s.model, other.name);
});

test('compare three methods side by side', async () => {
  const runs = await page.evaluate(() => window.xmediaLab.compare(['saliency', 'input_x_gradient', 'grad_cam']));
  assert.deepEqual(runs.map((r) => r.method), ['saliency', 'input_x_gradient', 'grad_cam']);
  await page.waitForTimeout(100);
  saveShot('lab-compare.png', await page.screenshot());
  await page.keyboard.press('Escape');
});

test('upload an image and a model; bad ones give a message and keep the state', async () => {
  const good = await status();
  const png = fs.readFileSync(path.join(repo, 'build', 'e2e-screenshots', 'lab-first-explanation.png'));
  const s1 = await page.evaluate((b) => window.xmediaLab.loadImage(new Uint8Array(b), 'screenshot.png'), [...png]);
  assert.equal(s1.image, 'screenshot.png');
  // A corrupt image: rejected, message shown, image unchanged.
  const err = await page.evaluate(() => window.xmediaLab.loadImage(new Uint8Array([1, 2, 3, 4, 5]), 'broken.png').then(() => 'loaded', (e) => e.message));
  assert.match(err, /broken\.png/);
  let s = await status();
  assert.equal(s.image, 'screenshot.png');
  assert.ok(s.errors.some((e) => /broken\.png/.test(e)), 'the message is not shown to the user');
  // A model: the golden medical CNN (32x32 input): the image is resized for it.
  const onnx = fs.readFileSync(path.join(repo, 'tests', 'golden', 'medical_cnn_o13', 'model.onnx'));
  s = await page.evaluate((b) => window.xmediaLab.loadModel(new Uint8Array(b), 'my_model.onnx'), [...onnx]);
  assert.equal(s.model, 'my_model');
  const r = await page.evaluate(() => window.xmediaLab.run({ method: 'saliency' }));
  assert.equal(r.method, 'saliency');
  assert.deepEqual((await mapStats()).shape, [1, 1, 32, 32]);
  // A corrupt model: rejected, previous model kept.
  const merr = await page.evaluate(() => window.xmediaLab.loadModel(new Uint8Array(1000).fill(7), 'broken.onnx').then(() => 'loaded', (e) => e.message));
  assert.match(merr, /broken\.onnx/);
  s = await status();
  assert.equal(s.model, 'my_model');
  saveShot('lab-bad-model-message.png', await page.screenshot());
  assert.notEqual(good.model, '');
});

test('drag and drop of an image file', async () => {
  const png = fs.readFileSync(path.join(repo, 'build', 'e2e-screenshots', 'lab-first-explanation.png')).toString('base64');
  await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, png);
  await page.waitForFunction(() => window.xmediaLab.status().image === 'dropped.png', null, { timeout: 10000 });
  assert.deepEqual(rec.consoleErrors, []);
});
