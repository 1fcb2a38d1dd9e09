// Outputs of the golden models (tests/golden/, written by tools/golden/make_golden.py)
// three ways: PyTorch (output.npy), ONNX Runtime Web in Node (wasm backend, one
// thread), and our engine through the CLI as wasm under Node
// (`node build/wasm/xmedia.js predict`). Every pair must agree to 1e-4 of the
// output's scale. The LSTM model must be run by ORT and refused by our CLI.
//
//   node --test tests/ort/
//   XMEDIA_JS=/tmp/build-me-wasm/xmedia.js node --test tests/ort/
//   XMEDIA_JS=build/native/xmedia node --test tests/ort/     # the native CLI, same checks
//
// Without a built xmedia.js the engine half fails (it may be skipped by hand
// with XMEDIA_ALLOW_SKIP=1); with one, a case the CLI cannot run fails, naming
// the case and the CLI's error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, read_npy, compare, ort_session, ort_run, skip_without } from './npy.mjs';

const GOLDEN = path.join(REPO, 'tests', 'golden');
const TOL = 1e-4;
const manifest = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'manifest.json'), 'utf8'));
const xmedia_js = path.resolve(REPO, process.env.XMEDIA_JS || 'build/wasm/xmedia.js');
const skip_cli = skip_without(xmedia_js);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xmedia-parity-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// Runs `node xmedia.js ARGS`; resolves to { code, stdout, stderr } (never rejects).
function xmedia(args) {
  return new Promise((resolve) => {
    // A .js path runs under Node; anything else (the native binary) runs as it is.
    const [cmd, argv] = /\.m?js$/.test(xmedia_js) ? [process.execPath, [xmedia_js, ...args]] : [xmedia_js, args];
    execFile(cmd, argv, { timeout: 60000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : (err.signal || 'spawn failed')) : 0;
        resolve({ code, stdout, stderr });
      });
  });
}

function fmt(c) {
  return `max err ${c.max_err.toExponential(2)} at ${c.where}, scale ${c.scale.toPrecision(3)}, ` +
         `rel ${c.rel.toExponential(2)}`;
}

test('golden manifest covers the op set at opsets 11, 13 and 17', () => {
  const ops = new Set(manifest.cases.flatMap((c) => c.ops));
  for (const op of ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip',
    'Softmax', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization', 'Add', 'Sub', 'Mul', 'Div',
    'Concat', 'Flatten', 'Reshape', 'Transpose', 'Pad', 'ReduceMean', 'Resize', 'Identity', 'Dropout',
    'Shape', 'Gather', 'Unsqueeze']) {
    assert.ok(ops.has(op), `no golden case exports ${op}`);
  }
  const opsets = new Set(manifest.cases.map((c) => c.opset));
  for (const o of [11, 13, 17]) assert.ok(opsets.has(o), `no golden case at opset ${o}`);
});

// ORT's output for each case, kept for the comparison with our CLI.
const ort_outputs = new Map();

describe('ONNX Runtime Web (wasm, Node) vs PyTorch', () => {
  for (const c of manifest.cases) {
    const dir = path.join(GOLDEN, c.name);
    test(`${c.name}: ORT matches PyTorch`, async () => {
      const x = read_npy(path.join(dir, 'input.npy'));
      const ref = read_npy(path.join(dir, 'output.npy'));
      assert.deepEqual(x.shape, c.input_shape, 'input.npy shape vs manifest');
      assert.deepEqual(ref.shape, c.output_shape, 'output.npy shape vs manifest');
      const session = await ort_session(path.join(dir, 'model.onnx'));
      const out = await ort_run(session, x.shape, x.data);
      await session.release();
      assert.deepEqual(out.shape, ref.shape, 'ORT output shape');
      const cmp = compare(out.data, ref.data);
      assert.ok(cmp.rel <= TOL, `${c.name}: ORT vs PyTorch ${fmt(cmp)}`);
      ort_outputs.set(c.name, out);
    });
  }
});

