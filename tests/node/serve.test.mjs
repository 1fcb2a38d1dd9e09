// tools/serve.mjs under hostile requests (issue 18, row 1): a NUL, broken
// percent-encoding, `..` in every spelling, paths too long for the file
// system, requests too long for Node's parser, odd methods. Each gets a clean
// 4xx, and the server still serves index.html after all of them.
//
//   node --test tests/node/serve.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const INDEX = '<!doctype html><title>serve test</title>\n';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xmedia-serve-'));
const root = path.join(tmp, 'web');
let server, port;

before(async () => {
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), INDEX);
  fs.writeFileSync(path.join(root, 'sub', 'a.json'), '{"a":1}');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'outside the root');
  server = spawn(process.execPath, [path.join(REPO, 'tools', 'serve.mjs'), '--port', '0', '--root', root, '--quiet'],
                 { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    server.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code} before listening`)));
  });
  port = Number(new URL(url).port);
});

after(() => {
  if (server.exitCode === null) server.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
});

// One raw request (exact bytes, nothing normalised by a client library);
// resolves with the status code of the reply, or 0 when the server closed the
// connection without one.
function raw(request) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let reply = '';
    s.setTimeout(10000, () => s.destroy(new Error('no reply in 10 s to ' + JSON.stringify(request.slice(0, 80)))));
    s.on('data', (d) => { reply += d; });
    s.on('error', reject);
    s.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(reply);
      resolve({ status: m ? Number(m[1]) : 0, body: reply.slice(reply.indexOf('\r\n\r\n') + 4) });
    });
    s.write(request);
  });
}
const get = (target, method = 'GET') => raw(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

test('serves index.html and a file under a folder', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.equal(r.body, INDEX);
  assert.equal((await get('/sub/a.json')).status, 200);
  assert.equal((await get('/missing.js')).status, 404);
});

test('hostile request paths get a 4xx, never a crash, and never a file outside the root', async () => {
  const long = 'a'.repeat(5000);
  const targets = [
    '/%00', '/index.html%00', '/%00/../index.html', '/sub/%00a.json', '/%', '/%zz', '/%e0%a4%a', '/%c0%ae%c0%ae/secret.txt',
    '/%ff', '/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/sub/../../secret.txt',
    '/..%5csecret.txt', '//../secret.txt', '/' + long, '/sub/' + long + '/x', '/' + 'a/'.repeat(3000), '/sub',
    '/index.html/', '*', 'http://other.example/../secret.txt', '/?%00', '/#%00', '/%0a%0d',
  ];
  for (const t of targets) {
    const r = await get(t);
    assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500) || (r.status === 200 && r.body === INDEX),
              `${JSON.stringify(t.slice(0, 60))}: status ${r.status}`);
    assert.ok(!r.body.includes('outside the root'), `${JSON.stringify(t.slice(0, 60))} served a file outside the root`);
  }
  assert.equal((await get('/%00')).status, 400);
  assert.equal((await get('/%zz')).status, 400);
});

test('odd methods, oversized and malformed requests get a 4xx', async () => {
  for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH']) {
    assert.equal((await get('/', m)).status, 405, m);
  }
  const refused = [
    `GET /${'b'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`,  // over Node's 16 KB header limit
    `GET / HTTP/1.1\r\nHost: x\r\nX: ${'c'.repeat(20000)}\r\n\r\n`,
    'BREW / HTTP/1.1\r\nHost: x\r\n\r\n', 'GET\r\n\r\n', '\0\0\0\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n',
    'GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n',
  ];
  for (const q of refused) {
    const r = await raw(q);
    assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `${JSON.stringify(q.slice(0, 40))}: status ${r.status}`);
  }
});

test('the server still runs and serves index.html after all of them', async () => {
  assert.equal(server.exitCode, null, 'serve.mjs exited');
  const r = await get('/index.html');
  assert.equal(r.status, 200);
  assert.equal(r.body, INDEX);
});
