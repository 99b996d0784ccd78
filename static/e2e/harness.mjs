// What the browser scripts here share: Debian's Chromium (never a
// downloaded browser) and the flags it runs with, the report of the
// checks a test makes, one line each, "ok" or "FAIL", and axe-core's
// check of a page.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync'];

// failures lists the checks that failed.
export const failures = [];

// check reports whether ok held of what, with detail when it did not.
export function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? `\n     ${detail}` : ''}`);
  if (!ok) failures.push(what);
}

// checkAxe runs axe-core on page and fails on a serious or critical
// violation, logging every one. axe-core is added to the page as a
// script, which the pages' CSP (script-src 'self') would block: page's
// context must be made with bypassCSP, which changes nothing axe looks at.
export async function checkAxe(page, label) {
  await page.addScriptTag({ content: axeSource() });
  const vs = await page.evaluate(async () => (await globalThis.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
  const bad = vs.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  console.log(`     axe on ${label}: ${vs.length ? vs.map((v) => `${v.id} (${v.impact}, ${v.nodes})`).join(', ') : 'no violations'}`);
  check(bad.length === 0, `axe-core finds no serious or critical violation on ${label}`, JSON.stringify(bad));
}

let axeScript;
// axeSource is axe-core's script, read once, when first needed.
const axeSource = () => (axeScript ??= readFileSync(createRequire(import.meta.url).resolve('axe-core'), 'utf8'));
