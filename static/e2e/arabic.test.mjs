// Browser test of the Arabic page and embed (issue #13, item 5), in
// headless Chromium driven by playwright-core. static/browser_test.go
// runs it as part of go test:
//
//	node e2e/arabic.test.mjs <baseURL> [<screenshotPath>]
//
// /?lang=ar and /embed?lang=ar, and / for a reader whose browser prefers
// Arabic, are right to left (<html dir=rtl lang=ar>); a popup shows the
// incident's place_ar and its date as Intl writes Arabic dates; and no
// English string of the catalogue (static/i18n.json) is left in the
// page's text or in what it says to assistive technology. It prints one
// line per check and exits 1 if any failed. It writes the README's
// screenshot of the Arabic page, a popup open, to screenshotPath. It never downloads a
// browser: it runs the system's Chromium.

import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, check, failures } from './harness.mjs';

const [base, screenshotPath] = process.argv.slice(2);
if (!base) {
  console.error('usage: node e2e/arabic.test.mjs <baseURL> [<screenshotPath>]');
  process.exit(2);
}
const CATALOGUE = JSON.parse(readFileSync(new URL('../i18n.json', import.meta.url), 'utf8'));
const VIEW = 'center=33.6,43.2&zoom=7';


// english is what of the English catalogue must not be seen on an Arabic
// page: each string without placeholders whole, and of those with
// placeholders their literal pieces of 12 characters or more. Strings
// the Arabic catalogue shares (names) are left out.
const english = Object.entries(CATALOGUE.en).flatMap(([k, s]) => {
  if (CATALOGUE.ar[k] === s) return [];
  if (!s.includes('{')) return [{ k, s: s.trim(), whole: true }];
  return s.split(/\{\w+\}/).map((p) => p.trim()).filter((p) => p.length >= 12).map((p) => ({ k, s: p, whole: false }));
});

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
  const res = await page.goto(base + url);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 20000 });
  await page.waitForLoadState('networkidle');
  return { page, res };
}

// leftovers lists the English catalogue strings the page still shows:
// text nodes equal to a whole string (or holding a long piece of one),
// and the same in aria-label, title, placeholder and alt.
const leftovers = (page) => page.evaluate((english) => {
  const texts = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (n.parentElement.closest('script, style, noscript, .en')) continue;
    texts.push(n.textContent.trim());
  }
  for (const e of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (e.hasAttribute(a)) texts.push(e.getAttribute(a).trim());
  }
  texts.push(document.title);
  return english.filter(({ s, whole }) => texts.some((t) => (whole ? t === s : t.includes(s)))).map(({ k, s }) => `${k}: “${s}”`);
}, english);

// noSideways checks that nothing reaches past either side of the page
// (right to left, what sticks out on the left scrolls) and that the map
// is in the window.
async function noSideways(page, where) {
  const w = await page.evaluate(() => {
    const m = document.getElementById('map').getBoundingClientRect();
    return { scroll: document.scrollingElement.scrollWidth, inner: innerWidth, x: scrollX, map: [m.left, m.right] };
  });
  check(w.scroll <= w.inner && w.x === 0 && w.map[0] >= 0 && w.map[1] <= w.inner, `nothing scrolls sideways on ${where}, the map in the window`, JSON.stringify(w));
}

const rtl = (page) => page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir, css: getComputedStyle(document.body).direction }));

