// Measures the web map in headless Chromium (the system's; nothing is
// downloaded). The browser is started once and left a second to settle,
// as a reader's is already running when they open a link; each run then
// opens <baseURL>/ in a fresh browser context, so with a cold browser
// cache, and reports the time from navigation start
// to the first drawn incidents (the page's im-first-render mark: the
// clusters and markers of the view are on the map), to the page being
// ready (its lists too), the time a click on the largest cluster takes to
// draw the deeper view, and the largest response. cmd/pagebench runs it
// against a service of a million synthetic incidents; it measures, it
// does not test.
//
//	node e2e/measure.mjs <baseURL> [runs] [screenshot.png]
//
// It prints a line a run, then "RESULT " and the runs as JSON.

import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './harness.mjs';

const [base, runsArg, screenshot] = process.argv.slice(2);
if (!base) {
  console.error('usage: node e2e/measure.mjs <baseURL> [runs] [screenshot.png]');
  process.exit(2);
}
const runs = Number(runsArg) || 3;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
});
await (await browser.newPage()).waitForTimeout(1000);

async function measure(run) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const responses = [];
  ctx.on('response', async (r) => {
    const entry = { path: new URL(r.url()).pathname + new URL(r.url()).search, status: r.status(), bytes: 0 };
    responses.push(entry);
    entry.bytes = await r.body().then((b) => b.length, () => 0);
  });
  try {
    const page = await ctx.newPage();
    await page.goto(base + '/');
    await page.waitForFunction(() => performance.getEntriesByName('im-first-render').length > 0, null, { timeout: 120000 });
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 120000 });
    const t = await page.evaluate(() => ({
      first: performance.getEntriesByName('im-first-render')[0].startTime,
      ready: performance.now(),
      clusters: document.querySelectorAll('.cluster[data-count]').length,
      counted: [...document.querySelectorAll('.cluster[data-count]')].reduce((n, c) => n + Number(c.dataset.count), 0) +
        document.querySelectorAll('path.incident[data-id]').length,
      layer: performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/layers/incidents?'))
        .map((e) => Math.round(e.responseEnd - e.requestStart))[0],
    }));

    // Into the largest cluster: from the click to the deeper view drawn
    // (the page's next im-draw mark), animation and debounce included.
    const drawn = await page.evaluate(() => performance.getEntriesByName('im-draw').length);
    // (the largest that no control, such as the legend, covers)
    const id = await page.evaluate(() => [...document.querySelectorAll('.cluster[data-count]')]
      .filter((c) => {
        const r = c.getBoundingClientRect();
        return c.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
      })
      .sort((a, b) => b.dataset.count - a.dataset.count)[0].dataset.id);
    const clicked = await page.evaluate(() => performance.now());
    await page.locator(`.cluster[data-id="${id}"]`).click();
    await page.waitForFunction((n) => performance.getEntriesByName('im-draw').length > n, drawn, { timeout: 120000 });
    t.zoomIn = (await page.evaluate((n) => performance.getEntriesByName('im-draw')[n].startTime, drawn)) - clicked;
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 120000 });

    await page.waitForLoadState('networkidle');
    if (screenshot && run === runs) {
      await page.goto(base + '/');
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 120000 });
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: screenshot });
    }
    const largest = responses.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const api = responses.filter((r) => r.path.startsWith('/api/')).reduce((a, b) => (b.bytes > a.bytes ? b : a), { bytes: 0 });
    return {
      run, firstRenderMs: Math.round(t.first), readyMs: Math.round(t.ready), zoomInMs: Math.round(t.zoomIn), layerRequestMs: t.layer,
      clusters: t.clusters, incidentsDrawn: t.counted, requests: responses.length, failed: responses.filter((r) => r.status >= 400).length,
      largest, largestAPI: api,
    };
  } finally {
    await ctx.close();
  }
}

const results = [];
for (let run = 1; run <= runs; run++) {
  const r = await measure(run);
  results.push(r);
  console.log(`run ${run}: first render ${r.firstRenderMs} ms (the incidents layer's request ${r.layerRequestMs} ms), ready ${r.readyMs} ms, ` +
    `${r.clusters} clusters counting ${r.incidentsDrawn} incidents; into the largest cluster ${r.zoomInMs} ms; ` +
    `${r.requests} requests (${r.failed} failed), the largest ${r.largest.bytes} bytes (${r.largest.path}), ` +
    `of the API ${r.largestAPI.bytes} bytes (${r.largestAPI.path})`);
}
console.log('RESULT ' + JSON.stringify(results));
await browser.close();
