// Browser test of pinned embeds and corrections, in headless Chromium
// driven by playwright-core. static/browser_test.go (TestBrowserPinned)
// runs it against a server on a new store, seeded with the fixtures and
// their corrections, and gives it an editor's token:
//
//	TOKEN=imt_… node e2e/pinned.test.mjs <baseURL>
//
// It corrects one incident through the write API, then checks that an
// embed pinned before the correction shows the data as published and
// says "Updated since publication" with working links, that one pinned
// at the latest says nothing, and that popups say when and why an
// incident was corrected, as of the revision shown. It prints one line
// per check and exits 1 if any failed. It never downloads a browser.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, check, failures } from './harness.mjs';

const [base] = process.argv.slice(2);
const TOKEN = process.env.TOKEN;
if (!base || !TOKEN) {
  console.error('usage: TOKEN=imt_… node e2e/pinned.test.mjs <baseURL>');
  process.exit(2);
}
const ITEMS = '/api/collections/incidents/items/';
const CLAIM = '2023-11-21-al-shaddadi-claim'; // not corrected by the fixtures
const STRIKE = '2023-11-21-abu-ghraib-ac130'; // corrected by the fixtures
const NEW_TITLE = 'Claimed attack on the Al Shaddadi base (corrected)';
const REASON = 'A test of pinned embeds: the <title> changed.';


async function api(path, init) {
  const r = await fetch(base + path, init);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}: ${await r.text()}`);
  return r;
}
const revisionOf = async (path) => Number((await api(path, { method: 'HEAD' })).headers.get('X-Revision'));

// The correction, through the write API.
const published = await revisionOf('/api');
const before = await api(ITEMS + CLAIM);
const old = await before.json();
await api(ITEMS + CLAIM, {
  method: 'PATCH',
  headers: { Authorization: `Bearer ${TOKEN}`, 'If-Match': before.headers.get('ETag'), 'Change-Reason': REASON, 'Content-Type': 'application/merge-patch+json' },
  body: JSON.stringify({ properties: { title: NEW_TITLE } }),
});
const head = await revisionOf('/api');
check(head === published + 1 && old.properties.title !== NEW_TITLE, `the write made revision ${head} after ${published}`);
const strikeLog = await (await api(`/api/changes?limit=1&incident=${STRIKE}`)).json();
const strikeFix = strikeLog.changes[0];
check(strikeFix && strikeFix.revision > 1 && strikeFix.revision <= published, `the strike was corrected by the fixtures, at revision ${strikeFix && strikeFix.revision}`);

const view = (f) => `center=${f.geometry.coordinates[1]},${f.geometry.coordinates[0]}&zoom=10&layers=incidents`;
const claimView = view(old);

const profile = mkdtempSync(join(tmpdir(), 'incidentmap-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
  viewport: { width: 1000, height: 700 },
});
const host = new URL(base).host;
const foreign = [];
const consoleErrors = [];
ctx.on('request', (r) => {
  const u = new URL(r.url());
  if ((u.protocol === 'http:' || u.protocol === 'https:') && u.host !== host) foreign.push(r.url());
});
await ctx.addInitScript(() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
});

// open loads url and waits until the map is drawn and the page has asked
// for the latest revision (pinned pages) or not (others); requests are
// the paths it asked for.
async function open(url, label) {
  const page = await ctx.newPage();
  page.requests = [];
  page.on('request', (r) => page.requests.push(r.method() + ' ' + new URL(r.url()).pathname));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${label}: ${m.text()} ${m.location().url || ''}`));
  page.on('pageerror', (e) => consoleErrors.push(`${label}: ${e.message}`));
  const asked = new URL(url).pathname.startsWith('/r/') || new URL(url).searchParams.has('rev')
    ? page.waitForResponse((r) => r.request().method() === 'HEAD' && new URL(r.url()).pathname === '/api') : null;
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 20000 });
  if (asked) await asked;
  return page;
}

// close closes page, after checking that it broke no CSP rule.
async function close(page) {
  const csp = await page.evaluate(() => window.__csp || []).catch(() => ['unreadable']);
  check(csp.length === 0, `no CSP violations on ${page.url()}`, csp.join('; '));
  await page.close();
}

// popupOf clicks incident id's marker and returns its popup's text once
// the corrections log has answered for it.
async function popupOf(page, id) {
  const answered = page.waitForResponse((r) => r.url().includes('/api/changes?') && r.url().includes(`incident=${encodeURIComponent(id)}`));
  await page.locator(`path.incident[data-id="${id}"]`).click();
  const popup = page.locator('.leaflet-popup-content');
  await popup.waitFor();
  await answered;
  await page.waitForTimeout(50); // the card's line is filled after the answer
  const text = await popup.innerText();
  await page.keyboard.press('Escape');
  return text;
}

