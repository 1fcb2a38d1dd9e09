// The page never freezes and never loses state (issue 18, the page's rows): a
// 30 kB link's edits are cut to a bounded amount of painting, with a message;
// a model ONNX Runtime Web cannot run is refused and the working model stays;
// concurrent run() calls each get their own summary; key presses faster than
// frames all arrive; bad arguments to setCase, compare and a link's lesson step
// are refused with a message and change nothing.
//
//   NODE_PATH=/usr/share/nodejs node --test --test-concurrency=1 tests/e2e/robust.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startLab, repo } from './harness.mjs';

let h, page;
before(async () => {
  h = await startLab({ firstExplanation: true });
  ({ page } = h);
});
after(async () => { if (h) await h.close(); });

const status = () => page.evaluate(() => window.xmediaLab.status());
const idle = () => page.waitForFunction(() => {
  const s = window.xmediaLab.status();
  return !s.busy && !s.teach.pending && s.last !== null && s.input_pending === 0;
}, null, { timeout: 60000 });
// The message a call in the page rejects with (Playwright adds its own prefix and the page's stack).
const rejection = (f, arg) => page.evaluate(f, arg).then((v) => `resolved: ${JSON.stringify(v).slice(0, 200)}`,
  (e) => e.message.replace(/^page\.evaluate: Error: /, '').split('\n')[0]);

test('a 30 kB link of far-apart points opens with its edits cut to a bounded amount, and says so', async () => {
  let frag = '#v=1&case=cardiac_lge&seed=1&edit=p,1,0';
  for (let i = 0; i < 2047; i++) frag += i % 2 ? ',100000,100000' : ',-100000,-100000';
  assert.ok(frag.length > 30000);
  await page.evaluate((f) => window.xmediaLab.openLink(f), frag);
  await idle();
  const s = await status();
  const note = s.errors.find((e) => /^link: edits: kept the first \d+ of 2047 points; the rest would take too long to paint$/.test(e));
  assert.ok(note, `no message says what was dropped: ${JSON.stringify(s.errors)}`);
  const kept = Number(note.match(/first (\d+)/)[1]);
  assert.ok(kept > 1 && kept < 2047, note);
  assert.equal(s.teach.edits, 1);
  // A knob repaints the kept edits and the page goes on.
  await page.evaluate(() => window.xmediaLab.setKnob('label', 1));
  await idle();
  await page.evaluate(() => window.xmediaLab.undo());
  assert.equal((await status()).teach.edits, 0);
});

test('a model ONNX Runtime Web cannot create is refused; the working model stays and runs', async () => {
  // The LSTM model (only ORT runs it) with its LSTM renamed to an op nobody has.
  const bytes = fs.readFileSync(path.join(repo, 'tests', 'ort', 'lstm_image', 'model.onnx'));
  const at = bytes.indexOf(Buffer.from([0x22, 0x04, 0x4c, 0x53, 0x54, 0x4d]));  // op_type "LSTM"
  assert.ok(at > 0);
  bytes[at + 5] = 0x58;  // "LSTX"
  const before = await status();
  assert.equal(before.backend, 'native');
  const message = await rejection((b) => window.xmediaLab.loadModel(new Uint8Array(b), 'lstx.onnx'), [...bytes]);
  assert.match(message, /^lstx\.onnx: .*LSTX.*; ONNX Runtime Web cannot run it either: /);
  const s = await status();
  assert.equal(s.model, before.model);
  assert.equal(s.backend, 'native');
  assert.ok(s.errors.includes(message), 'the page shows the message too');
  const r = await page.evaluate(() => window.xmediaLab.run({ method: 'saliency' }));
  assert.equal(r.method, 'saliency');
});

test('a model ONNX Runtime Web can create but not run is refused; the working model stays', async () => {
  // The LSTM model with its Reshape's target [N, 16, 64] made [N, 17, 64]:
  // the session is created, the first run fails.
  const bytes = fs.readFileSync(path.join(repo, 'tests', 'ort', 'lstm_image', 'model.onnx'));
  const pattern = Buffer.concat([Buffer.from('/Constant_1"\x08Constant*\x1a\n\x05value*\x0e\x08\x01\x10\x07J\x08', 'latin1'), Buffer.from([16])]);
  const at = bytes.indexOf(pattern);
  assert.ok(at > 0);
  bytes[at + pattern.length - 1] = 17;
  const before = await status();
  const message = await rejection((b) => window.xmediaLab.loadModel(new Uint8Array(b), 'reshape.onnx'), [...bytes]);
  assert.match(message, /^reshape\.onnx: .*LSTM.*; ONNX Runtime Web cannot run it either: .*Reshape/);
  const s = await status();
  assert.equal(s.model, before.model);
  assert.equal(s.backend, 'native');
  const r = await page.evaluate(() => window.xmediaLab.run({ method: 'occlusion', params: { window: 16, stride: 16 } }));
  assert.equal(r.method, 'occlusion');
});

test('two concurrent run() calls each resolve with their own run, in call order', async () => {
  const [a, b] = await page.evaluate(() => Promise.allSettled([
    window.xmediaLab.run({ method: 'occlusion', params: { window: 16, stride: 16 } }),
    window.xmediaLab.run({ method: 'saliency' }),
  ]));
  assert.equal(a.status, 'fulfilled', a.reason && a.reason.message);
  assert.equal(b.status, 'fulfilled', b.reason && b.reason.message);
  assert.equal(a.value.method, 'occlusion');
  assert.equal(b.value.method, 'saliency');
  assert.equal((await status()).last.method, 'saliency');
});

