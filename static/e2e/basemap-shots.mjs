// Screenshots of the basemap over Iraq at zooms 5, 7 and 10, for the
// README, in headless Chromium driven by playwright-core (the system's
// Chromium; no browser is ever downloaded):
//
//	node e2e/basemap-shots.mjs <baseURL> <outDir>
//
// writes <outDir>/basemap-z5.png, -z7.png and -z10.png of the page at
// each view (with `layers=` empty the page still shows the incidents,
// its default), once every basemap tile in view has loaded, and
// basemap-z7-ar.png of the Arabic page at z7, on the Arabic basemap.

import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './harness.mjs';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node e2e/basemap-shots.mjs <baseURL> <outDir>');
  process.exit(2);
}
const views = [
  { zoom: 5, center: '33.2,44.0' },
  { zoom: 7, center: '33.5,43.6' }, // Anbar: Hit, Ramadi, Fallujah, Baghdad
  { zoom: 10, center: '33.38,43.55' }, // Ramadi to Fallujah on the Euphrates
  { zoom: 7, center: '33.5,43.6', lang: 'ar' },
];

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: CHROMIUM_ARGS,
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  for (const v of views) {
    await page.goto(`${base}/?center=${v.center}&zoom=${v.zoom}&layers=${v.lang ? `&lang=${v.lang}` : ''}`);
    await page.waitForLoadState('networkidle');
    await page.waitForFunction(() => {
      const tiles = [...document.querySelectorAll('img.leaflet-tile')];
      return tiles.length > 0 && tiles.every((t) => t.complete && t.naturalWidth > 0);
    }, null, { timeout: 30000 });
    await page.waitForTimeout(400); // the tiles' fade-in
    const path = `${outDir}/basemap-z${v.zoom}${v.lang ? `-${v.lang}` : ''}.png`;
    await page.screenshot({ path });
    console.log(`info ${path}`);
  }
} finally {
  await browser.close();
}
