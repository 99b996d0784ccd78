// Browser test of the web map and the embed, in headless Chromium driven
// by playwright-core. static/browser_test.go runs it as part of go test:
//
//	node e2e/map.test.mjs <baseURL> <screenshotPath> [<xssBaseURL> [<manyBaseURL>]]
//
// baseURL serves the fixtures; xssBaseURL, when given, serves a copy in
// which one title is an HTML payload; manyBaseURL, when given, serves
// tens of thousands of synthetic incidents, more than a whole layer may
// hold, which the page must show by view, clustered. WANT_COLORS is the JSON of the
// colours Go's tiles draw in (browser_test.go writes it from
// tiles.Palette): the page must draw its markers and overlays in them. It
// prints one line per check and exits 1 if any failed. It never downloads a browser: it runs the
// system's Chromium.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, check, failures } from './harness.mjs';

const [base, screenshotPath, xssBase, manyBase] = process.argv.slice(2);
if (!base || !screenshotPath) {
  console.error('usage: node e2e/map.test.mjs <baseURL> <screenshotPath> [<xssBaseURL> [<manyBaseURL>]]');
  process.exit(2);
}
const XSS_TITLE = '<img src=x onerror=alert(1)>';
const ABU_GHRAIB = '2023-11-21-abu-ghraib-ac130';
const AL_ASAD = { name: 'Ain Al Asad Air Base', lat: 33.786, lon: 42.441 };
// {events: {type: paint}, other, ring, link, uncertainty, site, radius},
// each paint {rgb: 'rgb(r, g, b)', alpha}.
const WANT = JSON.parse(process.env.WANT_COLORS || 'null');

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function api(path, from = base) {
  const r = await fetch(from + path);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}: ${await r.text()}`);
  return r.json();
}
const located = (fc) => fc.features.filter((f) => f.geometry).map((f) => f.id).sort();

// What the browser did, across every page.
const ours = new Set([base, xssBase, manyBase].filter(Boolean).map((u) => new URL(u).host));
const foreign = [];
const basemap = [];
const consoleErrors = [];
const dialogs = [];

// An article on another origin that frames our embed, served here.
const articleServer = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end(`<!doctype html><title>An article</title><p>Story.</p>
<iframe id="map" src="${base}/embed?center=33.6,43.2&zoom=7&layers=incidents" width="600" height="400" title="Map"></iframe>`);
});
await new Promise((ok) => articleServer.listen(0, '127.0.0.1', ok));
const article = new URL(`http://127.0.0.1:${articleServer.address().port}/story`);

