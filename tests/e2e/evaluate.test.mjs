// The evaluation window: scores of the map on screen through
// window.xmediaLab.evaluate() and by clicking View → Evaluate explanation →
// Evaluate; the sanity-check strip; numbers checked against their ranges and
// against each other; screenshots in build/e2e-screenshots/.
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

const within = (v, lo, hi, what) => assert.ok(typeof v === 'number' && v >= lo && v <= hi, `${what} = ${v} is outside [${lo}, ${hi}]`);

test('evaluate() scores the map on screen: localisation, curves, complexity', async () => {
  await page.evaluate(() => window.xmediaLab.setCase('cardiac_lge', 7));
  await page.evaluate(() => window.xmediaLab.setKnob('label', 1));
  await page.evaluate(() => window.xmediaLab.run({ method: 'saliency', target: 1 }));
  const t0 = Date.now();
  const e = await page.evaluate(() => window.xmediaLab.evaluate({ metrics: 'all' }));
  const wall = (Date.now() - t0) / 1000;
  assert.equal(e.method, 'saliency');
  assert.equal(e.target, 1);
  const m = e.metrics;
  for (const k of ['pointing_game', 'energy_pointing_game', 'relevance_rank_accuracy', 'top_k_intersection', 'auprc',
    'deletion_auc', 'insertion_auc', 'road', 'sparseness']) within(m[k].value, 0, 1, k);
  within(m.faithfulness_correlation.value, -1, 1, 'faithfulness_correlation');
  within(m.complexity.value, 0, Math.log(128 * 128), 'complexity');
  assert.ok(m.infidelity.value >= 0 && m.max_sensitivity.value >= 0);
  assert.ok([0, 1].includes(m.pointing_game.value));
  // Saliency is non-negative: the energy and the mass share coincide.
  assert.ok(Math.abs(m.energy_pointing_game.value - m.relevance_mass_accuracy.value) < 1e-6);
  const del = m.curves.deletion_morf;
  assert.equal(del.x.length, 51);
  assert.equal(del.x[0], 0);
  assert.equal(del.x[50], 1);
  del.y.forEach((y) => within(y, 0, 1, 'deletion curve'));
  // The curve starts at the model's probability for the class on the intact image.
  const s = await page.evaluate(() => window.xmediaLab.status());
  assert.ok(Math.abs(del.y[0] - s.prediction[1]) < 1e-4, `deletion starts at ${del.y[0]}, prediction ${s.prediction[1]}`);
  const insertion = m.curves.insertion_morf;
  assert.ok(Math.abs(insertion.y[50] - s.prediction[1]) < 1e-4, 'insertion ends at the intact image');
  const seconds = Object.fromEntries(Object.entries(m).filter(([, v]) => v && typeof v.seconds === 'number').map(([k, v]) => [k, v.seconds]));
  console.log(JSON.stringify({ what: 'browser_evaluate_seconds', model: s.model, method: 'saliency', wall_s: wall, seconds }));
  await page.waitForTimeout(200);
  saveShot('evaluate-api.png', await page.screenshot());
  await assert.rejects(page.evaluate(() => window.xmediaLab.evaluate({ metrics: 'nonsense' })), /nonsense/);
});

test('the sanity strip: cascading randomisation decorrelates a gradient map', async () => {
  const e = await page.evaluate(() => window.xmediaLab.evaluate({ metrics: [], sanity: true }));
  const sa = e.sanity;
  assert.ok(sa.layers.length >= 3, JSON.stringify(sa));
  assert.equal(sa.spearman_abs.length, sa.layers.length);
  sa.spearman_abs.forEach((r) => within(r, -1, 1, 'spearman'));
  sa.ssim.forEach((r) => within(r, -1, 1, 'ssim'));
  // All layers random: far from the trained model's map.
  assert.ok(sa.spearman_abs[sa.spearman_abs.length - 1] < 0.9, JSON.stringify(sa.spearman_abs));
  await page.waitForTimeout(200);
  const shot = await page.screenshot();
  saveShot('evaluate-sanity.png', shot);
  // The strip shows coloured maps.
  assert.ok(distinctColours(decodePng(shot), 200, 300, 1000, 700) > 60, 'the sanity strip shows no maps');
});

test('by clicking: View → Evaluate explanation → Evaluate', async () => {
  await page.keyboard.press('Escape');
  await page.evaluate(() => window.xmediaLab.run({ method: 'grad_cam', target: 1 }));
  const before = await page.evaluate(() => window.xmediaLab.evaluation());
  // The Evaluate window is open from the previous test; close and reopen it through the menu.
  const vp = await page.evaluate(() => ({ w: innerWidth, h: innerHeight }));
  await page.mouse.click(52, 10);                  // "View" in the menu bar
  await page.waitForTimeout(150);
  await page.mouse.click(90, 58);                  // its second item, "Evaluate explanation" (toggles it)
  await page.waitForTimeout(150);
  const closed = await page.screenshot();
  await page.mouse.click(52, 10);
  await page.waitForTimeout(150);
  await page.mouse.click(90, 58);                  // open again
  await page.waitForTimeout(150);
  // The window is centred at 80% x 85% of the page; "Evaluate" is the first button under one line of text.
  const left = vp.w * 0.1, top = vp.h * 0.075;
  await page.mouse.click(left + 36, top + 56);
  await page.waitForFunction(() => { const e = window.xmediaLab.evaluation(); return !e.busy && e.method === 'grad_cam'; }, null, { timeout: 60000 });
  const e = await page.evaluate(() => window.xmediaLab.evaluation());
  assert.equal(e.error, '');
  assert.equal(e.method, 'grad_cam');
  assert.notEqual(JSON.stringify(e.metrics), JSON.stringify(before.metrics));
  within(e.metrics.auprc.value, 0, 1, 'auprc');
  assert.equal(e.metrics.max_sensitivity, undefined, 'the button leaves max-sensitivity off by default');
  await page.waitForTimeout(200);
  saveShot('evaluate-click.png', await page.screenshot());
  saveShot('evaluate-closed.png', closed);
  assert.deepEqual(rec.consoleErrors, []);
});