async function testPage() {
  // A browser that prefers English, on /?lang=ar: the parameter wins.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const { page, res } = await open(ctx, `/?lang=ar&${VIEW}`, '/?lang=ar');
  const d = await rtl(page);
  check(d.lang === 'ar' && d.dir === 'rtl' && d.css === 'rtl', '/?lang=ar is Arabic, right to left', JSON.stringify(d));
  check(res.headers()['content-language'] === 'ar', 'it says Content-Language: ar');
  check((await page.locator('#embed-open').innerText()) === CATALOGUE.ar.embed_open, 'its buttons are in Arabic');
  await noSideways(page, 'the Arabic page');
  // Open the lists' first entry and the legend, so their text is checked too.
  await page.locator('.legend summary').evaluateAll((ss) => ss.forEach((s) => { s.parentElement.open = true; }));
  const first = page.locator('#incident-list > li summary').first();
  if (await first.count()) await first.click();
  await page.locator('#layers input').first().waitFor();
  const left = await leftovers(page);
  check(left.length === 0, 'no English string of the catalogue is left on /?lang=ar', left.join('\n     '));
  // Numbers in the catalogue's locale, ar-u-nu-arab: Arabic-Indic
  // digits (this ICU's CLDR gives plain 'ar' Latin ones), no Latin digit.
  const LOCALE = CATALOGUE.ar.locale;
  const count = await page.locator('#list-count').innerText();
  const nf = await page.evaluate((l) => new Intl.NumberFormat(l).format(1234.5), LOCALE);
  check(/[\u0600-\u06FF]/.test(count) && /[٠-٩]/.test(count) && !/[0-9]/.test(count), `the list counts in Arabic digits (“${count}”; Intl writes 1234.5 as “${nf}”)`, count);
  // The basemap's tiles are the Arabic ones.
  const tiles = await page.locator('img.leaflet-tile').evaluateAll((is) => is.map((i) => i.src).filter((s) => s.includes('/tiles/basemap/')));
  check(tiles.length > 0 && tiles.every((s) => new URL(s).searchParams.get('lang') === 'ar'), 'the basemap tiles are asked for with lang=ar', tiles.slice(0, 3).join(' '));
  check(/[\u0600-\u06FF]/.test(await page.locator('#layers label').first().innerText()), 'the layer control is in Arabic');
  const zoomTitle = await page.locator('.leaflet-control-zoom-in').getAttribute('title');
  check(zoomTitle === CATALOGUE.ar.zoom_in, 'Leaflet\'s zoom buttons are named in Arabic', zoomTitle);

  // A popup: the incident's place_ar, its date as Arabic Intl writes it.
  const id = await page.locator('path.incident[data-id]').first().getAttribute('data-id');
  const f = await (await fetch(`${base}/api/collections/incidents/items/${id}`)).json();
  await page.locator(`path.incident[data-id="${id}"]`).dispatchEvent('click');
  const popup = page.locator('.leaflet-popup-content');
  await popup.waitFor();
  const text = await popup.innerText();
  const [y, m, day] = f.properties.occurred_at.slice(0, 10).split('-').map(Number);
  const date = await page.evaluate(([y, m, day, l]) => new Intl.DateTimeFormat(l, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, day)), [y, m, day, LOCALE]);
  check(Boolean(f.properties.place_ar) && text.includes(f.properties.place_ar), `the popup of ${id} shows its place_ar “${f.properties.place_ar}”`, text);
  check(text.includes(date) && /[\u0600-\u06FF]/.test(date) && /[٠-٩]/.test(date), `the popup dates it in Arabic, with Arabic digits: “${date}”`, text);
  check(text.includes(CATALOGUE.ar.when) && !text.includes(CATALOGUE.en.when + '\n'), 'the popup\'s labels are Arabic', text);
  const close = await page.locator('.leaflet-popup-close-button').getAttribute('aria-label');
  check(close === CATALOGUE.ar.close_popup, 'the popup\'s × is named in Arabic', close);
  const inPopup = await leftovers(page);
  check(inPopup.length === 0, 'no English string of the catalogue is left with a popup open', inPopup.join('\n     '));
  await noSideways(page, 'the Arabic page with a popup open');
  if (screenshotPath) {
    // The popup's pan, then the tiles it brought into view.
    await page.waitForTimeout(400);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 20000 });
    await page.waitForLoadState('networkidle');
    await page.waitForFunction(() => [...document.querySelectorAll('img.leaflet-tile')].every((i) => i.complete), null, { timeout: 20000 });
    await page.screenshot({ path: screenshotPath });
  }

  // The map stays usable right to left: + zooms in, and the view (with
  // lang) stays in the address bar.
  // (the popup panned the map to show itself: wait for that view first)
  await page.locator('.leaflet-popup-close-button').click();
  await page.waitForTimeout(200);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 20000 });
  const z = Number(new URL(page.url()).searchParams.get('zoom'));
  await page.locator('.leaflet-control-zoom-in').click();
  const zoomed = await page.waitForFunction((z) => {
    const u = new URL(location.href).searchParams;
    return document.body.dataset.state === 'ready' && Number(u.get('zoom')) === z + 1 && u.get('lang') === 'ar';
  }, z, { timeout: 10000 }).then(() => true, () => false);
  check(zoomed, `+ zooms the Arabic map in (${z} → ${z + 1}), lang kept in the URL`, page.url());

  // The embed code is for the Arabic embed.
  await page.locator('#embed-open').click();
  await page.locator('#embed-dialog[open]').waitFor();
  const code = await page.locator('#embed-code').inputValue();
  check(code.includes('lang=ar') && code.includes(CATALOGUE.ar.title.split(':')[1].trim()), 'the embed code is the Arabic embed, with its Arabic title', code);
  await ctx.close();
}