// Key events dispatched in one task: no frame can come between them.
function pressKeys(keys) {
  return page.evaluate((ks) => {
    const send = (type, keyCode, key) => {
      const e = new KeyboardEvent(type, { key, bubbles: true, cancelable: true });
      Object.defineProperty(e, 'keyCode', { get: () => keyCode });
      Object.defineProperty(e, 'which', { get: () => keyCode });
      window.dispatchEvent(e);
    };
    for (const [keyCode, key] of ks) {
      send('keydown', keyCode, key);
      send('keyup', keyCode, key);
    }
  }, keys);
}

test('key presses that come faster than frames all arrive: four steps forward, five undos', async () => {
  let s = await page.evaluate(() => window.xmediaLab.startLesson('saliency', 0));
  assert.equal(s.teach.step, 0);
  await pressKeys([[39, 'ArrowRight'], [39, 'ArrowRight'], [34, 'PageDown'], [39, 'ArrowRight']]);
  await page.waitForFunction(() => window.xmediaLab.status().teach.step === 4, null, { timeout: 15000 })
    .catch(async () => assert.fail(`the lesson is at step ${(await status()).teach.step}, not 4`));
  await idle();
  await pressKeys([[27, 'Escape']]);
  await page.waitForFunction(() => window.xmediaLab.status().teach.lesson === '', null, { timeout: 15000 });
  for (let i = 0; i < 6; i++) await page.evaluate((k) => window.xmediaLab.paint({ x: 10 + 8 * k, y: 20, radius: 3 }), i);
  assert.equal((await status()).teach.edits, 6);
  await pressKeys(Array(5).fill([90, 'z']));
  await page.waitForFunction(() => window.xmediaLab.status().teach.edits === 1, null, { timeout: 15000 })
    .catch(async () => assert.fail(`${(await status()).teach.edits} edits left, not 1`));
  await page.evaluate(() => window.xmediaLab.undo());
  await idle();
});

test('two clicks that come faster than frames paint two strokes, each where it was clicked', async () => {
  await idle();
  await pressKeys([[69, 'e']]);  // the heal brush
  await page.waitForFunction(() => window.xmediaLab.status().teach.tool === 'heal', null, { timeout: 15000 });
  const s0 = await status();
  const [vx, vy, side] = s0.teach.view_rect;
  const [w, h] = s0.teach.image_size;
  const at = (x, y) => ({ x: vx + ((x + 0.5) / w) * side, y: vy + ((y + 0.5) / h) * side });
  const points = [at(20, 20), at(w - 20, h - 20)];
  await page.evaluate((ps) => {
    const canvas = document.getElementById('canvas');
    for (const p of ps) {
      for (const type of ['mousedown', 'mouseup']) {
        canvas.dispatchEvent(new MouseEvent(type, { clientX: p.x, clientY: p.y, button: 0, bubbles: true, cancelable: true }));
      }
    }
  }, points);
  await page.waitForFunction((n) => window.xmediaLab.status().teach.edits === n, s0.teach.edits + 2, { timeout: 15000 })
    .catch(async () => assert.fail(`${(await status()).teach.edits - s0.teach.edits} strokes, not 2`));
  const frag = (await status()).teach.fragment;
  const edit = decodeURIComponent(frag.match(/edit=([^&]*)/)[1]).split(';').slice(-2);
  assert.deepEqual(edit.map((e) => e.split(',').slice(3, 5).map(Number)), [[20, 20], [w - 20, h - 20]]);
  await pressKeys([[90, 'z'], [90, 'z'], [27, 'Escape']]);
  await page.waitForFunction((n) => window.xmediaLab.status().teach.edits === n && window.xmediaLab.status().teach.tool === 'none',
    s0.teach.edits, { timeout: 15000 });
});

test('a bad seed, an unknown method in compare and a link to a step past the end are refused; nothing changes', async () => {
  await page.evaluate(() => window.xmediaLab.setCase('cardiac_lge', 3));
  await idle();
  const before = await status();
  assert.equal(before.seed, 3);
  for (const seed of [-5, NaN, 1.5, 2147483648]) {
    const m = await rejection((x) => window.xmediaLab.setCase('cardiac_lge', x), seed);
    assert.match(m, /^setCase: seed must be a whole number 0\.\.2147483647, not /, String(seed));
  }
  assert.equal((await status()).seed, 3);

  const m = await rejection(() => window.xmediaLab.compare(['saliency', 'no_such_method']));
  assert.equal(m, "compare: unknown method 'no_such_method'");
  let s = await status();
  assert.equal(s.compare_pending, 0);
  assert.equal(s.busy, false);

  const lessons = await page.evaluate(() => window.xmediaLab.lessons());
  const n = lessons.find((l) => l.id === 'saliency').steps.length;
  const l = await rejection((k) => window.xmediaLab.openLink(`#v=1&lesson=saliency&step=${k}&m=grad_cam`), n);
  assert.equal(l, `link: lesson 'saliency' has steps 0..${n - 1}, not ${n}`);
  s = await status();
  assert.equal(s.teach.lesson, '');
  assert.equal(s.method, before.method);
  assert.equal(s.seed, 3);
});
