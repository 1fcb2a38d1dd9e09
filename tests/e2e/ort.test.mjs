// ONNX Runtime Web as the page's second backend: a model our engine refuses
// (an LSTM) is uploaded through the file input, opens on ORT automatically, the
// page says so, occlusion completes, gradient methods are unavailable with the
// reason; ORT's files are fetched from the site itself and only after the
// upload; nothing is requested from another origin.
//
//   XMEDIA_WEB_ROOT=/tmp/build-me-web node --test --test-concurrency=1 tests/e2e/ort.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startLab, saveShot, repo } from './harness.mjs';

let h;
const LSTM = path.join(repo, 'tests', 'ort', 'lstm_image', 'model.onnx');
const isOrtFile = (u) => /\/ort\/ort[^/]*\.(mjs|wasm)(\?|$)/.test(u);

before(async () => { h = await startLab(); });
after(async () => { if (h) await h.close(); });

test('the first load does not fetch ONNX Runtime Web', async () => {
  assert.deepEqual(h.requests.filter(isOrtFile), []);
  const s = await h.page.evaluate(() => window.xmediaLab.status());
  assert.equal(s.backend, 'native');
});

test('an uploaded LSTM model runs on ONNX Runtime Web: occlusion works, gradients are unavailable', async () => {
  const { page } = h;
  const before_upload = h.requests.length;
  // The real file input, as the "Open model" button opens it.
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.evaluate(() => window.Module.xmediaRequest('pick-model', '')),
  ]);
  await chooser.setFiles(LSTM);
  await page.waitForFunction(() => window.xmediaLab.status().model === 'model', null, { timeout: 30000 });
  let s = await page.evaluate(() => window.xmediaLab.status());
  assert.equal(s.backend, 'ort');
  assert.match(s.backend_note, /ONNX Runtime Web/);
  assert.match(s.backend_note, /LSTM/);
  assert.equal(s.native_available, false);
  // Every gradient method is listed as unavailable, with the reason; perturbation methods are not.
  for (const m of ['saliency', 'integrated_gradients', 'grad_cam', 'smoothgrad']) {
    assert.match(s.unavailable[m] || '', /needs gradients.*ONNX Runtime Web/, m);
  }
  for (const m of ['occlusion', 'feature_ablation', 'rise', 'lime', 'kernel_shap']) assert.equal(s.unavailable[m], undefined, m);

  const r = await page.evaluate(() => window.xmediaLab.run({ method: 'occlusion', params: { window: 8, stride: 4 } }));
  assert.equal(r.method, 'occlusion');
  assert.equal(r.passes, 1 + 7 * 7);
  s = await page.evaluate(() => window.xmediaLab.status());
  assert.equal(s.prediction.length, 2);
  assert.ok(Math.abs(s.prediction[0] + s.prediction[1] - 1) < 1e-5, 'the prediction is a softmax');
  const map = await page.evaluate(() => {
    const a = window.xmediaLab.attribution();
    return { shape: a.shape, nonzero: a.data.some((v) => v !== 0), finite: a.data.every(Number.isFinite) };
  });
  assert.deepEqual(map.shape, [1, 1, 32, 32]);
  assert.ok(map.nonzero && map.finite);

  const err = await page.evaluate(() => window.xmediaLab.run({ method: 'saliency' }).then(() => 'ran', (e) => e.message));
  assert.match(err, /saliency needs gradients.*ONNX Runtime Web/);

  // ORT's files came after the upload, from this site.
  const ort_requests = h.requests.slice(before_upload).filter(isOrtFile);
  assert.ok(ort_requests.some((u) => /ort\.wasm\.min\.mjs/.test(u)), `ORT entry fetched: ${ort_requests}`);
  assert.ok(ort_requests.some((u) => /\.wasm(\?|$)/.test(u)), `ORT wasm fetched: ${ort_requests}`);
  assert.deepEqual(h.requests.slice(0, before_upload).filter(isOrtFile), []);
  await page.waitForTimeout(200);
  saveShot('ort-lstm-occlusion.png', await page.screenshot());
});

test('a zoo model on both backends: switch, and the parity view agrees to 1e-4', async () => {
  const { page } = h;
  await page.evaluate(() => window.xmediaLab.loadModel('models/cardiac_lge.onnx'));
  let s = await page.evaluate(() => window.xmediaLab.status());
  assert.equal(s.backend, 'native');
  assert.equal(s.native_available, true);
  const parity = await page.evaluate(async () => {
    const err = window.Module.ccall('xm_api_parity', 'string', [], []);
    if (err) return { error: err };
    for (let i = 0; i < 600; ++i) {
      await new Promise((r) => setTimeout(r, 50));
      const p = window.xmediaLab.status().parity;
      if (!p.running) return p;
    }
    return { error: 'parity did not finish' };
  });
  assert.equal(parity.error, '');
  assert.equal(parity.valid, true);
  assert.ok(parity.max_rel <= 1e-4, `max_rel ${parity.max_rel}`);
  const native_pred = s.prediction;
  const err = await page.evaluate(() => window.Module.ccall('xm_api_set_backend', 'string', ['string'], ['ort']));
  assert.equal(err, '');
  await page.waitForFunction(() => !window.xmediaLab.status().prediction_pending, null, { timeout: 30000 });
  s = await page.evaluate(() => window.xmediaLab.status());
  assert.equal(s.backend, 'ort');
  for (let k = 0; k < native_pred.length; ++k) assert.ok(Math.abs(s.prediction[k] - native_pred[k]) < 1e-4);
  const r = await page.evaluate(() => window.xmediaLab.run({ method: 'occlusion', params: { window: 32, stride: 32 } }));
  assert.equal(r.passes, 1 + 16);
  await page.waitForTimeout(200);
  saveShot('ort-parity.png', await page.screenshot());
});

test('no request left the origin and the page logged no errors', async () => {
  const origin = new URL(h.url).origin;
  const foreign = h.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, []);
  assert.deepEqual(h.consoleErrors, []);
});
