// LRP in the page: both methods run through window.xmediaLab on the default
// case and model (native engine) and draw a non-trivial map; bad parameters
// reject with a message naming them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, saveShot } from './harness.mjs';
import { decodePng, distinctColours } from './png.mjs';

let lab, page, rec;
before(async () => {
  lab = rec = await startLab({ firstExplanation: true });
  page = lab.page;
});
after(async () => { await lab?.close(); });

const mapStats = () => page.evaluate(() => {
  const a = window.xmediaLab.attribution();
  let nz = 0, max = 0, sum = 0;
  for (const v of a.data) { if (v !== 0) nz++; max = Math.max(max, Math.abs(v)); sum += v; }
  return { shape: a.shape, nonzero: nz, max, sum };
});

test('lrp_epsilon and lrp_alpha_beta run on the default case, one pass each', async () => {
  for (const [method, params] of [['lrp_epsilon', {}], ['lrp_alpha_beta', { alpha: 2, beta: 1 }], ['lrp_epsilon', { epsilon: 0.01 }]]) {
    const r = await page.evaluate(([m, p]) => window.xmediaLab.run({ method: m, params: p }), [method, params]);
    assert.equal(r.method, method);
    assert.ok(r.passes >= 1 && r.passes <= 2, `${method}: ${JSON.stringify(r)}`);
    const st = await mapStats();
    assert.ok(st.nonzero > 100 && st.max > 0, `${method} gave an empty map: ${JSON.stringify(st)}`);
    const s = await page.evaluate(() => window.xmediaLab.status());
    assert.equal(s.method, method);
    assert.equal(s.backend, 'native');
  }
  const shot = await page.screenshot();
  saveShot('lab-lrp.png', shot);
  assert.ok(distinctColours(decodePng(shot), 400, 60, 880, 600) > 60, 'the explanation view shows no map');
  assert.deepEqual(rec.consoleErrors, []);
});

test('bad LRP parameters reject with a message naming them', async () => {
  await assert.rejects(page.evaluate(() => window.xmediaLab.run({ method: 'lrp_alpha_beta', params: { alpha: 2, beta: 0.5 } })), /beta/);
  await assert.rejects(page.evaluate(() => window.xmediaLab.run({ method: 'lrp_epsilon', params: { epsilon: -1 } })), /epsilon/);
  // The previous map stays usable: a good run still works.
  const r = await page.evaluate(() => window.xmediaLab.run({ method: 'lrp_epsilon' }));
  assert.equal(r.method, 'lrp_epsilon');
});
