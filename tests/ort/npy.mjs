// NumPy .npy (float32, C order) reading and writing for the Node tests and
// benchmarks, and ONNX Runtime Web set up to run offline in Node.
//
//   import { read_npy, compare, ort_session } from './npy.mjs';
//   const { shape, data } = read_npy('tests/golden/gemm_o13/input.npy');
//   const session = await ort_session('tests/golden/gemm_o13/model.onnx', { threads: 1 });
//   const out = await ort_run(session, shape, data);        // { shape, data }
//   const c = compare(out.data, ref.data);                   // { max_err, scale, rel }
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The `skip` option of the tests that need `file` (a built CLI). When it is
// missing they fail (./tools/test must not pass without it), and a test named
// for the file says why; a run by hand may skip them with XMEDIA_ALLOW_SKIP=1.
export function skip_without(file) {
  if (fs.existsSync(file)) return false;
  if (process.env.XMEDIA_ALLOW_SKIP === '1') return `${file} not built (XMEDIA_ALLOW_SKIP=1)`;
  test(`${file} is built`, () => {
    assert.fail(`${file} is missing: build it, or run by hand with XMEDIA_ALLOW_SKIP=1 to skip the tests that need it`);
  });
  return false;
}

// Reads a version 1/2/3 .npy holding little-endian float32 ('<f4') in C order.
// Throws with the file name on anything else, so a bad reference never passes silently.
export function read_npy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const header_len = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const header_start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', header_start, header_start + header_len);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape_m = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape_m) throw new Error(`${file}: malformed .npy header: ${header}`);
  if (descr[1] !== '<f4') throw new Error(`${file}: dtype ${descr[1]}, expected <f4`);
  if (fortran[1] !== 'False') throw new Error(`${file}: Fortran order not supported`);
  const shape = shape_m[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = header_start + header_len;
  if (buf.length - offset !== count * 4) throw new Error(`${file}: ${buf.length - offset} data bytes for shape [${shape}]`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; ++i) data[i] = buf.readFloatLE(offset + 4 * i);
  return { shape, data };
}

// Writes float32 data with the given shape as a version 1 .npy file.
export function write_npy(file, shape, data) {
  const shape_s = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape_s}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; ++i) body.writeFloatLE(data[i], 4 * i);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

// max |a - ref| against the reference's scale (max |ref|): the project's
// "1e-4 relative" bar (docs/ARCHITECTURE.md, quality bars). A NaN anywhere fails.
export function compare(a, ref) {
  if (a.length !== ref.length) return { max_err: Infinity, scale: 0, rel: Infinity, where: -1 };
  let max_err = 0;
  let scale = 0;
  let where = -1;
  for (let i = 0; i < ref.length; ++i) {
    const e = Math.abs(a[i] - ref[i]);
    if (!(e <= max_err)) {  // also catches NaN
      max_err = Number.isNaN(e) ? Infinity : e;
      where = i;
    }
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return { max_err, scale, rel: max_err / Math.max(scale, 1e-12), where };
}

let ort_module = null;
// ONNX Runtime Web's Node entry point (dist/ort.node.min.mjs) loads its
// ort-wasm-simd-threaded.{mjs,wasm} from its own dist/ folder through the file
// system, so it runs offline. The build is always SIMD; threads run on Node's
// worker_threads when numThreads > 1. numThreads is global and read when the
// wasm module is first initialised: set it once per process, before the first
// session.
export async function load_ort(threads = 1) {
  if (!ort_module) {
    ort_module = await import('onnxruntime-web');
    ort_module.env.wasm.numThreads = threads;
    ort_module.env.wasm.proxy = false;
    ort_module.env.logLevel = 'error';
  } else if (ort_module.env.wasm.numThreads !== threads) {
    throw new Error(`ONNX Runtime Web already set up with ${ort_module.env.wasm.numThreads} threads`);
  }
  return ort_module;
}

export async function ort_session(model_file, { threads = 1 } = {}) {
  const ort = await load_ort(threads);
  return ort.InferenceSession.create(fs.readFileSync(model_file), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
}

// Runs a one-input, one-output session. Returns { shape, data } of the output.
export async function ort_run(session, shape, data) {
  const ort = ort_module;  // set up by ort_session
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  const result = await session.run(feeds);
  const out = result[session.outputNames[0]];
  return { shape: Array.from(out.dims), data: out.data };
}