const profile = mkdtempSync(join(tmpdir(), 'incidentmap-chromium-'));
// Playwright gives Chromium the fresh profile as --user-data-dir itself
// (it refuses the flag in args).
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
  viewport: { width: 1280, height: 800 },
});
ctx.on('request', (r) => {
  const u = new URL(r.url());
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    if (!ours.has(u.host) && u.host !== article.host) foreign.push(r.url());
  }
});
ctx.on('response', (r) => {
  if (new URL(r.url()).pathname.startsWith('/tiles/basemap/')) {
    basemap.push({ url: r.url(), status: r.status(), type: r.headers()['content-type'] });
  }
});
await ctx.addInitScript(() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
});
async function open(url, label) {
  const page = ctx.pages().find((p) => p.url() === 'about:blank') || await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${label}: ${m.text()} ${m.location().url || ''}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${label}: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(`${label}: ${d.type()} ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.goto(url);
  await ready(page);
  return page;
}

// ready waits until the page has drawn more than `after` times and is idle.
const renders = (page) => page.evaluate(() => Number(document.body.dataset.renders || 0));
const ready = (page, after = 0) => page.waitForFunction(
  (n) => document.body.dataset.state === 'ready' && Number(document.body.dataset.renders) > n, after, { timeout: 20000 });
const markers = (page) => page.evaluate(() =>
  [...new Set([...document.querySelectorAll('path.incident[data-id]')].map((p) => p.dataset.id))].sort());
const params = (page) => Object.fromEntries(new URL(page.url()).searchParams);
// drawn is what the map shows: incidents one by one (their ids) and
// clusters ({id, count, text}); total is how many incidents that is.
const drawn = (page) => page.evaluate(() => ({
  singles: [...new Set([...document.querySelectorAll('path.incident[data-id]')].map((p) => p.dataset.id))].sort(),
  clusters: [...document.querySelectorAll('.cluster[data-count]')].map((c) => ({ id: c.dataset.id, count: Number(c.dataset.count), text: c.textContent })),
}));
const total = (d) => d.singles.length + d.clusters.reduce((n, c) => n + c.count, 0);
// abbreviated is a count as tiles.abbreviate writes it: 950, 1.2k, 35k.
const abbreviated = (n) => (n < 1000 ? String(n) : n < 10000 ? `${Math.round(n / 100) / 10}k` : `${Math.round(n / 1000)}k`);
// cellOf is the cell at zoom z of a point, as tiles.cellOf: [x, y].
function cellOf([lon, lat], z) {
  const n = 4 * 2 ** z;
  const sin = Math.sin(Math.max(-85.0511287798066, Math.min(85.0511287798066, lat)) * Math.PI / 180);
  return [Math.floor((lon / 360 + 0.5) * n), Math.floor((0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * n)];
}

// painted is how the browser paints the SVG paths matching sel.
const painted = (page, sel) => page.locator(sel).evaluateAll((ps) => ps.map((p) => {
  const s = getComputedStyle(p);
  return { id: p.dataset.id, fill: s.fill, stroke: s.stroke, fillOpacity: Number(s.fillOpacity), strokeOpacity: Number(s.strokeOpacity) };
}));
// checkPaint checks that every path matching sel has the stroke (or
// fill) of colour want, Go's, with its opacity.
async function checkPaint(page, sel, want, what, attr = 'stroke') {
  const ps = await painted(page, sel);
  const bad = ps.filter((p) => !want || p[attr] !== want.rgb || Math.abs(p[attr + 'Opacity'] - want.alpha) > 0.005);
  check(ps.length > 0 && bad.length === 0, `${what}: in Go's colour ${want && want.rgb}`, JSON.stringify(bad.slice(0, 3)));
}

async function testPage() {
  const page = await open(base + '/', 'page');

  const perf = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const first = performance.getEntriesByName('im-first-render')[0];
    return { ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, first: first ? first.startTime : NaN };
  });
  console.log(`info first render (markers drawn) ${perf.first.toFixed(0)} ms after navigation start; ` +
    `first byte ${perf.ttfb.toFixed(0)} ms, DOMContentLoaded ${perf.dcl.toFixed(0)} ms, load ${perf.load.toFixed(0)} ms`);
  check(Number.isFinite(perf.first), 'the page marks its first render');

  // Every located incident is drawn, one by one or in a cluster; the one
  // without a location is not.
  const all = await api('/api/collections/incidents/items?limit=10000');
  const want = located(all);
  const d0 = await drawn(page);
  check(total(d0) === want.length && d0.singles.every((id) => want.includes(id)) && d0.clusters.length > 0,
    `all ${want.length} located incidents are drawn: ${d0.singles.length} markers, clusters of ${d0.clusters.map((c) => c.count)}`, JSON.stringify(d0));

  // The page draws in the colours of the tiles and the static map.
  check(WANT !== null, 'the colours of Go\'s tiles are given (WANT_COLORS)');
  const typeOf = Object.fromEntries(all.features.map((f) => [f.id, f.properties.event_type]));
  const fills = await painted(page, 'path.incident[data-id]');
  const off = fills.filter((p) => !WANT || p.fill !== (WANT.events[typeOf[p.id]] || WANT.other).rgb);
  check(fills.length >= d0.singles.length && fills.length > 0 && off.length === 0, 'each marker has the colour tiles.EventColor gives its event type',
    JSON.stringify(off.slice(0, 3)));
  // (the disc is the cluster's span; the marker around it is a finger's target)
  const discs = await page.locator('.cluster > span').evaluateAll((cs) => cs.map((c) => getComputedStyle(c).backgroundColor));
  const rgba = (css) => (/^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$/.exec(css) || []).slice(1).map((x) => (x === undefined ? 1 : Number(x)));
  const offDisc = discs.filter((bg) => !WANT || `rgb(${rgba(bg).slice(0, 3).join(', ')})` !== WANT.cluster.rgb || Math.abs(rgba(bg)[3] - WANT.cluster.alpha) > 0.005);
  check(discs.length > 0 && offDisc.length === 0, `each cluster is a disc in Go's ClusterColor ${WANT && WANT.cluster.rgb}`, JSON.stringify(discs));
  const unlocated = all.features.filter((f) => !f.geometry);
  const listed = await page.locator('#unlocated-list li').evaluateAll((lis) => lis.map((li) => li.dataset.id));
  check(unlocated.length > 0 && same(listed, unlocated.map((f) => f.id)), 'incidents without a location are listed beside the map', String(listed));
  check(!d0.singles.some((id) => listed.includes(id)), 'incidents without a location are not drawn');
  const p = params(page);
  check(p.center && p.zoom && p.layers === 'incidents', 'the URL carries the view', page.url());
  check(await page.locator('link[rel=alternate][type="application/json+oembed"]').count() === 1, 'the page has the oEmbed discovery link');
  check(await page.locator('.legend li').count() >= 5, 'the legend lists event types and overlays');

  // The layer control: the site overlays, rings, links and uncertainty.
  for (const name of ['Ain Al Asad Air Base', 'Abu Ghraib', 'Al Shaddadi', 'Range rings', 'Links', 'Location uncertainty']) {
    check(await page.getByLabel(name, { exact: true }).count() === 1, `layer control has ${name}`);
  }
  let n = await renders(page);
  await page.getByLabel('Range rings', { exact: true }).check();
  await page.getByLabel('Links', { exact: true }).check();
  await ready(page, n);
  // Each box draws its overlay when its layer arrives: the first render
  // after the clicks may hold one of them only.
  const bothDrawn = await page.waitForFunction(
    () => document.querySelectorAll('path.ring').length > 0 && document.querySelectorAll('path.link').length > 0,
    null, { timeout: 10000 }).then(() => true, () => false);
  check(bothDrawn, 'checking rings and links draws them');
  await checkPaint(page, 'path.ring', WANT && WANT.ring, 'range rings');
  await checkPaint(page, 'path.link', WANT && WANT.link, 'links');
  check(params(page).layers === 'incidents,rings,links', 'the URL lists the layers shown', page.url());

  // The Abu Ghraib strike's popup shows its sources' quotes and the place in both languages.
  const strike = all.features.find((f) => f.id === ABU_GHRAIB);
  await page.locator(`path.incident[data-id="${ABU_GHRAIB}"]`).click();
  const popup = page.locator('.leaflet-popup-content');
  await popup.waitFor();
  const text = await popup.innerText();
  check(strike.properties.sources.every((s) => text.includes(s.quote)), 'the Abu Ghraib popup quotes its sources', text);
  check(text.includes(strike.properties.place_ar) && text.includes(strike.properties.place), 'the popup names the place in English and Arabic');
  check(/\(approximate\)|\(exact\)|\(to the hour\)|not the time/.test(text), 'the popup gives the time with its precision');
  if (strike.properties.killed === null) check(text.includes('not reported'), 'a null count reads "not reported"');
  await page.keyboard.press('Escape');

  // The timeline filters: from noon UTC on 21 November the data has fewer incidents.
  n = await renders(page);
  const from = page.locator('#time-from');
  const t0 = Date.parse(await from.getAttribute('data-t0'));
  await from.fill(String((Date.parse('2023-11-21T12:00:00Z') - t0) / 3600e3));
  await ready(page, n);
  const dt = params(page).datetime;
  const inTime = located(await api('/api/collections/incidents/items?limit=10000&datetime=' + encodeURIComponent(dt)));
  const shown = await drawn(page);
  check(dt && dt.startsWith('2023-11-21T12:00:00Z/'), 'moving the timeline puts datetime in the URL', page.url());
  check(total(shown) === inTime.length && shown.singles.every((id) => inTime.includes(id)) && inTime.length < want.length,
    `the timeline filters what is drawn (${want.length} → ${total(shown)}, as the API says)`, `${JSON.stringify(shown)} vs ${inTime}`);
  n = await renders(page);
  await page.getByRole('button', { name: 'All dates' }).click();
  await ready(page, n);
  check(total(await drawn(page)) === want.length && !params(page).datetime, '"All dates" brings every incident back');

  // The radius query lists the incidents near Al Asad, nearest first.
  n = await renders(page);
  await page.getByLabel('Place, or latitude, longitude').fill(AL_ASAD.name);
  await page.getByLabel('Radius in km').fill('200');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await ready(page, n);
  const near = await api(`/api/collections/incidents/items?lat=${AL_ASAD.lat}&lon=${AL_ASAD.lon}&radius=200000`);
  const rows = await page.locator('#near-list > li').evaluateAll((lis) => lis.map((li) => ({ id: li.dataset.id, meta: li.querySelector('.meta').textContent })));
  const q = params(page);
  check(Number(q.lat) === AL_ASAD.lat && Number(q.lon) === AL_ASAD.lon && q.radius === '200000', 'the radius query is in the URL', page.url());
  check(same(rows.map((r) => r.id), near.features.map((f) => f.id)), 'the list has what the items API returns, in its order', JSON.stringify(rows));
  const dists = near.features.map((f) => f.properties.distance_m);
  check(dists.every((d, i) => i === 0 || d >= dists[i - 1]), 'the list is in distance order');
  check(rows.length >= 2 && rows.slice(0, 2).every((r) => r.id.includes('al-asad')), 'the Al Asad incidents come first');
  check(rows.every((r) => / km from Ain Al Asad Air Base$/.test(r.meta)), 'each entry says how far it is ("12 km from …")', JSON.stringify(rows.map((r) => r.meta)));
  check(await page.locator('path.radius').count() === 1, 'the search circle is drawn');
  await checkPaint(page, 'path.radius', WANT && WANT.radius, 'the search circle (tiles.RadiusColor, as in /api/static.png)');
  check(await page.locator('#near-results[aria-live=polite] #near-list').count() === 1, 'the result list is in an aria-live region');
  check(/within 200 km of Ain Al Asad Air Base, nearest first/.test(await page.locator('#near-status').innerText()), 'the result is announced in words');

  // Or the reader picks the point on the map.
  n = await renders(page);
  await page.getByRole('button', { name: 'Pick a point on the map' }).click();
  check(await page.getByRole('button', { name: 'Pick a point on the map' }).getAttribute('aria-pressed') === 'true', 'the pick button says it is on');
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await ready(page, n);
  const picked = params(page);
  check(picked.lat && picked.lat !== String(AL_ASAD.lat) && picked.radius === '200000' && await page.locator('path.radius').count() === 1,
    'clicking the map in pick mode runs the query there', page.url());
  const nearPicked = await api(`/api/collections/incidents/items?lat=${picked.lat}&lon=${picked.lon}&radius=${picked.radius}`);
  check(await page.locator('#near-list > li').count() === nearPicked.features.length, 'the picked point lists what the API finds there');
  n = await renders(page);
  await page.getByLabel('Place, or latitude, longitude').fill(AL_ASAD.name);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForFunction((lat) => new URL(location.href).searchParams.get('lat') === lat, String(AL_ASAD.lat));
  await ready(page, n);

  // The list works from the keyboard: open an entry, reach its button, show it on the map.
  await page.locator('#near-list summary').first().focus();
  await page.keyboard.press('Enter');
  await page.locator('#near-list > li').first().locator('button.show').waitFor();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
  check(focused === 'Show on the map', 'Tab moves from an opened entry to its "Show on the map" button', String(focused));
  await page.keyboard.press('Enter');
  await popup.waitFor();
  check((await popup.innerText()).includes(near.features[0].properties.sources[0].quote), 'the button opens the popup on the map');

  // A link reproduces the view.
  const link = page.url();
  const again = await open(link, 'reload');
  check(same(await again.locator('#near-list > li').evaluateAll((lis) => lis.map((li) => li.dataset.id)), rows.map((r) => r.id)),
    'opening the link shows the same radius query');
  check(same(params(again), Object.fromEntries(new URL(link).searchParams)), 'opening the link keeps the view', `${again.url()} vs ${link}`);
  const warm = await again.evaluate(() => performance.getEntriesByName('im-first-render')[0].startTime);
  console.log(`info first render of a second page load (warm browser) ${warm.toFixed(0)} ms`);
  check(await again.getByLabel('Range rings', { exact: true }).isChecked(), 'opening the link keeps the layers');
  await again.close();

  // The embed button shows the iframe of this view.
  await page.getByRole('button', { name: 'Embed this view' }).click();
  await page.locator('#embed-dialog[open]').waitFor();
  const code = await page.locator('#embed-code').inputValue();
  check(code.startsWith('<iframe') && code.includes(`src="${base}/embed?`) && code.includes('lat=33.786'), 'the embed button shows the iframe of the current view', code);
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  return page;
}

