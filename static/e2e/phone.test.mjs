// Browser test of the page on a phone and of its accessibility, in
// headless Chromium driven by playwright-core. static/browser_test.go
// runs it as part of go test:
//
//	node e2e/phone.test.mjs <baseURL> [<screenshotPath>]
//
// On a 360×640 touch screen (issue #13, item 4): every visible control is
// at least 44×44 px, the map is at least 60% of the first screen, nothing
// scrolls sideways, the timeline and the radius search work by touch, and
// the embed is usable at 320×240. Then axe-core (item 6) must find no
// serious or critical violation on /, /embed, the phone layout, and the
// Arabic page and embed (?lang=ar). It
// prints one line per check and exits 1 if any failed. It never downloads
// a browser: it runs the system's Chromium.

import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, check, checkAxe as checkAxeOn, failures } from './harness.mjs';

const [base, screenshotPath] = process.argv.slice(2);
if (!base) {
  console.error('usage: node e2e/phone.test.mjs <baseURL> [<screenshotPath>]');
  process.exit(2);
}
const MIN = 44; // px, WCAG 2.5.5 (AAA) and Apple's and Google's guidance
const PHONE = { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const SMALL_EMBED = { viewport: { width: 320, height: 240 }, isMobile: true, hasTouch: true };
const VIEW = 'center=33.6,43.2&zoom=7';


const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
});
const errors = [];
async function open(ctx, url, label) {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${label}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${label}: ${m.text()}`); });
  await page.goto(base + url);
  await ready(page);
  await page.waitForLoadState('networkidle');
  return page;
}
const renders = (page) => page.evaluate(() => Number(document.body.dataset.renders || 0));
const ready = (page, after = 0) => page.waitForFunction(
  (n) => document.body.dataset.state === 'ready' && Number(document.body.dataset.renders) > n, after, { timeout: 20000 });
const params = (page) => Object.fromEntries(new URL(page.url()).searchParams);

// targets lists the page's visible controls (links, buttons, form
// fields, disclosure summaries, anything focusable) with their boxes,
// named as a reader would find them. Hidden ones (display: none, a
// closed dialog, a collapsed <details>) are not targets. The incidents'
// dots (SVG paths, 17 px) are left out: a tap within 22 px of one opens
// it, which the test checks apart.
const targets = (page) => page.evaluate(() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex^="-"]), [role=button]';
  const name = (e) => (e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].textContent) ||
    e.textContent || e.title || e.id || e.className).trim().replace(/\s+/g, ' ').slice(0, 40);
  return [...document.querySelectorAll(sel)].filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden' &&
    !e.closest('.sr-only') && !(e.tagName === 'path'))
    .map((e) => {
      const r = e.getBoundingClientRect();
      return { what: `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} “${name(e)}”`, w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10, x: r.x, y: r.y, right: r.right, bottom: r.bottom };
    });
});
const undersized = (ts) => ts.filter((t) => t.w < MIN || t.h < MIN);
const listed = (ts) => ts.map((t) => `${t.what} ${t.w}×${t.h}`).join('\n     ');

// tapAt taps with one finger at (x, y), through the touch screen.
const tapAt = (page, x, y) => page.touchscreen.tap(x, y);
async function tap(page, locator) {
  await locator.scrollIntoViewIfNeeded();
  const b = await locator.boundingBox();
  await tapAt(page, b.x + b.width / 2, b.y + b.height / 2);
}
// drag moves one finger from (x0, y) to (x1, y) in steps, as touch
// events (CDP Input.dispatchTouchEvent: what Chromium gets from a screen).
async function drag(page, x0, x1, y, steps = 8) {
  const cdp = await page.context().newCDPSession(page);
  const at = (x) => [{ x, y, id: 1, radiusX: 4, radiusY: 4, force: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(x0) });
  for (let i = 1; i <= steps; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(x0 + (x1 - x0) * i / steps) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

// tapIncident taps off pixels east of the centre of an incident's dot
// that no control covers, and checks that its popup opens, fits in the
// map with its × uncovered and a finger's size, and closes by a tap on
// the ×.
async function tapIncident(page, where, off) {
  const one = await page.locator('path.incident[data-id]').evaluateAll((ps, off) => ps.map((p) => {
    const r = p.getBoundingClientRect();
    return { id: p.dataset.id, x: r.x + r.width / 2, y: r.y + r.height / 2, r: r.width / 2 };
  }).find((d) => {
    const e = document.elementFromPoint(d.x + d.r + off, d.y);
    return e && (e.id === 'map' || e.closest('#map .leaflet-pane'));
  }), off);
  check(Boolean(one), `an incident is drawn clear of the controls on ${where}`);
  if (!one) return;
  await tapAt(page, one.x + one.r + off, one.y);
  const popup = page.locator('.leaflet-popup-content');
  await popup.waitFor({ timeout: 5000 }).catch(() => {});
  const title = (await (await fetch(`${base}/api/collections/incidents/items/${one.id}`)).json()).properties.title;
  check((await popup.count()) === 1 && (await popup.innerText()).includes(title), `on ${where}, a tap ${Math.round(one.r + off)} px from an incident's centre opens it`);
  if (!await popup.count()) return;
  const inPopup = undersized(await targets(page));
  check(inPopup.length === 0, `on ${where}, with a popup open, every control is still at least ${MIN} px`, listed(inPopup));
  // It fits in the map, and no control covers its × (once the map has
  // panned to show it).
  const fitting = () => {
    const m = document.getElementById('map').getBoundingClientRect();
    const p = document.querySelector('.leaflet-popup-content-wrapper').getBoundingClientRect();
    const x = document.querySelector('.leaflet-popup-close-button');
    const b = x.getBoundingClientRect();
    return { map: m.toJSON(), popup: p.toJSON(), inside: p.left >= m.left && p.right <= m.right && p.top >= m.top && p.bottom <= m.bottom,
      uncovered: x.contains(document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2)) };
  };
  let fits;
  for (let i = 0; i < 30; i++) {
    fits = await page.evaluate(fitting);
    if (fits.inside && fits.uncovered) break;
    await page.waitForTimeout(100);
  }
  check(fits.inside && fits.uncovered, `on ${where}, the popup fits in the map, its × uncovered`, JSON.stringify(fits));
  await tap(page, page.locator('.leaflet-popup-close-button'));
  await popup.waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
  check(await popup.count() === 0, `on ${where}, a tap on the popup's × closes it`);
}

