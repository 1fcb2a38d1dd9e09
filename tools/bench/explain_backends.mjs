#!/usr/bin/env node
// Occlusion and KernelSHAP on bench_cnn.onnx through both backends of the wasm
// CLI (`node xmedia.js explain --backend native|ort`), one and two threads,
// medians of repeated runs in one process; and the bytes ONNX Runtime Web adds
// to the page when it is first needed (gzip level 9, as tools/serve.mjs serves).
// A benchmark program that prints numbers, not a test.
//
//   node tools/bench/explain_backends.mjs                     # defaults below
//   node tools/bench/explain_backends.mjs --threads 1 --repeat 5 --web /tmp/build-me-web
//   XMEDIA_JS=/tmp/build-me-wasm/xmedia.js node tools/bench/explain_backends.mjs
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const o = {
  model: fs.existsSync(path.resolve(REPO, '..', 'shared', 'bench', 'bench_cnn.onnx'))
    ? path.resolve(REPO, '..', 'shared', 'bench', 'bench_cnn.onnx') : '/work/shared/bench/bench_cnn.onnx',
  xmedia_js: path.resolve(REPO, process.env.XMEDIA_JS || 'build/wasm/xmedia.js'),
  threads: [1, 2], repeat: 3, web: path.join(REPO, 'build', 'web'),
  methods: [
    ['occlusion', ['window=16', 'stride=8']],
    ['kernel_shap', ['samples=500', 'features=grid:8']],
  ],
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i], v = () => argv[++i];
  if (a === '--threads') o.threads = v().split(',').map(Number);
  else if (a === '--repeat') o.repeat = Number(v());
  else if (a === '--model') o.model = path.resolve(v());
  else if (a === '--web') o.web = path.resolve(v());
  else if (a === '--xmedia-js') o.xmedia_js = path.resolve(v());
  else { console.error(`error: unknown option ${a}`); process.exit(2); }
}

function run(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [o.xmedia_js, ...args], { timeout: 30 * 60 * 1000, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => resolve({ ok: !err, stdout, stderr }));
  });
}

// A fixed input [1,1,128,128] in [0,1].
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xmedia-bench-'));
const input = path.join(tmp, 'x.npy');
{
  const n = 128 * 128;
  let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 128, 128), }";
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(4 * n);
  let s = 12345;
  for (let i = 0; i < n; ++i) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; body.writeFloatLE(s / 4294967296, 4 * i); }
  fs.writeFileSync(input, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

console.log(`model ${o.model}; ${o.xmedia_js}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
const rows = [];
for (const [method, params] of o.methods) {
  for (const t of o.threads) {
    for (const backend of ['native', 'ort']) {
      const args = ['explain', '--model', o.model, '--input', input, '--method', method, '--target', '1',
        ...params.flatMap((p) => ['--param', p]), '--backend', backend, '--threads', String(t),
        '--repeat', String(o.repeat), '--out', path.join(tmp, 'a.npy')];
      const r = await run(args);
      if (!r.ok) { rows.push({ method, backend, threads: t, failed: r.stderr.trim().split('\n').pop() }); continue; }
      const j = JSON.parse(r.stdout.trim().split('\n').pop());
      rows.push({ method, backend, threads: t, median_s: j.seconds, first_s: j.first_seconds, passes: j.forward_passes });
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
  }
}
console.log('\n| method | threads | native (s) | ORT Web (s) | ORT / native |\n|---|---|---|---|---|');
for (const [method] of o.methods) {
  for (const t of o.threads) {
    const n = rows.find((r) => r.method === method && r.threads === t && r.backend === 'native');
    const w = rows.find((r) => r.method === method && r.threads === t && r.backend === 'ort');
    const f = (r) => (r && r.median_s !== undefined ? r.median_s.toFixed(3) : `failed`);
    const ratio = n && w && n.median_s && w.median_s ? (w.median_s / n.median_s).toFixed(2) : '-';
    console.log(`| ${method} | ${t} | ${f(n)} | ${f(w)} | ${ratio} |`);
  }
}

// What the page fetches the first time a model runs on ORT.
const ortDir = path.join(o.web, 'ort');
if (fs.existsSync(ortDir)) {
  let raw = 0, gz = 0;
  console.log(`\nONNX Runtime Web files in ${ortDir} (fetched on first use, gzip -9 as tools/serve.mjs):`);
  for (const f of fs.readdirSync(ortDir).sort()) {
    const b = fs.readFileSync(path.join(ortDir, f));
    const g = zlib.gzipSync(b, { level: 9 }).length;
    raw += b.length;
    gz += g;
    console.log(`  ${f}: ${(b.length / 1e6).toFixed(2)} MB raw, ${(g / 1e6).toFixed(2)} MB gzipped`);
  }
  console.log(`  total: ${(raw / 1e6).toFixed(2)} MB raw, ${(gz / 1e6).toFixed(2)} MB transferred`);
} else {
  console.log(`\n(no ${ortDir}: build the page to measure ORT's bytes)`);
}
fs.rmSync(tmp, { recursive: true, force: true });