async function testEmbed() {
  const view = 'center=33.6,43.2&zoom=7&layers=incidents,links&lat=33.786&lon=42.441&radius=50000';
  const page = await open(`${base}/embed?${view}`, 'embed');
  check(await page.locator('header, #panel, #embed-open').count() === 0, 'the embed has no page chrome');
  check((await markers(page)).length > 0 && await page.locator('path.radius').count() === 1, 'the embed draws the markers and the radius');
  const back = await page.locator('#back').getAttribute('href');
  const bp = new URL(back, base).searchParams;
  check(back.startsWith('/?') && bp.get('lat') === '33.786' && bp.get('radius') === '50000' && bp.get('layers') === 'incidents,links',
    'the embed links back to the full map of its view', back);
  check(/incidentmap/.test(await page.locator('.embed-foot').innerText()), 'the embed has an attribution line');
  check(await page.locator('link[rel=alternate][type="application/json+oembed"]').count() === 1, 'the embed has the oEmbed discovery link');
  await page.close();

  // Another site frames it (frame-ancestors allows any by default).
  const story = await ctx.newPage();
  story.on('console', (m) => m.type() === 'error' && consoleErrors.push(`article: ${m.text()}`));
  await story.goto(article.href);
  const frame = story.frameLocator('#map');
  await frame.locator('body[data-state=ready]').waitFor({ timeout: 20000 });
  check(await frame.locator('path.incident').count() > 0, 'the embed works in an iframe on another site');
  await story.close();
}