async function testPinnedBefore() {
  const page = await open(`${base}/r/${published}/embed?${claimView}`, 'pinned embed');
  const text = await popupOf(page, CLAIM);
  check(text.includes(old.properties.title) && !text.includes(NEW_TITLE), 'the embed pinned before the write shows the title as published', text);
  check(!text.includes('Corrected on'), 'as published, the claim was never corrected', text);

  const notice = page.getByRole('status').filter({ hasText: 'Updated since publication' });
  check(await notice.isVisible(), 'the pinned embed says "Updated since publication", in a role=status region');
  const current = await page.getByRole('link', { name: 'See the map as it is now' });
  const href = await current.getAttribute('href');
  const u = new URL(href, base);
  // The same view: its zoom and layers, and its centre, which opening
  // the popup may have panned a little.
  const want = new URLSearchParams(claimView);
  const centre = (q) => (q.get('center') || '').split(',').map(Number);
  const [wantLat, wantLon] = centre(want);
  const [lat, lon] = centre(u.searchParams);
  check(u.pathname === '/' && u.searchParams.get('zoom') === want.get('zoom') && u.searchParams.get('layers') === want.get('layers') &&
    Math.abs(lat - wantLat) < 0.5 && Math.abs(lon - wantLon) < 0.5 && await current.getAttribute('target') === '_blank',
    'its link opens the same view of the latest data, unpinned, in a new tab', href);
  const log = await page.getByRole('link', { name: /corrections log/ }).getAttribute('href');
  check(log === '/changes', 'it links to the corrections log', log);
  const mine = page.requests.filter((r) => /^GET \/(r\/\d+\/)?api\//.test(r));
  check(mine.length > 0 && mine.every((r) => r.startsWith(`GET /r/${published}/api/`)), `every read of the data is under /r/${published}/`, mine.join(' '));
  check(new URL(page.url()).pathname === `/r/${published}/embed`, 'the address stays pinned', page.url());

  // The links work: the latest data has the new title, the log the reason.
  const now = await open(u.href, 'current');
  check((await popupOf(now, CLAIM)).includes(NEW_TITLE), 'the map as it is now shows the corrected title');
  check(!(await now.locator('#pin-notice').isVisible()), 'the latest map has no notice');
  await now.goto(new URL(log, base).href);
  check((await now.locator('main').innerText()).includes(REASON), 'the corrections log gives the reason as text');
  await close(now);
  await close(page);
}

async function testPinnedLatest() {
  const page = await open(`${base}/r/${head}/embed?${claimView}`, 'embed at the latest');
  check(!(await page.locator('#pin-notice').isVisible()) && (await page.locator('#pin-notice').innerText()) === '',
    'an embed pinned at the latest revision shows no notice');
  const text = await popupOf(page, CLAIM);
  check(text.includes(NEW_TITLE), 'it shows the corrected title', text);
  const reason = REASON.replace(/\s+/g, ' ');
  check(text.includes('Corrected on') && text.includes(reason), 'its popup says "Corrected on …" with the reason, as text', text);
  check(await page.locator('.leaflet-popup-content img, .leaflet-popup-content title').count() === 0, 'the reason\'s markup stays text');
  await close(page);
}

async function testCorrectedFixture() {
  const strike = await (await api(ITEMS + STRIKE)).json();
  const page = await open(`${base}/embed?${view(strike)}`, 'strike');
  const text = await popupOf(page, STRIKE);
  const day = new Date(strikeFix.at).toUTCString().split(' ').slice(1, 4).join(' ').replace(/^0/, '');
  check(text.includes(`Corrected on ${day}`) && text.includes(strikeFix.reason), `the strike's popup says "Corrected on ${day}" with the fixtures' reason`, text);
  await close(page);
  const pinned = await open(`${base}/r/${strikeFix.revision - 1}/embed?${view(strike)}`, 'strike before its correction');
  check(!(await popupOf(pinned, STRIKE)).includes('Corrected on'), 'pinned before its correction, the strike\'s popup says none');
  await close(pinned);
}

async function testPage() {
  // The page pinned by ?rev=N moves the pin into its address and reads
  // its lists there.
  const page = await open(`${base}/?rev=${published}&${claimView}`, 'pinned page');
  check(new URL(page.url()).pathname === `/r/${published}/`, 'rev=N becomes /r/N/ in the address', page.url());
  const listed = await page.locator(`#incident-list li[data-id="${CLAIM}"]`).innerText();
  check(listed.includes(old.properties.title), 'the pinned page lists the incident as published', listed);
  check(await page.getByRole('status').filter({ hasText: 'Updated since publication' }).isVisible(), 'the pinned page has the notice too');
  await close(page);

  // The page's embed code pins the latest revision.
  const latest = await open(`${base}/?${claimView}`, 'page');
  await latest.getByRole('button', { name: 'Embed this view' }).click();
  await latest.locator('#embed-dialog[open]').waitFor();
  const code = await latest.locator('#embed-code').inputValue();
  check(code.includes(`src="${base}/r/${head}/embed?`), `the embed code pins revision ${head}`, code);
  await close(latest);
}

try {
  await testPinnedBefore();
  await testPinnedLatest();
  await testCorrectedFixture();
  await testPage();
  check(consoleErrors.length === 0, 'no console errors', [...new Set(consoleErrors)].slice(0, 10).join('\n     '));
  check(foreign.length === 0, 'no request went to another host', foreign.slice(0, 10).join(', '));
} catch (err) {
  check(false, 'the test ran to the end', err.stack || String(err));
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(failures.length ? `${failures.length} check(s) failed` : 'all checks passed');
process.exit(failures.length ? 1 : 0);
