#!/usr/bin/env node
// Forward throughput, side by side in one run: ONNX Runtime Web (wasm, SIMD) in
// Node, our engine as wasm in Node (`xmedia.js bench`), and our native engine
// (`build/native/xmedia bench`) when built; one and two threads; medians.
// A benchmark program that prints numbers, not a test (see tools/bench/README.md).
//
//   node tools/bench/engine_vs_ort.mjs                          # bench_cnn.onnx, batch 64, threads 1,2
//   node tools/bench/engine_vs_ort.mjs M.onnx --batch 16 --threads 1 --runs 9
//   XMEDIA_JS=/tmp/b/xmedia.js XMEDIA_NATIVE=/tmp/n/xmedia node tools/bench/engine_vs_ort.mjs
//
// ORT's thread count is fixed when its wasm module starts, so each ORT
// measurement runs in a child process of this script (`--ort-child`). Children
// run one after the other, never in parallel, so they do not compete for cores.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '..', '..');
const DEFAULT_MODEL = path.resolve(REPO, '..', 'shared', 'bench', 'bench_cnn.onnx');
const FALLBACK_MODEL = '/work/shared/bench/bench_cnn.onnx';
const BENCH_README = path.resolve(path.dirname(fs.existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : FALLBACK_MODEL), 'README.md');

const USAGE = `usage: node tools/bench/engine_vs_ort.mjs [MODEL.onnx] [--batch 64] [--threads 1,2] [--runs 7] [--warmup 2]
                                          [--xmedia-js build/wasm/xmedia.js] [--native build/native/xmedia] [--gradient] [--rounds 1]
  --rounds R repeats the whole comparison R times, interleaved, and reports medians over the rounds.
  --gradient also times our engine's forward+backward (ORT cannot differentiate).
  MODEL defaults to ../shared/bench/bench_cnn.onnx. Env XMEDIA_JS / XMEDIA_NATIVE override the engine paths.`;

function parse_args(argv) {
  const o = {
    model: fs.existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : FALLBACK_MODEL,
    batch: 64, threads: [1, 2], runs: 7, warmup: 2, ort_child: false, gradient: false, rounds: 1,
    xmedia_js: path.resolve(REPO, process.env.XMEDIA_JS || 'build/wasm/xmedia.js'),
    native: path.resolve(REPO, process.env.XMEDIA_NATIVE || 'build/native/xmedia'),
  };
  const int_opt = (k, v, lo, hi) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi) die(`--${k} must be an integer in [${lo}, ${hi}], got '${v}'`, 2);
    return n;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) die(`${a} needs a value`, 2);
      return argv[++i];
    };
    if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else if (a === '--batch') o.batch = int_opt('batch', val(), 1, 4096);
    else if (a === '--runs') o.runs = int_opt('runs', val(), 5, 1000);
    else if (a === '--warmup') o.warmup = int_opt('warmup', val(), 0, 100);
    else if (a === '--threads') o.threads = val().split(',').map((t) => int_opt('threads', t, 1, 64));
    else if (a === '--xmedia-js') o.xmedia_js = path.resolve(val());
    else if (a === '--native') o.native = path.resolve(val());
    else if (a === '--ort-child') o.ort_child = true;
    else if (a === '--gradient') o.gradient = true;
    else if (a === '--rounds') o.rounds = int_opt('rounds', val(), 1, 100);
    else if (a.startsWith('--')) die(`unknown option ${a}\n${USAGE}`, 2);
    else o.model = path.resolve(a);
  }
  if (!fs.existsSync(o.model)) die(`model not found: ${o.model}`, 3);
  return o;
}