// A cluster says its count as text, and a click (or Enter) zooms into it;
// at the deepest zoom it lists its incidents instead.
async function testClusters() {
  const page = await open(`${base}/?center=33.6,43.2&zoom=7`, 'clusters');
  const alAsad = (await api('/api/collections/incidents/items?bbox=42.44,33.78,42.45,33.79')).features;
  const [c] = (await drawn(page)).clusters;
  check(alAsad.length === 2 && c && c.count === 2 && c.text === '2', 'the two Al Asad incidents at one point are a cluster, "2"', JSON.stringify(c));
  if (!c) return;
  let n = await renders(page);
  await page.locator(`.cluster[data-id="${c.id}"]`).click();
  await ready(page, n);
  check(params(page).zoom === '9', 'clicking a cluster zooms in two levels', page.url());
  n = await renders(page);
  await page.locator('.cluster').first().focus();
  await page.keyboard.press('Enter');
  await ready(page, n);
  check(params(page).zoom === '11', 'Enter on a focused cluster zooms in too', page.url());
  await page.goto(`${base}/?center=33.786,42.441&zoom=12`);
  await ready(page);
  await page.locator('.cluster').first().click();
  const popup = page.locator('.leaflet-popup-content');
  await popup.locator('.card').nth(1).waitFor();
  const text = await popup.innerText();
  check(alAsad.every((f) => text.includes(f.properties.title)), 'at the deepest zoom a cluster\'s click lists its incidents', text);
  await page.close();
}

