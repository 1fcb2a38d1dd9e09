// The ONNX Runtime Web backend of the CLI (`node xmedia.js --backend ort`,
// wasm/platform/ort_backend.h) against our engine (`--backend native`) on the
// same queries: every golden model and the zoo through `xmedia parity` (one
// process runs both backends on many cases), occlusion maps through both
// backends, and a model with an LSTM, which only ORT can run.
//
//   node --test tests/ort/backend_ort.test.mjs
//   XMEDIA_JS=/tmp/build-me-wasm/xmedia.js XMEDIA_NATIVE=/tmp/build-me-native/xmedia node --test tests/ort/backend_ort.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, read_npy, write_npy, compare, skip_without } from './npy.mjs';

const TOL = 1e-4;
const xmedia_js = path.resolve(REPO, process.env.XMEDIA_JS || 'build/wasm/xmedia.js');
const xmedia_native = path.resolve(REPO, process.env.XMEDIA_NATIVE || 'build/native/xmedia');
const skip = skip_without(xmedia_js);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xmedia-ort-backend-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 300000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : (err.signal || 'spawn failed')) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
const xmedia = (args) => run(process.execPath, [xmedia_js, ...args]);
const error_line = (r) => r.stderr.split('\n').find((l) => l.startsWith('error:')) || '';

// A deterministic input of the given shape in [0,1] (an LCG, so no file needs committing).
function lcg_input(shape, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; ++i) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = s / 4294967296; }
  return d;
}

const GOLDEN = path.join(REPO, 'tests', 'golden');
const manifest = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'manifest.json'), 'utf8'));
const zoo = fs.readdirSync(path.join(REPO, 'models')).filter((f) => f.endsWith('.onnx')).sort();
const LSTM = path.join(REPO, 'tests', 'ort', 'lstm_image');

describe('xmedia parity: engine vs ONNX Runtime Web on the same inputs', { skip }, () => {
  test('every golden model and every zoo model agree to 1e-4 relative', async () => {
    const lines = [];
    for (const c of manifest.cases) lines.push(`${path.join(GOLDEN, c.name, 'model.onnx')} ${path.join(GOLDEN, c.name, 'input.npy')}`);
    for (const [i, m] of zoo.entries()) {
      const card = JSON.parse(fs.readFileSync(path.join(REPO, 'models', m.replace(/\.onnx$/, '.json')), 'utf8'));
      const shape = [2, ...card.input.shape.slice(1)];  // a batch of two
      const x = path.join(tmp, `zoo_${i}.npy`);
      write_npy(x, shape, lcg_input(shape, 100 + i));
      lines.push(`${path.join(REPO, 'models', m)} ${x}`);
    }
    const list = path.join(tmp, 'cases.txt');
    fs.writeFileSync(list, lines.join('\n') + '\n');
    const r = await xmedia(['parity', '--list', list]);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    assert.equal(rows.length, lines.length, `one JSON line per case; exit ${r.code}, stderr: ${r.stderr.trim()}`);
    const bad = rows.filter((row) => row.error || !(row.max_rel <= TOL));
    assert.deepEqual(bad, [], 'cases where the backends disagree or fail');
    // The comparison is real: outputs are not all zero.
    assert.ok(rows.every((row) => row.scale > 0), 'every case has a non-zero output');
    assert.equal(r.code, 0);
  });

  test('predict --backend ort prints what predict --backend native prints (to 1e-4)', async () => {
    const model = path.join(REPO, 'models', 'fundus.onnx');
    const shape = [1, 3, 128, 128];
    const x = path.join(tmp, 'fundus_in.npy');
    write_npy(x, shape, lcg_input(shape, 5));
    const [a, b] = [await xmedia(['predict', '--model', model, '--input', x, '--backend', 'native']),
      await xmedia(['predict', '--model', model, '--input', x, '--backend', 'ort'])];
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const ya = JSON.parse(a.stdout), yb = JSON.parse(b.stdout);
    assert.deepEqual(yb.shape, ya.shape);
    assert.ok(compare(Float32Array.from(yb.output), Float32Array.from(ya.output)).rel <= TOL, `${a.stdout} vs ${b.stdout}`);
    assert.equal(yb.label, ya.label);
  });
});

