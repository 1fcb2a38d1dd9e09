// The xmedia command line speaks one dialect: `evaluate` takes --input like
// every other command (--image is the same option, kept for old scripts), and
// the options several commands share are described alike in every --help.
// Runs the wasm build under Node, and the native build too when it is there.
//
//   node --test tests/node/cli.test.mjs
//   XMEDIA_JS=/tmp/b/xmedia.js XMEDIA_NATIVE=/tmp/n/xmedia node --test tests/node/cli.test.mjs
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xmedia_js = path.resolve(REPO, process.env.XMEDIA_JS || 'build/wasm/xmedia.js');
const xmedia_native = path.resolve(REPO, process.env.XMEDIA_NATIVE || 'build/native/xmedia');
const model = path.join(REPO, 'models/cardiac_lge.onnx');

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 300000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : (err.signal || 'spawn failed')) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// Timings differ between runs; everything else must not.
function without_seconds(v) {
  if (Array.isArray(v)) return v.map(without_seconds);
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) if (!k.endsWith('seconds')) o[k] = without_seconds(x);
    return o;
  }
  return v;
}

const builds = [
  ['wasm', xmedia_js, (args) => run(process.execPath, [xmedia_js, ...args])],
  ['native', xmedia_native, (args) => run(xmedia_native, args)],
];