// With more incidents than a layer may hold whole, the page asks for its
// view at its zoom and draws clusters with counts that split as it zooms
// in; no response is over 1 MB, and the lists come a page at a time.
async function testMany() {
  const host = new URL(manyBase).host;
  const responses = [];
  const onResponse = async (r) => {
    if (new URL(r.url()).host !== host) return;
    const entry = { url: new URL(r.url()), status: r.status(), bytes: 0 };
    responses.push(entry);
    entry.bytes = await r.body().then((b) => b.length, () => 0);
  };
  ctx.on('response', onResponse);
  const page = await open(manyBase + '/', 'many');
  const first = await page.evaluate(() => performance.getEntriesByName('im-first-render')[0].startTime);
  const summary = await api('/api/collections/incidents/summary', manyBase);
  console.log(`info ${summary.numberMatched} incidents: first render (clusters drawn) ${first.toFixed(0)} ms after navigation start`);
  check((await fetch(manyBase + '/api/layers/incidents')).status === 400, `the whole layer of ${summary.numberMatched} incidents is refused (the test needs it to be)`);

  const d = await drawn(page);
  check(d.clusters.length > 0 && total(d) === summary.located, `the clusters and markers count every located incident: ${total(d)} of ${summary.located}`);
  check(d.clusters.every((c) => c.text === abbreviated(c.count)), 'each cluster shows its count as text', JSON.stringify(d.clusters.slice(0, 3)));
  check(await page.locator('.legend li').count() >= summary.event_types.length + 1, 'the legend lists the event types of the summary');
  check(await page.locator('#time-ticks option').count() === summary.time.counts.filter(Boolean).length &&
    await page.locator('#time-from').getAttribute('data-t0') === new Date(summary.time.start).toISOString(), 'the timeline spans the summary\'s histogram');

  // A click on the largest cluster (that no control covers) zooms in two
  // levels, where its cell holds several features that count what it did.
  const z = Number(params(page).zoom);
  const uncovered = await page.locator('.cluster[data-count]').evaluateAll((cs) => cs.filter((c) => {
    const r = c.getBoundingClientRect();
    return c.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
  }).map((c) => c.dataset.id));
  const big = d.clusters.filter((c) => uncovered.includes(c.id)).sort((a, b) => b.count - a.count)[0];
  const [cx, cy] = big.id.split('-').slice(2).map(Number);
  let n = await renders(page);
  const next = page.waitForResponse((r) => r.url().includes('/api/layers/incidents?') && new URL(r.url()).searchParams.get('zoom') === String(z + 2));
  await page.locator(`.cluster[data-id="${big.id}"]`).click();
  const fc = await (await next).json();
  await ready(page, n);
  const inCell = fc.features.filter((f) => {
    const [x, y] = f.properties.kind === 'cluster' ? f.id.split('-').slice(2).map((k) => Math.floor(Number(k) / 4)) : cellOf(f.geometry.coordinates, z);
    return x === cx && y === cy;
  });
  const counted = inCell.reduce((k, f) => k + (f.properties.point_count || 1), 0);
  check(inCell.length > 1 && counted === big.count, `a click on a cluster of ${big.count} zooms to ${z + 2}, where it splits into ${inCell.length} features counting ${counted}`);
  const after = await drawn(page);
  const ids = new Set([...after.singles, ...after.clusters.map((c) => c.id)]);
  check(inCell.every((f) => ids.has(f.id)), 'the map draws what the cluster split into');

  // Panning asks for the new view.
  n = await renders(page);
  const before = responses.length;
  await page.locator('#map').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await ready(page, n);
  check(responses.slice(before).some((r) => r.url.pathname === '/api/layers/incidents'), 'panning asks for the layer of the new view');

  // The lists come a page at a time.
  const rows = () => page.locator('#incident-list > li:not(.more)').count();
  const firstPage = await rows();
  await page.locator('#incident-list .more button').click();
  await page.waitForFunction((k) => document.querySelectorAll('#incident-list > li:not(.more)').length > k, firstPage);
  check(firstPage === 50 && await rows() === 100, `the list of the view shows 50 incidents, and 50 more on request (${firstPage}, then ${await rows()})`);
  check(await page.locator('#unlocated-list > li:not(.more)').count() === 50 && await page.locator('#unlocated-list .more button').count() === 1,
    `the ${summary.numberMatched - summary.located} incidents without a location are listed 50 at a time`);

  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(200);
  ctx.off('response', onResponse);
  const layers = responses.filter((r) => r.url.pathname.startsWith('/api/layers/'));
  const whole = layers.filter((r) => !r.url.searchParams.has('zoom') || !r.url.searchParams.has('bbox'));
  check(layers.length > 0 && whole.length === 0, `every layer is asked for by view, bbox and zoom (${layers.length} requests)`, whole.map((r) => r.url.href).join(' '));
  const failed = responses.filter((r) => r.status >= 400);
  check(failed.length === 0, 'every request succeeded', failed.map((r) => `${r.status} ${r.url.href}`).join(' '));
  const largest = responses.reduce((a, b) => (b.bytes > a.bytes ? b : a), { bytes: 0 });
  console.log(`info largest response ${largest.bytes} bytes: ${largest.url && largest.url.pathname + largest.url.search}`);
  check(largest.bytes > 0 && largest.bytes <= 1e6, `no response is over 1 MB (the largest ${largest.bytes} bytes)`);
  await page.close();
}

