// Browser test of the editor's desk (/edit, issue #12), in headless
// Chromium driven by playwright-core. static/browser_test.go
// (TestBrowserDesk) runs it against a server on a new store, seeded as a
// new store is, and gives it two editors' tokens:
//
//	TOKEN=imt_… OTHER_TOKEN=imt_… node e2e/desk.test.mjs <baseURL> [screenshot.png]
//
// It checks that a reader without a token sees no edit control and gets
// 401 from every write; that an editor signs in with the keyboard alone,
// and adds an incident with a source with the keyboard alone, which the
// public map and /changes.atom then show, its HTML title as text; that
// every incident opens and reviews with nothing to save (the form loses
// nothing); that the API's validation problems appear beside their
// fields; that a stale edit shows both versions and is redone on top of
// the other editor's without losing what was typed; that the history
// restores an earlier version; and that a file is imported after a dry
// run; and that axe-core finds no serious or critical violation. It
// prints one line per check and exits 1 if any failed.

import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, check, checkAxe, failures } from './harness.mjs';

const [base, shot] = process.argv.slice(2);
const { TOKEN, OTHER_TOKEN } = process.env;
if (!base || !TOKEN || !OTHER_TOKEN) {
  console.error('usage: TOKEN=imt_… OTHER_TOKEN=imt_… node e2e/desk.test.mjs <baseURL> [screenshot.png]');
  process.exit(2);
}
const ITEMS = '/api/collections/incidents/items';
const HTML_TITLE = '<img src=x onerror="window.__xss=1">Drone attack near Hit';
const NEW_ID = '2023-11-23-drone-attack-near-hit';