for (const [name, file, xmedia] of builds) {
  describe(`xmedia (${name})`, { skip: !fs.existsSync(file) && `${file} not built` }, () => {
    let tmp, x, mask;
    before(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), `xmedia-cli-${name}-`));
      x = path.join(tmp, 'x.npy');
      mask = path.join(tmp, 'mask.png');
      const r = await xmedia(['phantom', '--scenario', 'cardiac_lge', '--seed', '7', '--label', '1', '--out', x, '--mask', mask]);
      assert.equal(r.code, 0, r.stderr);
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    test('evaluate takes --input, and --image as the same option', async () => {
      const common = ['evaluate', '--model', model, '--mask', mask, '--method', 'saliency', '--target', '1',
        '--metrics', 'pointing_game,sparseness'];
      const a = await xmedia([...common, '--input', x]);
      const b = await xmedia([...common, '--image', x]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      const ja = JSON.parse(a.stdout), jb = JSON.parse(b.stdout);
      assert.equal(typeof ja.pointing_game.value, 'number');
      assert.equal(typeof ja.sparseness.value, 'number');
      assert.deepEqual(without_seconds(ja), without_seconds(jb));
    });

    test('evaluate refuses both spellings at once, and neither, as bad usage', async () => {
      const both = await xmedia(['evaluate', '--model', model, '--input', x, '--image', x, '--method', 'saliency']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /^error: evaluate: give --input or --image, not both$/m);
      const neither = await xmedia(['evaluate', '--model', model, '--method', 'saliency']);
      assert.equal(neither.code, 2);
      assert.match(neither.stderr, /^error: evaluate: give either --scenario S --seed N or --input X/m);
      const scenario_and_input = await xmedia(['evaluate', '--model', model, '--scenario', 'cardiac_lge', '--input', x,
        '--method', 'saliency']);
      assert.equal(scenario_and_input.code, 2);
    });

    test('every command that takes a shared option describes it in the same words', async () => {
      const lines = {};  // option -> { its help block -> [commands] }
      for (const cmd of ['info', 'predict', 'gradient', 'explain', 'evaluate', 'bench', 'parity']) {
        const r = await xmedia([cmd, '--help']);
        assert.equal(r.code, 0, r.stderr);
        // An option's block: its line and the continuation lines indented to its help column.
        const text = r.stdout.split('\n');
        for (let i = 0; i < text.length; ++i) {
          const m = /^  (--(model|input|target|threads|backend)) /.exec(text[i]);
          if (!m || (m[2] === 'target' && cmd === 'gradient')) continue;
          let block = text[i];
          while (i + 1 < text.length && /^ {28}\S/.test(text[i + 1])) block += '\n' + text[++i];
          ((lines[m[1]] ||= {})[block] ||= []).push(cmd);
        }
      }
      for (const opt of ['--model', '--input', '--target', '--threads', '--backend']) {
        assert.ok(lines[opt], `${opt} is listed somewhere`);
        assert.equal(Object.keys(lines[opt]).length, 1, `${opt} is described one way: ${JSON.stringify(lines[opt], null, 1)}`);
      }
      assert.deepEqual(Object.values(lines['--model'])[0].sort(),
        ['bench', 'evaluate', 'explain', 'gradient', 'info', 'parity', 'predict']);
      assert.deepEqual(Object.values(lines['--input'])[0].sort(), ['evaluate', 'explain', 'gradient', 'parity', 'predict']);
    });

    // One error path: exit 2 is bad usage, exit 3 bad input, one line on stderr starting "error:".
    function assert_error(r, code, pattern) {
      assert.equal(r.code, code, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^error: /);
      assert.match(lines[0], pattern);
    }

    // x with its first value replaced (a .npy's data starts after its 10-byte preamble and header).
    function npy_with_first(value, file) {
      const b = fs.readFileSync(x);
      b.writeFloatLE(value, 10 + b.readUInt16LE(8));
      fs.writeFileSync(file, b);
      return file;
    }

    test('every command that reads an input refuses NaN and infinite values as bad input (exit 3)', async () => {
      const nan = npy_with_first(NaN, path.join(tmp, 'nan.npy'));
      const inf = npy_with_first(-Infinity, path.join(tmp, 'inf.npy'));
      const out = path.join(tmp, 'bad_out.npy');
      for (const [input, what] of [[nan, /value 0 is NaN/], [inf, /value 0 is infinite/]]) {
        for (const args of [['predict'], ['gradient', '--target', '0', '--out', out], ['explain', '--method', 'saliency', '--out', out],
          ['evaluate', '--method', 'saliency', '--metrics', 'sparseness']]) {
          const r = await xmedia([...args, '--model', model, '--input', input]);
          assert_error(r, 3, what);
          assert.ok(r.stderr.includes(input), `${args[0]} names the file: ${r.stderr}`);
        }
      }
    });

    test('a target outside the model\'s outputs is bad usage (exit 2) in every command that takes --target', async () => {
      const out = path.join(tmp, 'bad_out.npy');
      for (const args of [['gradient', '--out', out], ['explain', '--method', 'saliency', '--out', out],
        ['evaluate', '--method', 'saliency', '--metrics', 'sparseness']]) {
        const r = await xmedia([...args, '--model', model, '--input', x, '--target', '1000']);
        assert_error(r, 2, /target 1000 is out/);
      }
    });

    test('integer options are parsed strictly and refused with a message naming the option (exit 2)', async () => {
      const out = path.join(tmp, 'bad_out.npy');
      for (const bad of ['1e30', '99999999999999999999', '3x', ' 3', '+3', '1.5', '', '-']) {
        const r = await xmedia(['explain', '--model', model, '--input', x, '--method', 'saliency', '--out', out, `--target=${bad}`]);
        assert_error(r, 2, /--target wants an integer/);
      }
      for (const args of [['predict', '--model', model, '--input', x, '--threads'], ['phantom', '--scenario', 'cardiac_lge', '--out', out, '--seed'],
        ['dataset', '--scenario', 'cardiac_lge', '--out', tmp, '--count'], ['bench', '--model', model, '--batch']]) {
        const r = await xmedia([...args, '2e3']);
        assert_error(r, 2, new RegExp(`${args[args.length - 1]} wants an integer`));
      }
    });

    test('an unbounded file as --input or --model is refused at a stated limit (exit 3)', { skip: !fs.existsSync('/dev/zero') }, async () => {
      const as_model = await xmedia(['predict', '--model', '/dev/zero', '--input', x]);
      assert_error(as_model, 3, /\/dev\/zero: the file is larger than the limit of \d+ MiB/);
      const as_input = await xmedia(['predict', '--model', model, '--input', '/dev/zero']);
      assert_error(as_input, 3, /\/dev\/zero: the file is larger than the limit of \d+ MiB/);
    });

    test('explain --help lists every method parameter with its default', async () => {
      const r = await xmedia(['explain', '--help']);
      assert.equal(r.code, 0);
      // Each line is the spec's range or choices, then its help (param_describe).
      assert.match(r.stdout, /^ {4}steps {8}default 50 {9}1\.\.4096; integration points; at least 2 for the Riemann rules/m);
      assert.match(r.stdout, /^ {4}rule {9}default gausslegendre riemann_left \| riemann_right \| riemann_middle \| riemann_trapezoid \| gausslegendre; /m);
      assert.match(r.stdout, /^ {4}epsilon {6}default 1e-9 {7}1e-12\.\.1e6; stabiliser/m);
      assert.match(r.stdout, /^ {4}p {12}default 0\.5 {8}\(0,1\]; probability that a cell is kept$/m);
    });

    test('explain refuses parameters beyond the budget with one error line, exit 2, no abort', async () => {
      // issue 18 row 3: this aborted the wasm build and ran natively past 60 s at 2.2 GB.
      const r = await xmedia(['explain', '--model', model, '--input', x, '--target', '1', '--method', 'kernel_shap',
        '--param', 'features=grid:128', '--out', path.join(tmp, 'budget.npy')]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'error: explain: kernel_shap: features=grid:128 gives 16384 features; at most 4033 ' +
        'with samples=500 (the Gram and design matrices would need 4.0 GB of the 256 MB budget)\n');
      assert.doesNotMatch(r.stderr, /Aborted/);
      assert.ok(!fs.existsSync(path.join(tmp, 'budget.npy')), 'nothing is written');
    });
  });
}