async function testXSS() {
  const all = await api('/api/collections/incidents/items?limit=10000', xssBase);
  const bad = all.features.find((f) => f.properties.title === XSS_TITLE);
  check(Boolean(bad && bad.geometry), 'the XSS data set has the payload title on a located incident');
  if (!bad) return;
  const page = await open(xssBase + '/', 'xss');
  await page.locator(`path.incident[data-id="${bad.id}"]`).click();
  const popup = page.locator('.leaflet-popup-content');
  await popup.waitFor();
  check((await popup.innerText()).includes(XSS_TITLE), 'the payload shows as text in the popup');
  await page.locator(`#incident-list li[data-id="${bad.id}"] summary`).click();
  check((await page.locator(`#incident-list li[data-id="${bad.id}"]`).innerText()).includes(XSS_TITLE), 'the payload shows as text in the list');
  await page.locator(`path.incident[data-id="${bad.id}"]`).hover();
  await page.waitForTimeout(300);
  check(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length) === 0, 'no <img src=x> exists in the DOM');
  check(dialogs.length === 0, 'no dialog fired', dialogs.join('; '));
  await page.close();
}

async function screenshot() {
  const view = 'center=34.9,41.9&zoom=6&layers=incidents,rings,links,uncertainty&lat=33.786&lon=42.441&radius=200000';
  const page = await open(`${base}/?${view}`, 'screenshot');
  await page.waitForLoadState('networkidle');
  await checkPaint(page, 'path.area', WANT && WANT.uncertainty, 'location uncertainty areas', 'fill');
  await page.locator('path.incident[data-id="2023-11-21-al-shaddadi-claim"]').click();
  await page.locator('.leaflet-popup-content').waitFor();
  await page.mouse.move(1270, 790); // no tooltip
  await page.waitForTimeout(500); // the popup's fade-in
  await page.screenshot({ path: screenshotPath });
  console.log(`info screenshot written to ${screenshotPath}`);
  await page.close();
}

try {
  const page = await testPage();
  await testEmbed();
  await testClusters();
  if (manyBase) await testMany();
  if (xssBase) await testXSS();
  await screenshot();
  for (const pg of ctx.pages()) {
    const csp = await pg.evaluate(() => window.__csp || []).catch(() => []);
    check(csp.length === 0, `no CSP violations on ${pg.url()}`, csp.join('; '));
  }
  await page.close();
  check(basemap.some((r) => r.status === 200 && r.type === 'image/png'),
    'basemap tiles loaded (a /tiles/basemap/ request answered 200 image/png)',
    `${basemap.length} requests; first: ${JSON.stringify(basemap[0])}`);
  check(consoleErrors.length === 0, 'no console errors', [...new Set(consoleErrors)].slice(0, 10).join('\n     '));
  check(foreign.length === 0, 'no request went to another host', foreign.slice(0, 10).join(', '));
} catch (err) {
  check(false, 'the test ran to the end', err.stack || String(err));
} finally {
  await ctx.close();
  articleServer.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(failures.length ? `${failures.length} check(s) failed` : 'all checks passed');
process.exit(failures.length ? 1 : 0);