async function api(path, init = {}) {
  const r = await fetch(base + path, init);
  if (!r.ok) throw new Error(`${init.method || 'GET'} ${path}: HTTP ${r.status}: ${await r.text()}`);
  return r;
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const errors = [];
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
page.on('pageerror', (e) => errors.push(e.message));
page.on('dialog', (d) => { errors.push('dialog: ' + d.message()); d.dismiss(); });

const focusedId = () => page.evaluate(() => document.activeElement && document.activeElement.id);
// tabTo presses Tab until the control with id has the focus: the way a
// keyboard user gets there.
async function tabTo(id) {
  for (let i = 0; i < 250; i++) {
    if (await focusedId() === id) return true;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}
async function typeInto(id, text) {
  await tabTo(id);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}
const statusText = () => page.textContent('#status');
const visible = (sel) => page.isVisible(sel);

try {
  // ---- A reader without a token
  await page.goto(base + '/edit');
  const controls = await page.evaluate(() => [...document.querySelectorAll('#desk button, #desk input, #desk select, #desk textarea')]
    .filter((e) => e.offsetParent !== null).length);
  check(controls === 0 && await visible('#token'), 'without a token the desk shows the sign-in form and no edit control', `${controls} visible`);
  const refused = await page.evaluate(async (items) => {
    const out = {};
    const body = JSON.stringify({ type: 'Feature', id: 'x', geometry: null, properties: {} });
    for (const [method, path] of [['POST', items], ['PUT', items + '/2023-11-21-al-asad-crbm'], ['PATCH', items + '/2023-11-21-al-asad-crbm'],
      ['DELETE', items + '/2023-11-21-al-asad-crbm'], ['POST', '/api/imports?dry_run=true'], ['GET', '/api/tokens/current'], ['GET', '/api/tokens']]) {
      const r = await fetch(path, { method, body: method === 'GET' || method === 'DELETE' ? undefined : body, headers: { 'If-Match': '"x"', 'Change-Reason': 'test' } });
      out[`${method} ${path}`] = r.status;
    }
    return out;
  }, ITEMS);
  check(Object.values(refused).every((s) => s === 401), 'without a token every write is a 401', JSON.stringify(refused));
  await page.goto(base + '/');
  const mapControls = await page.$$eval('#new-incident, #incident-form, #sign-in-form, [href="/edit"]', (es) => es.length);
  check(mapControls === 0, 'the public map has no edit controls');

  // ---- Signing in, with the keyboard
  await page.goto(base + '/edit');
  await typeInto('token', 'imt_0000000000000000_00');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('status').textContent !== '');
  check(/unknown or revoked/.test(await statusText()) && !(await visible('#desk')), 'a wrong token is refused, saying why');
  await typeInto('token', TOKEN);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#find-list li');
  check((await page.textContent('#who')) === 'Signed in as Graphics desk (editor)', "the token's name and role are shown", await page.textContent('#who'));
  const kept = await page.evaluate(() => ({ session: sessionStorage.getItem('incidentmap.token'), local: localStorage.length, cookie: document.cookie, url: location.href }));
  check(kept.session === TOKEN && kept.local === 0 && kept.cookie === '' && !kept.url.includes('imt_'), 'the token is in the tab\'s sessionStorage only: no cookie, no URL, no localStorage');
  const other = await context.newPage(); // sessionStorage is per tab
  await other.goto(base + '/edit');
  check(await other.isVisible('#token') && !(await other.isVisible('#desk')), 'another tab is not signed in');
  await other.close();
  await page.reload();
  await page.waitForSelector('#find-list li');
  check(await visible('#desk'), 'a reload of the tab stays signed in');

  // ---- Every incident opens and reviews with nothing to save.
  const ids = await page.$$eval('#find-list .found', (bs) => bs.length);
  let unchanged = 0;
  for (let i = 0; i < ids; i++) {
    await page.click(`#find-list li:nth-child(${i + 1}) .found`);
    await page.waitForFunction((n) => document.querySelectorAll('#find-list .found[aria-current=true]').length === 1
      && document.getElementById('editing').textContent.startsWith('Editing'), i);
    await page.click('#review');
    if (/Nothing to save/.test(await statusText()) && !(await visible('#review-panel'))) unchanged++;
    else console.log('     changed:', await page.$$eval('#diff tbody tr', (rs) => rs.map((r) => r.textContent).join(' | ')));
    await page.evaluate(() => { document.getElementById('status').textContent = ''; });
  }
  check(ids >= 6 && unchanged === ids, `each of the ${ids} incidents opens and saves as it was (the form loses nothing)`, `${unchanged} unchanged`);
  // A click on a dot opens its incident, marked in the list too.
  await page.click('#new-incident');
  await page.locator('#map path.leaflet-interactive').last().click(); // the last drawn, on top
  await page.waitForFunction(() => document.getElementById('editing').textContent.startsWith('Editing'));
  const marked = await page.evaluate(() => {
    const cur = document.querySelector('#find-list .found[aria-current=true]');
    return cur && document.getElementById('f-title').value === cur.querySelector('.title').textContent;
  });
  check(marked, 'a click on a dot on the map opens the incident and marks it in the list');
  if (shot) { // the README's: the first incident open, its history beside
    await page.click('#find-list li:first-child .found');
    await page.waitForSelector('#history-list li');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction(() => [...document.querySelectorAll('#map .leaflet-tile')].every((t) => t.complete));
    await page.screenshot({ path: shot });
  }

  // ---- Adding an incident with the keyboard alone
  await page.focus('body');
  await tabTo('new-incident');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#incident-form:not([hidden])');
  await typeInto('f-title', HTML_TITLE);
  await typeInto('f-event-type', 'drone_attack');
  await typeInto('f-summary', 'A drone struck a truck near Hit, the wire said.');
  await typeInto('f-time', '2023-11-23 10:30');
  await typeInto('f-latlon', '33.64, 42.83');
  await tabTo('f-geo-precision');
  await page.keyboard.press('ArrowUp'); // town → near
  await typeInto('f-place', 'Near Hit');
  await typeInto('f-place-ar', 'قرب هيت');
  await typeInto('f-admin1', 'Al Anbar');
  await typeInto('f-country', 'iq');
  await tabTo('f-killed-nr');
  await page.keyboard.press('Space'); // killed: reported
  await typeInto('f-killed', '0');
  await tabTo('add-actor');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Unknown drone operator');
  await typeInto('source-0-publisher', 'Wire');
  await typeInto('source-0-title', 'Drone strike near Hit');
  await typeInto('source-0-published_at', '2023-11-23 12:00');
  await typeInto('source-0-quote', 'A drone struck a pick-up truck near Hit on Thursday morning.');
  check(/^2023-11-23-[a-z0-9-]+$/.test(await page.inputValue('#f-id')), 'a new id is made from the date and title', await page.inputValue('#f-id'));
  await typeInto('f-id', NEW_ID);
  const drawn = await page.evaluate(() => document.querySelectorAll('#map path.leaflet-interactive, #map path').length);
  check(drawn > 0, 'the location and its uncertainty are drawn live on the map');
  await tabTo('review');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#review-panel:not([hidden])');
  const diffRows = await page.$$eval('#diff tbody th', (ths) => ths.map((th) => th.textContent));
  check(['title', 'location', 'sources', 'killed'].every((f) => diffRows.includes(f)), 'the review lists what will change', diffRows.join(','));
  check(await focusedId() === 'reason', 'the review puts the focus on the reason');
  await page.keyboard.type('New incident from the wire.');
  await tabTo('save');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^Saved|not saved/.test(document.getElementById('status').textContent));
  check(/Saved .*revision \d+/.test(await statusText()), 'the incident is saved', await statusText());
  const saved = await (await api(`${ITEMS}/${NEW_ID}`)).json();
  const sp = saved.properties;
  check(sp.title === HTML_TITLE && sp.killed === 0 && sp.injured === null && sp.geo_precision === 'near' && sp.place_ar === 'قرب هيت'
    && sp.occurred_at === '2023-11-23T10:30:00+03:00' && sp.country === 'IQ' && sp.actors[0].name === 'Unknown drone operator' && sp.sources[0].quote.startsWith('A drone')
    && saved.geometry.coordinates[0] === 42.83, 'the API holds what was typed: 0 killed, injured not reported, Arabic place, time and offset', JSON.stringify(sp));

  // It is on the public map, and in the Atom feed, its title as text.
  const mapPage = await context.newPage();
  mapPage.on('pageerror', (e) => errors.push(e.message));
  await mapPage.goto(`${base}/?center=33.64,42.83&zoom=9`);
  await mapPage.waitForFunction((t) => [...document.querySelectorAll('#incident-list li')].some((li) => li.textContent.includes(t)), HTML_TITLE);
  check(await mapPage.evaluate(() => !window.__xss && !document.querySelector('img[src="x"]')), 'the public map lists the new incident, its HTML title as text');
  await mapPage.goto(`${base}/changes`);
  check((await mapPage.textContent('body')).includes('<img src=x onerror=') && await mapPage.evaluate(() => !window.__xss && !document.querySelector('img[src="x"]')),
    'the /changes page shows the title as text');
  await mapPage.close();
  const atom = await (await api('/changes.atom')).text();
  check(atom.includes(NEW_ID) && atom.includes('&lt;img src=x') && !atom.includes('<img src=x'), 'the Atom feed has the new incident, its title escaped');
  check(await page.evaluate((t) => document.querySelector('#find-list').textContent.includes(t) && !window.__xss && !document.querySelector('img[src="x"]'), HTML_TITLE),
    'the desk lists the title as text');

  // ---- Problems beside their fields
  await page.click('#new-incident');
  await page.fill('#f-title', 'An incident with no quote');
  await page.fill('#f-event-type', 'drone_attack');
  await page.fill('#f-time', '2023-11-24');
  await page.fill('#source-0-publisher', 'Wire');
  await page.fill('#source-0-title', 'Report');
  await page.fill('#source-0-published_at', '2023-11-24 09:00');
  await page.click('#review');
  await page.click('#save');
  await page.waitForSelector('#incident-form .error');
  const beside = await page.evaluate(() => {
    const q = document.getElementById('source-0-quote');
    return { invalid: q.getAttribute('aria-invalid'), next: q.nextElementSibling && q.nextElementSibling.className, text: q.nextElementSibling && q.nextElementSibling.textContent, focused: document.activeElement.id };
  });
  check(beside.invalid === 'true' && beside.next === 'error' && /quote/.test(beside.text) && beside.focused === 'source-0-quote',
    'the API\'s problem is shown beside the field it names, which gets the focus', JSON.stringify(beside));

  // ---- A stale edit: another editor saves first.
  await page.fill('#find-q', 'Hit drone');
  await page.click('#find-form button[type=submit]');
  await page.waitForFunction((id) => document.querySelectorAll('#find-list .found').length === 1, NEW_ID);
  await page.click('#find-list .found');
  await page.waitForFunction(() => document.getElementById('editing').textContent.startsWith('Editing'));
  await page.fill('#f-summary', 'Mine: the wire later said two drones.');
  const theirs = await api(`${ITEMS}/${NEW_ID}`);
  await api(`${ITEMS}/${NEW_ID}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${OTHER_TOKEN}`, 'If-Match': theirs.headers.get('ETag'), 'Change-Reason': 'Title as the wire has it now' },
    body: JSON.stringify({ properties: { title: 'Drone attack on a truck near Hit' } }),
  });
  await page.click('#review');
  await page.fill('#reason', 'Two drones, not one.');
  await page.click('#save');
  await page.waitForSelector('#conflict-panel:not([hidden])');
  const conflictRows = await page.$$eval('#conflict tbody tr', (rs) => rs.map((r) => [...r.children].map((c) => c.textContent)));
  const byField = Object.fromEntries(conflictRows.map(([f, ...v]) => [f, v]));
  check(byField.title && byField.title[1] === 'Drone attack on a truck near Hit' && byField.title[2] === HTML_TITLE
    && byField.summary && byField.summary[2] === 'Mine: the wire later said two drones.', 'a stale edit shows what the other editor saved beside mine', JSON.stringify(conflictRows));
  check(await page.inputValue('#f-summary') === 'Mine: the wire later said two drones.', 'nothing typed is lost');
  await page.click('#redo');
  await page.waitForSelector('#review-panel:not([hidden])');
  const redoRows = await page.$$eval('#diff tbody th', (ths) => ths.map((th) => th.textContent));
  check(redoRows.join() === 'summary', 'redone on the current version, only my change remains to save', redoRows.join());
  await page.fill('#reason', 'Two drones, not one.');
  await page.click('#save');
  await page.waitForFunction(() => /^Saved/.test(document.getElementById('status').textContent));
  const merged = (await (await api(`${ITEMS}/${NEW_ID}`)).json()).properties;
  check(merged.title === 'Drone attack on a truck near Hit' && merged.summary === 'Mine: the wire later said two drones.', 'both edits are kept');

  // ---- History, and a restore
  await page.waitForFunction(() => document.querySelectorAll('#history-list li').length === 3);
  const history = await page.$$eval('#history-list li', (ls) => ls.map((l) => l.textContent));
  check(/Graphics desk/.test(history[0]) && /Two drones/.test(history[0]) && /Night desk/.test(history[1]) && /New incident from the wire/.test(history[2]),
    'the history lists every revision: who and why, newest first', history.join(' | '));
  await page.click('#history-list li:last-child button');
  await page.waitForSelector('#review-panel:not([hidden])');
  await page.fill('#reason', 'Restored to revision as first published.');
  await page.click('#save');
  await page.waitForFunction(() => /^Saved/.test(document.getElementById('status').textContent));
  const restored = (await (await api(`${ITEMS}/${NEW_ID}`)).json()).properties;
  check(restored.title === HTML_TITLE && restored.summary === 'A drone struck a truck near Hit, the wire said.', 'an earlier version is restored as a new revision');

  // ---- Import, after a dry run
  const feature = (id, quote) => ({
    type: 'Feature', id, geometry: { type: 'Point', coordinates: [43.3, 33.4] },
    properties: { title: `Imported ${id}`, occurred_at: '2023-11-25T08:00:00+03:00', time_precision: 'hour', event_type: 'drone_attack', actors: [], site: null,
      place: 'Ramadi', place_ar: '', admin1: 'Al Anbar', country: 'IQ', geo_precision: 'town', injured: null, killed: null, summary: '',
      sources: [{ publisher: 'Wire', title: 'Report', published_at: '2023-11-25T10:00:00+03:00', quote }], related: [] },
  });
  const file = (fs) => ({ name: 'import.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: fs }, null, 0).replace(/\},\{"type"/g, '},\n{"type"')) });
  await page.setInputFiles('#import-file', file([feature('2023-11-25-import-a', 'One drone.'), feature('2023-11-25-import-b', '')]));
  await page.click('#import-form button');
  await page.waitForFunction(() => document.getElementById('import-report').textContent !== '');
  const report = await page.textContent('#import-report');
  check(/line 2: .*quote/.test(report) && await page.isHidden('#import-confirm'), 'a dry run lists the file\'s problems by line, and offers no import', report);
  await page.setInputFiles('#import-file', file([feature('2023-11-25-import-a', 'One drone.'), feature('2023-11-25-import-b', 'Another drone.')]));
  await page.click('#import-form button');
  await page.waitForSelector('#import-confirm:not([hidden])');
  check(/2 rows: 2 to create/.test(await page.textContent('#import-report')), 'a good file\'s dry run says what it would do');
  const headBefore = Number((await api('/api', { method: 'HEAD' })).headers.get('X-Revision'));
  await page.fill('#import-reason', 'Two drone attacks from the wire.');
  await page.click('#import-confirm button');
  await page.waitForFunction(() => /Imported as revision/.test(document.getElementById('import-report').textContent));
  const headAfter = Number((await api('/api', { method: 'HEAD' })).headers.get('X-Revision'));
  check(headAfter === headBefore + 1 && (await api(`${ITEMS}/2023-11-25-import-b`)).ok, 'the import is one revision, served at once');


  // ---- Deleting, with a reason
  await page.fill('#find-q', 'import-b');
  await page.click('#find-form button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#find-list .found').length === 1);
  await page.click('#find-list .found');
  await page.waitForFunction(() => document.getElementById('editing').textContent === 'Editing 2023-11-25-import-b');
  await page.click('#delete');
  await page.click('#save');
  check(/Say why/.test(await statusText()) && (await api(`${ITEMS}/2023-11-25-import-b`)).ok, 'a delete without a reason is not sent', await statusText());
  await page.fill('#reason', 'A duplicate of import-a.');
  await page.click('#save');
  await page.waitForFunction(() => /^Deleted/.test(document.getElementById('status').textContent));
  const gone = await fetch(`${base}${ITEMS}/2023-11-25-import-b`);
  check(gone.status === 404 && await page.isHidden('#incident-form'), 'a delete with a reason removes the incident');

  // ---- Accessibility: axe-core on the signed-out page and on the desk
  // with an incident open and its review shown, in a context that lets
  // axe's script past the CSP.
  const axeContext = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
  const axePage = await axeContext.newPage();
  await axePage.goto(base + '/edit');
  await checkAxe(axePage, 'the signed-out desk');
  await axePage.fill('#token', TOKEN);
  await axePage.click('#sign-in-form button');
  await axePage.click('#find-list li:first-child .found');
  await axePage.waitForSelector('#history-list li');
  await axePage.fill('#f-summary', 'A change to review.');
  await axePage.click('#review');
  await axePage.waitForSelector('#review-panel:not([hidden])');
  await checkAxe(axePage, 'the desk with an incident and its review');
  await axeContext.close();

  // ---- Signing out
  await page.click('#sign-out');
  check(await page.evaluate(() => sessionStorage.getItem('incidentmap.token')) === null && await visible('#token'), 'signing out forgets the token');
  check(errors.length === 0, 'no script error and no dialog', errors.join('; '));
} catch (err) {
  check(false, 'the desk test ran to its end', err.stack);
} finally {
  await browser.close();
}
process.exit(failures.length ? 1 : 0);
