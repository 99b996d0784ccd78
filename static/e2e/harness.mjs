// What the browser scripts here share: Debian's Chromium (never a
// downloaded browser) and the flags it runs with, and the report of the
// checks a test makes, one line each, "ok" or "FAIL".

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
