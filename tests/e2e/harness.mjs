// Shared by the browser end-to-end tests: serve build/web (or $XMEDIA_WEB_ROOT) on a free port,
// launch Debian's Chromium headless through playwright-core, and record what
// the page logs and requests.
//
//   const h = await startLab();                // server + browser + page, waits for xmediaLab.ready
//   await h.page.screenshot({ path: 'x.png' });
//   h.consoleErrors, h.requests                 // collected for assertions
//   await h.close();
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const shotDir = path.join(repo, 'build', 'e2e-screenshots');

export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
  '--no-first-run', '--disable-default-apps', '--disable-extensions',
];

export async function startServer() {
  // XMEDIA_WEB_ROOT serves another build of the site (e.g. /tmp/build-me-web).
  const root = process.env.XMEDIA_WEB_ROOT || path.join(repo, 'build', 'web');
  const proc = spawn(process.execPath, [path.join(repo, 'tools', 'serve.mjs'), '--port', '0', '--quiet', '--root', root], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('server did not print its URL within 10 s')), 10000);
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/^(http:\/\/127\.0\.0\.1:\d+\/)/m);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
    proc.on('exit', (code) => reject(new Error('server exited with ' + code)));
  });
  return { url, close: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGTERM'); }) };
}

// options.serviceWorkers = 'block' keeps the page's service worker out (a test
// that routes a request must see it, not the worker's cache).
export async function launchBrowser(options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xmedia-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.XMEDIA_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 800 },
    ...options,
  });
  return {
    context,
    close: async () => { await context.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); },
  };
}

// One server and one browser for all the tests of a file: registers node:test's
// before and after hooks; site.server and site.browser are set once before has run.
//   const site = shareSite();
//   test('...', async () => { await openPage(site.browser.context, site.server.url); });
export function shareSite() {
  const site = {};
  before(async () => {
    site.server = await startServer();
    site.browser = await launchBrowser();
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}

// Opens the page in a new tab and records console errors, page errors and requests.
export async function openPage(context, url, { waitReady = true, viewport, deviceScaleFactor } = {}) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const rec = { consoleErrors: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') rec.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => rec.consoleErrors.push('pageerror: ' + e.message));
  page.on('request', (r) => rec.requests.push(r.url()));
  await page.goto(url);
  if (waitReady) {
    await page.evaluate(() => window.xmediaLab.ready.then(() => true), null, { timeout: 30000 });
  }
  return { page, ...rec };
}

// options.firstExplanation: also wait until the page's first explanation is done.
export async function startLab(options = {}) {
  const server = await startServer();
  const browser = await launchBrowser();
  const opened = await openPage(browser.context, server.url, options);
  if (options.firstExplanation) {
    await opened.page.waitForFunction(() => window.xmediaLab.status().last !== null && !window.xmediaLab.status().busy,
                                      null, { timeout: 30000 });
  }
  return {
    ...opened,
    url: server.url,
    context: browser.context,
    close: async () => { await browser.close(); await server.close(); },
  };
}

export function saveShot(name, buf) {
  fs.mkdirSync(shotDir, { recursive: true });
  fs.writeFileSync(path.join(shotDir, name), buf);
}