function die(msg, code) {
  console.error(`error: ${msg}`);
  process.exit(code);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

// CPU ticks per thread of this process (Linux /proc), to see how many threads
// really worked: ORT's numThreads is a request, not a guarantee.
function thread_ticks() {
  const r = new Map();
  let dir;
  try { dir = fs.readdirSync('/proc/self/task'); } catch { return r; }
  for (const t of dir) {
    try {
      const s = fs.readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      r.set(t, Number(f[11]) + Number(f[12]));  // utime + stime
    } catch { /* the thread ended */ }
  }
  return r;
}

// [SECTION] ORT child: one thread count per process, prints one JSON line.
async function ort_child(o) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = o.threads[0];
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(fs.readFileSync(o.model), {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all',
  });
  const meta = session.inputMetadata && session.inputMetadata[0];
  const dims = (meta && meta.shape ? meta.shape : ['batch', 1, 128, 128])
    .map((d, k) => (k === 0 ? o.batch : typeof d === 'number' ? d : NaN));
  if (dims.some((d) => !Number.isInteger(d))) die(`input shape ${JSON.stringify(meta.shape)} has unknown sizes`, 3);
  const count = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  let s = 12345;  // LCG: the same input every run
  for (let i = 0; i < count; ++i) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; data[i] = s / 4294967296; }
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
  for (let i = 0; i < o.warmup; ++i) await session.run(feeds);
  const times = [];
  const ticks0 = thread_ticks();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < o.runs; ++i) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push((performance.now() - t0) / 1000);
  }
  const wall = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const ticks1 = thread_ticks();
  const per_thread = [];
  for (const [t, v] of ticks1) per_thread.push(v - (ticks0.get(t) || 0));
  const total = per_thread.reduce((a, b) => a + b, 0);
  // A thread counts as busy when it did at least a fifth of the work.
  const busy = per_thread.filter((v) => total > 0 && v >= 0.2 * total).length;
  await session.release();
  console.log(JSON.stringify({
    what: 'ort_web_forward', threads: o.threads[0], batch: o.batch, median_s: median(times),
    min_s: Math.min(...times), runs: o.runs, busy_threads: busy,
    cpu_per_wall: (cpu.user + cpu.system) / 1e6 / wall,
  }));
}

// [SECTION] parent: run everything, print the table.
function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 15 * 60 * 1000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ ok: !err, code: err ? err.code : 0, stdout, stderr });
    });
  });
}

function json_lines(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try { out.push(JSON.parse(t)); } catch { /* not JSON */ }
  }
  return out;
}

async function engine_rows(label, cmd, pre_args, o, t) {
  const args = [...pre_args, 'bench', '--model', o.model, '--batch', String(o.batch), '--threads', String(t)];
  // --repeat and --what are xmedia bench's own options (not in docs/ARCHITECTURE.md's
  // contract): when it rejects them as bad usage (exit 2), run the plain form.
  const extra = ['--repeat', String(o.runs), ...(o.gradient ? ['--what', 'both'] : [])];
  let r = await run(cmd, [...args, ...extra]);
  if (!r.ok && r.code === 2) r = await run(cmd, args);
  const lines = json_lines(r.stdout).filter((j) => typeof j.median_s === 'number');
  if (!r.ok || lines.length === 0) {
    const why = (r.stderr.trim().split('\n').find((l) => l.startsWith('error:')) || r.stderr.trim() || `exit ${r.code}`);
    return [{ engine: label, requested: t, failed: why.slice(0, 160) }];
  }
  return lines.map((j) => ({ ...j, engine: label, requested: t }));
}

function anchors() {
  try {
    const text = fs.readFileSync(BENCH_README, 'utf8');
    const lines = text.split('\n');
    const out = lines.filter((l) => /^\|\s*(what|forward, batch)/.test(l));
    // The paragraph with the GFLOP/s limits, as one line.
    const k = lines.findIndex((l) => /GFLOP\/s/.test(l));
    if (k >= 0) {
      let a = k;
      let b = k;
      while (a > 0 && lines[a - 1].trim()) --a;
      while (b + 1 < lines.length && lines[b + 1].trim()) ++b;
      out.push(lines.slice(a, b + 1).map((l) => l.trim()).join(' '));
    }
    return out;
  } catch {
    return [];
  }
}