describe('occlusion through both backends', { skip, concurrency: 2 }, () => {
  for (const m of ['cardiac_lge', 'fundus']) {
    test(`${m}: the occlusion maps agree to 1e-4 of their scale`, async () => {
      const card = JSON.parse(fs.readFileSync(path.join(REPO, 'models', `${m}.json`), 'utf8'));
      const x = path.join(tmp, `${m}_occ_in.npy`);
      write_npy(x, card.input.shape, lcg_input(card.input.shape, 11));
      const args = (b) => ['explain', '--model', path.join(REPO, 'models', `${m}.onnx`), '--input', x, '--method', 'occlusion',
        '--target', '1', '--param', 'window=32', '--param', 'stride=16', '--backend', b, '--out', path.join(tmp, `${m}_${b}.npy`)];
      const rn = await xmedia(args('native'));
      const ro = await xmedia(args('ort'));
      assert.equal(rn.code, 0, rn.stderr);
      assert.equal(ro.code, 0, ro.stderr);
      assert.equal(JSON.parse(ro.stdout).forward_passes, JSON.parse(rn.stdout).forward_passes);
      const an = read_npy(path.join(tmp, `${m}_native.npy`)), ao = read_npy(path.join(tmp, `${m}_ort.npy`));
      assert.deepEqual(ao.shape, an.shape);
      const c = compare(ao.data, an.data);
      assert.ok(c.scale > 0, 'the native map is not all zero');
      // Occlusion's map is a difference of outputs: compare it to the outputs' own scale.
      const fi = Math.abs(JSON.parse(rn.stdout).stats.f_input);
      assert.ok(c.max_err <= TOL * Math.max(fi, c.scale), `max err ${c.max_err} (map scale ${c.scale}, |F(x)| ${fi})`);
    });
  }
});

// `xmedia predict --backend ort` on dir's model.onnx and input.npy gives its
// output.npy (PyTorch's) to TOL.
async function check_ort_predict(dir, out_name) {
  const out = path.join(tmp, out_name);
  const r = await xmedia(['predict', '--model', path.join(dir, 'model.onnx'), '--input', path.join(dir, 'input.npy'),
    '--backend', 'ort', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const c = compare(read_npy(out).data, read_npy(path.join(dir, 'output.npy')).data);
  assert.ok(c.rel <= TOL, `ORT vs PyTorch rel ${c.rel}`);
}

describe('a model with an LSTM: ORT runs it, our engine refuses it', { skip }, () => {
  test('predict --backend ort matches PyTorch', () => check_ort_predict(LSTM, 'lstm_out.npy'));

  test('the golden unsupported_lstm model (non-image input) runs on ORT and matches PyTorch',
    () => check_ort_predict(path.join(GOLDEN, 'unsupported_lstm'), 'ulstm.npy'));

  test('occlusion runs on ORT; native refuses with exit 3 naming LSTM', async () => {
    const args = (b) => ['explain', '--model', path.join(LSTM, 'model.onnx'), '--input', path.join(LSTM, 'input.npy'),
      '--method', 'occlusion', '--param', 'window=8', '--param', 'stride=4', '--backend', b, '--out', path.join(tmp, `lstm_occ_${b}.npy`)];
    const ro = await xmedia(args('ort'));
    assert.equal(ro.code, 0, ro.stderr);
    const j = JSON.parse(ro.stdout);
    assert.equal(j.forward_passes, 1 + 7 * 7);
    const map = read_npy(path.join(tmp, 'lstm_occ_ort.npy'));
    assert.deepEqual(map.shape, [1, 1, 32, 32]);
    assert.ok(map.data.some((v) => v !== 0), 'occluding parts of the image changes the output');
    const rn = await xmedia(args('native'));
    assert.equal(rn.code, 3, `native: exit ${rn.code}, ${rn.stderr}`);
    assert.match(error_line(rn), /LSTM/);
  });

  test('a gradient method on ORT is a usage error that says why', async () => {
    const r = await xmedia(['explain', '--model', path.join(LSTM, 'model.onnx'), '--input', path.join(LSTM, 'input.npy'),
      '--method', 'saliency', '--backend', 'ort', '--out', path.join(tmp, 'sal.npy')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(error_line(r), /needs gradients.*ONNX Runtime Web/);
  });
});

describe('the native CLI has no ORT', { skip: skip_without(xmedia_native) }, () => {
  test('--backend ort: exit 2, "only in the wasm build under Node"', async () => {
    const r = await run(xmedia_native, ['predict', '--model', path.join(LSTM, 'model.onnx'), '--input',
      path.join(LSTM, 'input.npy'), '--backend', 'ort']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(error_line(r), /only in the wasm build under Node/);
  });
});