// Two CLI processes at a time: most of each run is Node starting and compiling
// the wasm, not the model.
describe('xmedia predict vs ORT', { concurrency: 2 }, () => {
  for (const c of manifest.cases) {
    const dir = path.join(GOLDEN, c.name);
    test(`${c.name}: xmedia predict matches ORT`, { skip: skip_cli }, async () => {
      const out_file = path.join(tmp, `${c.name}.npy`);
      const r = await xmedia(['predict', '--model', path.join(dir, 'model.onnx'),
        '--input', path.join(dir, 'input.npy'), '--out', out_file]);
      assert.equal(r.code, 0, `${c.name}: xmedia predict exited ${r.code}: ${r.stderr.trim()}`);
      const ours = read_npy(out_file);
      // When ORT failed on this case, compare with PyTorch and say so.
      const ref = ort_outputs.get(c.name) || read_npy(path.join(dir, 'output.npy'));
      const ref_name = ort_outputs.has(c.name) ? 'ORT' : 'PyTorch';
      assert.deepEqual(ours.shape, ref.shape, `${c.name}: output shape`);
      const cmp = compare(ours.data, ref.data);
      assert.ok(cmp.rel <= TOL, `${c.name}: xmedia vs ${ref_name} ${fmt(cmp)}`);
    });
  }
});

describe('a model with an unsupported op (LSTM)', () => {
  const u = manifest.unsupported.find((c) => c.refuse === 'LSTM');
  const dir = path.join(GOLDEN, u.name);

  test('ORT runs it and matches PyTorch', async () => {
    const x = read_npy(path.join(dir, 'input.npy'));
    const ref = read_npy(path.join(dir, 'output.npy'));
    const session = await ort_session(path.join(dir, 'model.onnx'));
    const out = await ort_run(session, x.shape, x.data);
    await session.release();
    const cmp = compare(out.data, ref.data);
    assert.ok(cmp.rel <= TOL, `LSTM: ORT vs PyTorch ${fmt(cmp)}`);
  });

  test('xmedia predict refuses it: exit 3, "error:" naming LSTM', { skip: skip_cli },
    async () => {
      const out_file = path.join(tmp, 'lstm.npy');
      const r = await xmedia(['predict', '--model', path.join(dir, 'model.onnx'),
        '--input', path.join(dir, 'input.npy'), '--out', out_file]);
      assert.equal(r.code, 3, `exit status ${r.code}, stderr: ${r.stderr.trim()}`);
      const line = r.stderr.split('\n').find((l) => l.startsWith('error:'));
      assert.ok(line, `no stderr line starts with "error:": ${JSON.stringify(r.stderr)}`);
      assert.match(line, /LSTM/, 'the error names the op');
      assert.ok(!fs.existsSync(out_file), 'no output written for a refused model');
    });
});

// The CLI side of "corrupt, truncated or empty files get exit status 3 and a
// clear message, never a crash" (the loader's own tests go byte by byte).
describe('xmedia predict on broken model files', { skip: skip_cli }, () => {
  const good = fs.readFileSync(path.join(GOLDEN, 'medical_cnn_o13', 'model.onnx'));
  let s = 7;
  const noise = Buffer.alloc(4096).map(() => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s >>> 24; });
  const files = {
    empty: Buffer.alloc(0),
    truncated: good.subarray(0, Math.floor(good.length * 0.6)),
    random_bytes: noise,
    text: Buffer.from('this is not an ONNX model\n'),
  };
  for (const [what, bytes] of Object.entries(files)) {
    test(`${what} model file: exit 3 with one "error:" line`, async () => {
      const model = path.join(tmp, `${what}.onnx`);
      fs.writeFileSync(model, bytes);
      const out_file = path.join(tmp, `${what}.npy`);
      const r = await xmedia(['predict', '--model', model, '--input',
        path.join(GOLDEN, 'medical_cnn_o13', 'input.npy'), '--out', out_file]);
      assert.equal(r.code, 3, `exit status ${r.code}, stderr: ${r.stderr.trim()}`);
      const errors = r.stderr.split('\n').filter((l) => /^error: ./.test(l));
      assert.equal(errors.length, 1, `stderr: ${JSON.stringify(r.stderr)}`);
      assert.ok(!fs.existsSync(out_file), 'no output written');
    });
  }
  test('missing model file: exit 3 naming the file', async () => {
    const model = path.join(tmp, 'no_such_model.onnx');
    const r = await xmedia(['predict', '--model', model, '--input',
      path.join(GOLDEN, 'medical_cnn_o13', 'input.npy')]);
    assert.equal(r.code, 3, `exit status ${r.code}, stderr: ${r.stderr.trim()}`);
    assert.match(r.stderr, /^error: .*no_such_model\.onnx/m);
  });
});