// checkAxe opens url in a context with options (and bypassCSP, for
// axe), then(page) if given (to open a popup or a dialog), and fails on
// axe's serious or critical violations.
async function checkAxe(options, url, label, then) {
  const ctx = await browser.newContext({ ...options, bypassCSP: true });
  try {
    const page = await open(ctx, url, label);
    // Open the legend too, so that its contents are checked.
    await page.locator('.legend summary').evaluateAll((ss) => ss.forEach((s) => { s.parentElement.open = true; }));
    if (then) await then(page);
    await checkAxeOn(page, label);
  } finally {
    await ctx.close();
  }
}

async function testPhone() {
  const ctx = await browser.newContext(PHONE);
  const page = await open(ctx, '/', 'phone');

  // Sizes, on the first screen and below it.
  const ts = await targets(page);
  const small = undersized(ts);
  console.log(`     ${ts.length} visible controls at 360×640, ${small.length} under ${MIN}×${MIN} px`);
  check(ts.length > 20 && small.length === 0, `every visible control is at least ${MIN}×${MIN} px at 360×640`, listed(small));
  const m = await page.locator('#map').boundingBox();
  const share = (Math.min(m.y + m.height, 640) - Math.max(m.y, 0)) / 640;
  console.log(`     the map is ${Math.round(share * 100)}% of the first screen (${m.height} px from y=${m.y})`);
  check(share >= 0.6, 'the map is at least 60% of the first screen', JSON.stringify(m));
  const wide = await page.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: innerWidth }));
  check(wide.scroll <= wide.inner, 'nothing scrolls sideways at 360×640', JSON.stringify(wide));
  const zoom = await page.locator('.leaflet-control-zoom-in').boundingBox();
  check(zoom.x >= 0 && zoom.y >= m.y && zoom.y + zoom.height <= 640, 'the zoom buttons are on the first screen');
  if (screenshotPath) await page.screenshot({ path: screenshotPath });

  // "Embed this view": its dialog fits the phone, its controls a finger's size.
  await tap(page, page.getByRole('button', { name: 'Embed this view' }));
  await page.locator('#embed-dialog[open]').waitFor();
  const inDialog = await targets(page);
  const dialogBox = await page.locator('#embed-dialog').boundingBox();
  check(undersized(inDialog).length === 0 && dialogBox.x >= 0 && dialogBox.x + dialogBox.width <= 360,
    'the embed dialog fits the phone, every control in it at least 44 px', listed(undersized(inDialog)) + JSON.stringify(dialogBox));
  await tap(page, page.getByRole('button', { name: 'Close' }));
  check(await page.locator('#embed-dialog[open]').count() === 0, 'a tap on "Close" closes the embed dialog');

  // An incident's dot is 17 px, but a tap within 22 px of its centre
  // opens it.
  await tapIncident(page, 'the phone', 12);
  // (the popup moved the map to show itself, and the view is in the URL: back to the first view)
  await page.goto(base + '/');
  await ready(page);
  await page.waitForLoadState('networkidle');

  // The timeline: a tap on the "from" track, four fifths along, moves it
  // there, and the map and list follow.
  const all = (await (await fetch(`${base}/api/collections/incidents/items?limit=1`)).json()).numberMatched;
  const from = page.locator('#time-from');
  await from.scrollIntoViewIfNeeded();
  const max = Number(await from.getAttribute('max'));
  let n = await renders(page);
  let b = await from.boundingBox();
  await tapAt(page, b.x + b.width * 0.8, b.y + b.height / 2);
  await ready(page, n);
  const v = Number(await from.inputValue());
  check(v > max * 0.65 && v < max * 0.95, `a tap four fifths along the "from" track moves it there (${v} of ${max})`);
  const dt = params(page).datetime || '';
  const count = await page.locator('#list-count').innerText();
  check(/^\d{4}-\d\d-\d\dT\d\d:00:00Z\/\.\.$/.test(dt), 'the tapped time is in the URL', page.url());
  const api = await (await fetch(`${base}/api/collections/incidents/items?limit=1&datetime=${encodeURIComponent(dt)}`)).json();
  // ("5 in this part of the map, 1 without a location, in the chosen time": the view holds them all)
  const counted = (count.match(/\d+/g) || []).reduce((a, x) => a + Number(x), 0);
  check(counted === api.numberMatched && api.numberMatched < all, `the list counts the incidents from then (${all} → ${api.numberMatched})`, count);

  // Dragging the "to" thumb with a finger from its end leftwards.
  const to = page.locator('#time-to');
  await to.scrollIntoViewIfNeeded();
  b = await to.boundingBox();
  n = await renders(page);
  await drag(page, b.x + b.width - 12, b.x + b.width * 0.9, b.y + b.height / 2);
  await ready(page, n);
  const w = Number(await to.inputValue());
  check(w < max && w >= v, `a finger drags the "to" thumb back (${max} → ${w})`);
  check(/\/\d{4}-/.test(params(page).datetime || ''), 'the dragged end is in the URL', page.url());
  n = await renders(page);
  await tap(page, page.getByRole('button', { name: 'All dates' }));
  await ready(page, n);
  check(!params(page).datetime, 'a tap on "All dates" clears the time');

  // The radius search by touch: the radius typed, "Pick a point on the
  // map", a tap on the map 30 px east of an incident.
  await tap(page, page.getByLabel('Radius in km'));
  await page.getByLabel('Radius in km').fill('');
  await page.keyboard.type('200');
  await tap(page, page.getByRole('button', { name: 'Pick a point on the map' }));
  check(await page.locator('#near-pick[aria-pressed=true]').count() === 1, 'a tap on "Pick a point" starts picking');
  await page.evaluate(() => document.getElementById('map').scrollIntoView());
  const mb = await page.locator('#map').boundingBox();
  const dots = await page.locator('path.incident').evaluateAll((ps) => ps.map((p) => p.getBoundingClientRect().toJSON()));
  const dot = dots.find((d) => d.x + 30 < mb.x + mb.width - 50 && d.y > mb.y + 100 && d.y < mb.y + mb.height - 50);
  check(Boolean(dot), 'an incident is drawn in the middle of the map', JSON.stringify(dots));
  n = await renders(page);
  await tapAt(page, dot.x + dot.width / 2 + 30, dot.y + dot.height / 2);
  await ready(page, n);
  const q = params(page);
  check(q.lat && q.lon && q.radius === '200000', 'a tap on the map sets the centre of the radius search', page.url());
  await page.locator('#near-status:not(:empty)').waitFor();
  const items = await (await fetch(`${base}/api/collections/incidents/items?lat=${q.lat}&lon=${q.lon}&radius=${q.radius}`)).json();
  check(items.features.length > 0 && await page.locator('#near-list > li').count() === items.features.length && await page.locator('path.radius').count() === 1,
    `the tapped point lists what the API finds there (${items.features.length}) and draws the circle`);

  // A search by name, typed and tapped.
  await tap(page, page.getByLabel('Place, or latitude, longitude'));
  await page.getByLabel('Place, or latitude, longitude').fill('');
  await page.keyboard.type('Ain Al Asad Air Base');
  n = await renders(page);
  await tap(page, page.getByRole('button', { name: 'Search', exact: true }));
  await ready(page, n);
  check(/within 200 km of Ain Al Asad Air Base/.test(await page.locator('#near-status').innerText()), 'a tap on "Search" runs the typed search');
  const rows = page.locator('#near-list > li summary');
  if (await rows.count()) {
    await tap(page, rows.first());
    check(await page.locator('#near-list > li details[open], #near-list > li[open], #near-list details[open]').count() > 0, 'a tap opens a result');
  }
  const after = undersized(await targets(page));
  check(after.length === 0, `every control is still at least ${MIN} px with results listed`, listed(after));
  await ctx.close();
}

