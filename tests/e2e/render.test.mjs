// The two renderers (ui/render/render.h): WebGL 2, and software into a 2D canvas
// where the browser's WebGL is itself software (as in this headless Chromium,
// SwiftShader) or missing. The software renderer is checked against the GPU
// path: the same page state drawn both ways gives the same pixels, up to
// sampling rounding. The other end-to-end tests exercise the software
// renderer's interaction (it is what headless Chromium gets by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareSite, launchBrowser, openPage, saveShot } from './harness.mjs';
import { decodePng, distinctColours, diffFraction } from './png.mjs';

const site = shareSite();

// Opens the page, shows `method` on the default case with the explainer's
// timing hidden from the comparison (it differs from run to run), and returns
// the decoded screenshot and the render statistics.
async function settledShot(query, method, name, context = site.browser.context) {
  const { page, consoleErrors } = await openPage(context, site.server.url + query);
  await page.evaluate(async (m) => {
    await window.xmediaLab.run({ method: m });
  }, method);
  await page.mouse.move(1, 790);  // no hover highlight anywhere that matters
  await page.waitForTimeout(400);
  const shot = await page.screenshot();
  saveShot(name, shot);
  const stats = await page.evaluate(() => window.xmediaLab.renderStats());
  await page.close();
  assert.deepEqual(consoleErrors, []);
  return { img: decodePng(shot), stats };
}

// Blanks the rows of the Method panel's status line ("saliency: 12 ms, ...").
function maskTiming(img) {
  for (let y = 195; y < 290; y++)
    for (let x = 960; x < 1280; x++) img.rgba.fill(0, 4 * (y * img.width + x), 4 * (y * img.width + x) + 4);
  return img;
}

test('headless Chromium (WebGL on SwiftShader) gets the software renderer', async () => {
  const { page } = await openPage(site.browser.context, site.server.url);
  const stats = await page.evaluate(() => window.xmediaLab.renderStats());
  assert.equal(stats.renderer, 'software');
  await page.close();
});

test('software and WebGL draw the same page', async () => {
  const soft = await settledShot('?renderer=software', 'saliency', 'render-software.png');
  const gl = await settledShot('?renderer=webgl', 'saliency', 'render-webgl.png');
  assert.equal(soft.stats.renderer, 'software');
  assert.equal(gl.stats.renderer, 'webgl');
  maskTiming(soft.img);
  maskTiming(gl.img);
  assert.ok(distinctColours(soft.img) > 40, 'the software page looks empty');
  // Text, frames, the scan and its heatmap: nearly every pixel identical;
  // what differs is rounding in the GPU's bilinear filtering and blending.
  const loose = diffFraction(soft.img, gl.img, 24);
  const strict = diffFraction(soft.img, gl.img, 3);
  assert.ok(loose < 0.001, `${(100 * loose).toFixed(3)}% of pixels differ by more than 24 levels`);
  assert.ok(strict < 0.02, `${(100 * strict).toFixed(3)}% of pixels differ by more than 3 levels`);
});

test('a browser without WebGL 2 still gets the whole lab', async () => {
  const page = await site.browser.context.newPage();
  await page.addInitScript(() => {
    const get = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, attrs) {
      return /webgl/.test(type) ? null : get.call(this, type, attrs);
    };
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(site.server.url);
  await page.evaluate(() => window.xmediaLab.ready);
  const summary = await page.evaluate(() => window.xmediaLab.run({ method: 'grad_cam' }));
  assert.equal(summary.method, 'grad_cam');
  const stats = await page.evaluate(() => window.xmediaLab.renderStats());
  assert.equal(stats.renderer, 'software');
  const img = decodePng(await page.screenshot());
  assert.ok(distinctColours(img, 400, 40, 940, 700) > 40, 'the explanation view is empty');
  assert.deepEqual(errors, []);
  await page.close();
});

test("the font atlas baked at build time draws exactly what the TTF's glyphs draw", async () => {
  const baked = await settledShot('', 'saliency', 'font-baked.png');
  assert.equal(baked.stats.font, '/fonts/ui-1500.atlas');
  // A corrupt atlas file (a fresh browser: no service worker answers from its
  // cache) is refused and the page rasterises the TTF instead.
  const fresh = await launchBrowser({ serviceWorkers: 'block' });
  let served = 0;
  await fresh.context.route('**/fonts/ui-1500.atlas', (route) => { served++; route.fulfill({ status: 200, body: 'XMFA not an atlas' }); });
  const ttf = await settledShot('', 'saliency', 'font-ttf.png', fresh.context);
  await fresh.close();
  assert.equal(served, 1);
  assert.equal(ttf.stats.font, '/fonts/DejaVuSans.ttf');
  maskTiming(baked.img);
  maskTiming(ttf.img);
  assert.ok(distinctColours(baked.img) > 40, 'the page looks empty');
  assert.equal(diffFraction(baked.img, ttf.img, 0), 0, 'text drawn from the baked atlas differs');
});