async function parent(o) {
  const ort_pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8'));
  const cpu = os.cpus();
  console.log(`model ${o.model}, batch ${o.batch}, threads ${o.threads.join(',')}, ${o.runs} timed runs after ${o.warmup} warm-up, ` +
              `${o.rounds} round(s)`);
  console.log(`node ${process.version}, onnxruntime-web ${ort_pkg.version} (wasm, SIMD), ${cpu.length} x ${cpu[0] ? cpu[0].model : '?'}`);
  console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (figures are noisy on a shared machine)`);
  if (os.loadavg()[0] > 0.75 * cpu.length) {
    console.log(`warning: load average ${os.loadavg()[0].toFixed(1)} on ${cpu.length} cores: other processes compete ` +
                'for the CPU, so timings and even ratios are unreliable (see cpu/wall in the ORT rows)');
  }
  const have_wasm = fs.existsSync(o.xmedia_js);
  const have_native = fs.existsSync(o.native);
  if (!have_wasm) console.log(`(our wasm engine not built: ${o.xmedia_js})`);
  if (!have_native) console.log(`(our native engine not built: ${o.native})`);

  // Rounds interleave the engines, so that a load change on a shared machine
  // hits all of them; each row's figure is the median over the rounds.
  const all = [];
  for (let round = 0; round < o.rounds; ++round) {
    for (const t of o.threads) {
      const r = await run(process.execPath, [SELF, '--ort-child', o.model, '--batch', String(o.batch),
        '--threads', String(t), '--runs', String(o.runs), '--warmup', String(o.warmup)]);
      const j = json_lines(r.stdout)[0];
      all.push(j ? { ...j, engine: 'ORT Web (wasm, Node)', requested: t }
        : { engine: 'ORT Web (wasm, Node)', requested: t, failed: (r.stderr.trim() || `exit ${r.code}`).slice(0, 160) });
      if (have_wasm) all.push(...await engine_rows('xmedia (wasm, Node)', process.execPath, [o.xmedia_js], o, t));
      if (have_native) all.push(...await engine_rows('xmedia (native)', o.native, [], o, t));
    }
  }
  const rows = [];
  const groups = new Map();
  for (const r of all) {
    const key = `${r.engine}|${r.what}|${r.requested}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  for (const g of groups.values()) {
    const ok = g.filter((r) => !r.failed);
    if (ok.length === 0) { rows.push(g[0]); continue; }
    const row = { ...ok[0], median_s: median(ok.map((r) => r.median_s)), rounds: ok.length,
      round_medians_s: ok.map((r) => r.median_s) };
    if (ok.every((r) => typeof r.min_s === 'number')) row.min_s = Math.min(...ok.map((r) => r.min_s));
    if (ok[0].cpu_per_wall !== undefined) row.cpu_per_wall = median(ok.map((r) => r.cpu_per_wall));
    rows.push(row);
  }

  const ort_by_t = new Map(rows.filter((r) => r.what === 'ort_web_forward').map((r) => [r.requested, r.median_s]));
  const head = ['engine', 'what', 'threads', 'median s/batch', 'images/s', 'vs ORT same threads', 'note'];
  const table = [head];
  for (const r of rows) {
    if (r.failed) { table.push([r.engine, '-', String(r.requested), '-', '-', '-', `failed: ${r.failed}`]); continue; }
    const ort_s = ort_by_t.get(r.requested);
    const batch = r.batch || o.batch;
    // Only forward passes compare with ORT's forward; a gradient row has no ORT counterpart.
    const ratio = r.what === 'ort_web_forward' ? '1.00x'
      : ort_s && r.what === 'forward' ? `${(ort_s / r.median_s).toFixed(2)}x` : '-';
    const notes = [];
    if (r.threads !== undefined && r.threads !== r.requested) notes.push(`asked ${r.requested} threads, ran ${r.threads}`);
    if (r.busy_threads !== undefined) notes.push(`busy threads ${r.busy_threads}, cpu/wall ${r.cpu_per_wall.toFixed(2)}`);
    table.push([r.engine, String(r.what), String(r.threads ?? r.requested), r.median_s.toFixed(4),
      (batch / r.median_s).toFixed(1), ratio, notes.join('; ')]);
  }
  const w = head.map((_, c) => Math.max(...table.map((row) => row[c].length)));
  console.log('');
  for (const [i, row] of table.entries()) {
    console.log(row.map((cell, c) => cell.padEnd(w[c])).join('  ').trimEnd());
    if (i === 0) console.log(w.map((n) => '-'.repeat(n)).join('  '));
  }
  console.log('\n"vs ORT" = ORT median / this median (throughput ratio, higher is faster); target: xmedia wasm, 1 thread >= 1.5x.');
  const a = anchors();
  if (a.length) {
    console.log(`\nAnchors from ${BENCH_README} (another run, for orientation only):`);
    for (const l of a) console.log(`  ${l.trim()}`);
  }
  console.log('\nJSON:', JSON.stringify(rows));
}

const opts = parse_args(process.argv.slice(2));
if (opts.ort_child) await ort_child(opts);
else await parent(opts);
