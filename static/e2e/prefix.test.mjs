// Browser test of the pages served under a path, as behind a proxy that
// serves the service at https://host/incidents/ (-public-url with a
// path). static/browser_test.go (TestBrowserUnderAPath) runs it against
// a server reached only under that path, with an editor's token:
//
//	TOKEN=imt_… node e2e/prefix.test.mjs <baseURL ending in the path>
//
// It checks that the map, the embed and the desk load everything they
// ask for (scripts, styles, tiles, data) under the path, with no request
// failing, and that the address bar keeps the path as the view changes.

import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, check, failures } from './harness.mjs';

const [base] = process.argv.slice(2);
const { TOKEN } = process.env;
if (!base || !TOKEN) {
  console.error('usage: TOKEN=imt_… node e2e/prefix.test.mjs <baseURL>');
  process.exit(2);
}
const path = new URL(base).pathname.replace(/\/$/, '');

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const bad = [];
  const outside = [];
  page.on('response', (r) => { if (r.status() >= 400) bad.push(`${r.status()} ${r.url()}`); });
  // (a request cut short by leaving the page is no failure of it)
  page.on('requestfailed', (r) => { if (!/ERR_ABORTED/.test(r.failure().errorText)) bad.push(`failed ${r.url()}`); });
  page.on('request', (r) => { if (!new URL(r.url()).pathname.startsWith(path + '/')) outside.push(r.url()); });
  page.on('pageerror', (e) => bad.push(e.message));

  await page.goto(`${base}/?center=33.786,42.441&zoom=8`);
  await page.waitForSelector('body[data-state=ready]');
  await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-loaded').length > 0);
  await page.waitForFunction(() => document.querySelectorAll('#incident-list li').length > 0);
  check(bad.length === 0 && outside.length === 0, 'the map loads its scripts, tiles and data under the path', [...bad, ...outside].join('; '));
  await page.evaluate(() => document.querySelector('.leaflet-control-zoom-in').click());
  await page.waitForFunction(() => /zoom=9/.test(location.search));
  check(new URL(page.url()).pathname === path + '/', 'the address bar keeps the path as the view changes', page.url());

  await page.goto(`${base}/embed?center=33.786,42.441&zoom=8`);
  await page.waitForSelector('body[data-state=ready]');
  check(bad.length === 0 && outside.length === 0, 'the embed loads under the path', [...bad, ...outside].join('; '));

  await page.goto(`${base}/edit`);
  await page.fill('#token', TOKEN);
  await page.click('#sign-in-form button');
  await page.waitForSelector('#find-list li');
  await page.waitForFunction(() => document.querySelectorAll('#map .leaflet-tile-loaded').length > 0);
  check(bad.length === 0 && outside.length === 0, 'the desk signs in and finds incidents under the path', [...bad, ...outside].join('; '));
} catch (err) {
  check(false, 'the test ran to its end', err.stack);
} finally {
  await browser.close();
}
process.exit(failures.length ? 1 : 0);
