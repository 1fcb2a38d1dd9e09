#!/usr/bin/env node
// Serves build/web/ on 127.0.0.1 as a static host would, plus the two headers
// that make the page cross-origin isolated (wasm threads need SharedArrayBuffer):
//   Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp
// and gzip for compressible files, so transfer sizes match a real deployment.
//
//   node tools/serve.mjs [--port 8080] [--root build/web] [--quiet]
//   XMEDIA_PORT=9000 node tools/serve.mjs
// Port 0 picks a free port; the URL is printed on the first line of stdout.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
function arg(name, fallback) {
  const i = args.indexOf('--' + name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
const root = path.resolve(arg('root', path.join(here, '..', 'build', 'web')));
const port = Number(arg('port', process.env.XMEDIA_PORT || 8080));
const quiet = args.includes('--quiet');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`error: --port wants 0..65535, got ${arg('port', process.env.XMEDIA_PORT)}`);
  process.exit(2);
}
if (!fs.existsSync(path.join(root, 'index.html'))) {
  console.error(`error: ${root}/index.html not found: build the wasm preset first (tools/run does)`);
  process.exit(3);
}

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream', '.npy': 'application/octet-stream', '.ttf': 'font/ttf', '.atlas': 'application/octet-stream', '.case': 'application/octet-stream',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.md': 'text/markdown; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const compressible = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.onnx', '.ttf', '.atlas', '.case', '.svg', '.md', '.npy']);
const gzCache = new Map();  // path -> Promise of {mtimeMs, body}

// Compressed off the event loop (zlib's thread pool), once per file version,
// so one large file never holds up the responses for the others.
function gzipped(file, st) {
  const c = gzCache.get(file);
  if (c && c.mtimeMs === st.mtimeMs) return c.body;
  const body = fs.promises.readFile(file).then((raw) => new Promise((resolve, reject) => {
    zlib.gzip(raw, { level: 9 }, (err, out) => (err ? reject(err) : resolve(out)));
  }));
  gzCache.set(file, { mtimeMs: st.mtimeMs, body });
  body.catch(() => gzCache.delete(file));
  return body;
}

// A static host serves compressed files it prepared in advance: compress what
// the first page load needs before the first request (ONNX Runtime Web's large
// files in ort/ are compressed on first use).
async function precompress(dir) {
  for (const e of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'ort') await precompress(f);
    } else if (compressible.has(path.extname(f).toLowerCase())) {
      await gzipped(f, await fs.promises.stat(f)).catch(() => {});
    }
  }
}

// Whatever a client sends (a NUL, broken percent-encoding, `..`, a path longer
// than the file system takes, an odd method) gets a 4xx and the server goes on:
// a request never reaches a call that throws, and one that does anyway is a 500.
function handle(req, res) {
  const common = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...common, Allow: 'GET, HEAD' });
    res.end();
    return;
  }
  let rel;
  try {
    rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    rel = null;
  }
  if (rel === null || rel.includes('\0') || !rel.startsWith('/')) {
    res.writeHead(400, { ...common, 'Content-Type': 'text/plain' });
    res.end('bad request');
    return;
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.join(root, path.normalize(rel));
  if (!file.startsWith(root + path.sep)) {
    res.writeHead(403, common);
    res.end('forbidden');
    return;
  }
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) {
      res.writeHead(404, { ...common, 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const ext = path.extname(file).toLowerCase();
    const headers = { ...common, 'Content-Type': types[ext] || 'application/octet-stream' };
    const gzip = compressible.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] || '');
    if (!gzip) {
      headers['Content-Length'] = st.size;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
      return;
    }
    gzipped(file, st).then((body) => {
      headers['Content-Encoding'] = 'gzip';
      headers['Vary'] = 'Accept-Encoding';
      headers['Content-Length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    }, (e) => {
      res.writeHead(500, { ...common, 'Content-Type': 'text/plain' });
      res.end('cannot read ' + rel + ': ' + e.message);
    });
  });
}

const server = http.createServer((req, res) => {
  try {
    handle(req, res);
  } catch (e) {
    if (!quiet) console.error(`error: ${req.method} ${JSON.stringify(req.url).slice(0, 200)}: ${e.message}`);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('internal error');
  }
});
// Requests Node's parser refuses (a header or URL over its limit, bad syntax).
server.on('clientError', (e, socket) => {
  if (socket.writable && !socket.writableEnded) {
    socket.end(`HTTP/1.1 ${e.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400} Bad Request\r\nConnection: close\r\n\r\n`);
  } else {
    socket.destroy();
  }
});
server.on('error', (e) => {
  console.error(`error: cannot listen on 127.0.0.1:${port}: ${e.message}`);
  process.exit(3);
});
await precompress(root).catch(() => {});
server.listen(port, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  console.log(url);
  if (!quiet) console.log(`xMedIA Lab: serving ${root} at ${url} (Ctrl+C stops)`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