async function testEmbed() {
  const ctx = await browser.newContext({ viewport: { width: 600, height: 400 } });
  const { page } = await open(ctx, `/embed?lang=ar&${VIEW}&layers=incidents`, '/embed?lang=ar');
  const d = await rtl(page);
  check(d.lang === 'ar' && d.dir === 'rtl', '/embed?lang=ar is Arabic, right to left', JSON.stringify(d));
  await page.locator('.legend summary').evaluateAll((ss) => ss.forEach((s) => { s.parentElement.open = true; }));
  const left = await leftovers(page);
  check(left.length === 0, 'no English string of the catalogue is left on /embed?lang=ar', left.join('\n     '));
  check((await page.locator('#back').innerText()) === CATALOGUE.ar.open_full_map && (await page.locator('#back').getAttribute('href')).includes('lang=ar'),
    'the embed links back to the Arabic map');
  await ctx.close();
}

// testNumbers: at z5 the incidents cluster, and a cluster's count is
// Intl's compact form in the catalogue's locale (Arabic-Indic digits); a
// range ring's tooltip names its site in Arabic, its radius in Arabic
// digits.
async function testNumbers() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page } = await open(ctx, '/?lang=ar&center=33.6,43.2&zoom=5&layers=incidents,rings', '/?lang=ar at z5 with rings');
  const LOCALE = CATALOGUE.ar.locale;
  const counts = await page.locator('.cluster[data-count]').evaluateAll((cs) => cs.map((c) => [Number(c.dataset.count), c.textContent]));
  const want = await page.evaluate(([l, ns]) => ns.map((n) => new Intl.NumberFormat(l, { notation: 'compact', maximumFractionDigits: 1 }).format(n)), [LOCALE, counts.map(([n]) => n)]);
  check(counts.length > 0 && counts.every(([, text], i) => text === want[i] && /^[٠-٩٫]+/.test(text)), 'clusters count in Arabic digits, compact', JSON.stringify(counts));
  await page.locator('path.ring').first().dispatchEvent('mouseover');
  const tip = page.locator('.leaflet-tooltip');
  await tip.waitFor();
  const text = await tip.innerText();
  check(/[٠-٩]/.test(text) && !/[0-9A-Za-z]/.test(text), `a ring's tooltip is Arabic, its site and radius too: “${text}”`, text);
  await ctx.close();
}

async function testPhone() {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
  const { page } = await open(ctx, '/?lang=ar', '/?lang=ar on a phone');
  await noSideways(page, 'the Arabic phone layout');
  await ctx.close();
}

async function testAcceptLanguage() {
  // No lang: the reader's browser prefers Arabic.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ar-IQ', extraHTTPHeaders: { 'Accept-Language': 'ar-IQ,ar;q=0.9,en;q=0.5' } });
  const { page } = await open(ctx, '/', '/ in Arabic by Accept-Language');
  const d = await rtl(page);
  check(d.lang === 'ar' && d.dir === 'rtl', 'a browser that prefers Arabic gets the page in Arabic', JSON.stringify(d));
  // Its address says no lang, but its embed code is for the Arabic embed.
  await page.locator('#embed-open').click();
  await page.locator('#embed-dialog[open]').waitFor();
  const code = await page.locator('#embed-code').inputValue();
  check(code.includes('lang=ar'), 'the embed code of a page in Arabic by Accept-Language is the Arabic embed', code);
  await ctx.close();
  const en = await browser.newContext({ locale: 'en-GB', extraHTTPHeaders: { 'Accept-Language': 'en-GB,en;q=0.9,ar;q=0.5' } });
  const { page: p2 } = await open(en, '/', '/ in English by Accept-Language');
  check((await rtl(p2)).dir === 'ltr', 'a browser that prefers English gets it in English');
  await en.close();
}

try {
  await testPage();
  await testEmbed();
  await testNumbers();
  await testPhone();
  await testAcceptLanguage();
  check(errors.length === 0, 'no script errors', errors.join('\n     '));
} catch (e) {
  check(false, 'the Arabic test ran to the end', e.stack);
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`${failures.length} check(s) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