async function testSmallEmbed() {
  const ctx = await browser.newContext(SMALL_EMBED);
  const page = await open(ctx, `/embed?${VIEW}&layers=incidents`, 'embed 320×240');
  const m = await page.locator('#map').boundingBox();
  console.log(`     the embed's map is ${m.width}×${m.height} px of 320×240`);
  check(m.height >= 240 * 0.6 && m.width >= 320, 'the embed at 320×240 is mostly map', JSON.stringify(m));
  const covered = await page.evaluate(() => {
    const m = document.getElementById('map').getBoundingClientRect();
    return [...document.querySelectorAll('.leaflet-control')].reduce((a, c) => {
      const r = c.getBoundingClientRect();
      return a + Math.max(0, Math.min(r.right, m.right) - Math.max(r.left, m.left)) * Math.max(0, Math.min(r.bottom, m.bottom) - Math.max(r.top, m.top));
    }, 0) / (m.width * m.height);
  });
  console.log(`     the embed's controls cover ${Math.round(covered * 100)}% of its map`);
  check(covered <= 1 / 3, 'the controls cover at most a third of the 320×240 embed\'s map');
  const over = await page.evaluate(() => ({ w: document.scrollingElement.scrollWidth, h: document.scrollingElement.scrollHeight }));
  check(over.w <= 320 && over.h <= 240, 'nothing overflows the 320×240 embed', JSON.stringify(over));
  const ts = await targets(page);
  const out = ts.filter((t) => t.x < 0 || t.y < 0 || t.right > 320 || t.bottom > 240);
  check(out.length === 0, 'every control of the embed is inside its 320×240', listed(out));
  const small = undersized(ts);
  check(small.length === 0, `every control of the embed is at least ${MIN} px`, listed(small));
  await tapIncident(page, 'the 320×240 embed', 0);
  const zoom = await page.evaluate(() => document.querySelector('.leaflet-container') && Number(new URL(document.querySelector('#back').href).searchParams.get('zoom')));
  const n = await renders(page);
  await tap(page, page.locator('.leaflet-control-zoom-in'));
  await ready(page, n);
  const zoomed = await page.evaluate(() => Number(new URL(document.querySelector('#back').href).searchParams.get('zoom')));
  check(zoomed === zoom + 1, `a tap on + zooms the embed in (${zoom} → ${zoomed})`);
  await ctx.close();
}

