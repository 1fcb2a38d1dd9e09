// The page opens, draws the ImGui layout, follows the window, and exposes
// window.xmediaLab; it logs no console error and requests nothing from
// another origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareSite, launchBrowser, openPage, saveShot } from './harness.mjs';
import { decodePng, distinctColours, diffFraction } from './png.mjs';

const site = shareSite();

function assertSameOrigin(requests, url) {
  const origin = new URL(url).origin;
  const foreign = requests.filter((r) => !r.startsWith(origin) && !r.startsWith('data:') && !r.startsWith('blob:'));
  assert.deepEqual(foreign, [], 'the page requested another origin');
}

test('opens, becomes ready and draws the layout', async () => {
  const { page, consoleErrors, requests } = await openPage(site.browser.context, site.server.url);
  const status = await page.evaluate(() => window.xmediaLab.status());
  for (const key of ['model', 'backend', 'image', 'method', 'busy', 'progress', 'prediction', 'last', 'errors'])
    assert.ok(key in status, `status() lacks ${key}: ${JSON.stringify(status)}`);
  assert.ok(['native', 'ort'].includes(status.backend));
  assert.ok(status.progress >= 0 && status.progress <= 1);
  assert.ok(Array.isArray(status.prediction));
  assert.deepEqual(status.errors, []);
  // The loading indicator is gone once ready.
  const overlay = await page.evaluate(() => getComputedStyle(document.getElementById('loading')).display);
  assert.equal(overlay, 'none', 'the loading overlay still covers the lab once it is ready');
  const shot = await page.screenshot();
  saveShot('page-1280x800.png', shot);
  const img = decodePng(shot);
  assert.equal(img.width, 1280);
  // A blank or single-colour page has a handful of colours; the layout with text has many.
  assert.ok(distinctColours(img) > 40, `screenshot looks empty (${distinctColours(img)} colours, overlay display ${overlay})`);
  // Something is drawn in the side panels (left) and in the explanation view (right).
  assert.ok(distinctColours(img, 0, 40, 300, 780) > 20, 'the side panels are empty');
  assert.ok(distinctColours(img, 400, 40, 1270, 780) > 5, 'the explanation view is empty');
  assert.deepEqual(consoleErrors, []);
  assertSameOrigin(requests, site.server.url);
  await page.close();
});

test('the canvas follows window resizes and the device pixel ratio', async () => {
  const { page, consoleErrors } = await openPage(site.browser.context, site.server.url);
  await page.setViewportSize({ width: 900, height: 600 });
  await page.waitForFunction(() => {
    const c = document.getElementById('canvas');
    return c.width === Math.round(900 * devicePixelRatio) && c.height === Math.round(600 * devicePixelRatio);
  }, null, { timeout: 5000 });
  await page.close();
  assert.deepEqual(consoleErrors, []);

  // Persistent contexts cannot change the ratio per page; emulate a 2x screen through CDP.
  const p2 = await site.browser.context.newPage();
  const cdp = await site.browser.context.newCDPSession(p2);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 800, height: 500, deviceScaleFactor: 2, mobile: false });
  await p2.goto(site.server.url);
  await p2.evaluate(() => window.xmediaLab.ready.then(() => true));
  await p2.waitForFunction(() => {
    const c = document.getElementById('canvas');
    return devicePixelRatio === 2 && c.width === 1600 && c.height === 1000;
  }, null, { timeout: 5000 });
  // The font atlas baked for 2x screens (web/CMakeLists.txt).
  assert.equal((await p2.evaluate(() => window.xmediaLab.renderStats())).font, '/fonts/ui-3000.atlas');
  saveShot('page-dpr2.png', await p2.screenshot());
  await p2.close();
});

test('real clicks reach the ImGui interface', async () => {
  const { page, consoleErrors } = await openPage(site.browser.context, site.server.url);
  await page.waitForTimeout(200);
  const before = decodePng(await page.screenshot());
  // "Help" in the menu bar, then its first item opens the About window.
  await page.mouse.click(112, 10);
  await page.waitForTimeout(150);
  const menu = decodePng(await page.screenshot());
  assert.ok(diffFraction(before, menu) > 0.001, 'clicking the menu bar changed nothing');
  saveShot('page-help-menu.png', await page.screenshot());
  await page.keyboard.press('Escape');
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

// Opens the page with `file` answering 404, in a fresh browser without service
// workers (the earlier visits' worker would answer from its cache and the route
// would never see the request); returns how xmediaLab.ready settled.
async function startWithout(file) {
  const fresh = await launchBrowser({ serviceWorkers: 'block' });
  const page = await fresh.context.newPage();
  await page.route('**/' + file, (route) => route.fulfill({ status: 404, body: 'gone' }));
  page.on('console', () => {});
  await page.goto(site.server.url);
  const outcome = await page.evaluate(() => window.xmediaLab.ready.then(() => 'resolved', (e) => 'rejected: ' + e.message));
  return { fresh, page, outcome };
}

test('ready rejects instead of hanging when the wasm cannot load', async () => {
  const { fresh, page, outcome } = await startWithout('xmedia-lab.wasm');
  assert.match(outcome, /^rejected: /);
  const text = await page.textContent('#loading-text');
  assert.ok(text.length > 10, 'no message shown to the user');
  assert.ok(await page.isVisible('#loading-text'), 'the message is not on screen');
  await fresh.close();
});

test('the loading overlay says what is happening only when the start is slow', async () => {
  // style.css: a quick start shows the spinner alone (the first text on the page
  // would start the browser's font system in the middle of the start-up); after
  // 2 s the title, the status and the privacy note appear.
  const fresh = await launchBrowser({ serviceWorkers: 'block' });
  const page = await fresh.context.newPage();
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/xmedia-lab.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(site.server.url, { waitUntil: 'commit' });  // the load event waits for the held preload
  await page.waitForSelector('#loading .spinner', { state: 'visible', timeout: 5000 });
  assert.equal(await page.isVisible('#loading .title'), false, 'words shown at once');
  await page.waitForSelector('#loading .title', { state: 'visible', timeout: 5000 });
  assert.ok(await page.isVisible('#loading .note'), 'the privacy note is not shown on a slow start');
  assert.match(await page.textContent('#loading-text'), /Loading|Starting/);
  release();
  await page.evaluate(() => window.xmediaLab.ready);
  assert.equal(await page.isVisible('#loading'), false, 'the overlay stayed after a slow start');
  await fresh.close();
});

test('a script that cannot load is named to the user and ready rejects', async () => {
  // The glue adds teach.js, xmedia-ort.js and xmedia-lab.js itself (in order,
  // each as soon as it arrives); a missing one must not leave the spinner turning.
  const { fresh, page, outcome } = await startWithout('xmedia-lab.js');
  assert.match(outcome, /^rejected: Could not load .*xmedia-lab\.js/);
  assert.match(await page.textContent('#loading-text'), /Could not load .*xmedia-lab\.js/);
  assert.ok(await page.isVisible('#loading-text'), 'the message is not on screen');
  await fresh.close();
});