async function testDesktopSizes() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await open(ctx, '/', 'desktop');
  const m = await page.locator('#map').boundingBox();
  check(m.width > 800, 'on a desktop the map still sits beside the panel', JSON.stringify(m));
  await ctx.close();
}

try {
  await testPhone();
  await testSmallEmbed();
  await testDesktopSizes();
  await checkAxe({ viewport: { width: 1280, height: 800 } }, '/', '/');
  await checkAxe({ viewport: { width: 600, height: 400 } }, `/embed?${VIEW}&layers=incidents`, '/embed');
  await checkAxe(PHONE, '/', 'the phone layout (360×640)');
  await checkAxe(SMALL_EMBED, `/embed?${VIEW}&layers=incidents`, 'the embed at 320×240');
  await checkAxe(PHONE, '/', 'the phone layout with a popup open', async (page) => {
    await page.locator('path.incident[data-id]').first().dispatchEvent('click');
    await page.locator('.leaflet-popup-content').waitFor();
  });
  await checkAxe({ viewport: { width: 1280, height: 800 } }, '/', '/ with the embed dialog open', async (page) => {
    await page.getByRole('button', { name: 'Embed this view' }).click();
    await page.locator('#embed-dialog[open]').waitFor();
  });
  // Arabic, right to left (item 5): the page, its phone layout with a
  // popup open, and the embed.
  await checkAxe({ viewport: { width: 1280, height: 800 } }, '/?lang=ar', 'the Arabic page (/?lang=ar)');
  await checkAxe(PHONE, '/?lang=ar', 'the Arabic phone layout with a popup open', async (page) => {
    await page.locator('path.incident[data-id]').first().dispatchEvent('click');
    await page.locator('.leaflet-popup-content').waitFor();
  });
  await checkAxe({ viewport: { width: 600, height: 400 } }, `/embed?lang=ar&${VIEW}&layers=incidents`, 'the Arabic embed (/embed?lang=ar)');
  check(errors.length === 0, 'no script errors', errors.join('\n     '));
} catch (e) {
  check(false, 'the phone test ran to the end', e.stack);
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`${failures.length} check(s) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
