#!/usr/bin/env node
/**
 * First view of the dashboard, measured in Debian's Chromium with the browser's
 * own navigation and paint timing. A figure, not a test: it prints, it does not
 * assert.
 *
 *   node packages/web/scripts/measure-first-view.mjs 'http://127.0.0.1:4600/#token=thr_…'
 *
 * Give the sign-in link `npm start` prints. "First view" is the time from the
 * start of navigation until the launch list has rendered with the server's data
 * (sign-in checked, list fetched, rows drawn). Each run uses a fresh browser
 * context (cold cache); the median of the runs is printed last.
 */
/* global document -- the waitForFunction callback runs in the page */
import { chromium } from 'playwright-core';

const url = process.argv[2];
const runs = Number(process.argv[3] ?? 7);
if (url === undefined || !url.includes('#token=')) {
  console.error("usage: measure-first-view.mjs 'http://127.0.0.1:4600/#token=thr_…' [runs]");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const rows = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    const listed = await page.waitForFunction(
      () =>
        document.querySelector('table.launches tbody tr, .empty') !== null ? performance.now() : 0,
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    const firstView = await listed.jsonValue();
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const paint = Object.fromEntries(
        performance.getEntriesByType('paint').map((p) => [p.name, p.startTime]),
      );
      const js = performance
        .getEntriesByType('resource')
        .filter((r) => r.name.endsWith('.js'))
        .reduce((sum, r) => sum + r.transferSize, 0);
      return {
        html: nav.responseEnd,
        domContentLoaded: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
        firstContentfulPaint: paint['first-contentful-paint'] ?? null,
        jsTransferBytes: js,
      };
    });
    rows.push({ run: i + 1, ...timing, firstView });
    await context.close();
  }
} finally {
  await browser.close();
}

const ms = (x) => (x === null ? '   n/a' : `${x.toFixed(0).padStart(5)} ms`);
console.log(
  'run   html      DOMContentLoaded  load      first paint  first view (list drawn)  JS transferred',
);
for (const r of rows) {
  console.log(
    `${String(r.run).padStart(3)}  ${ms(r.html)}  ${ms(r.domContentLoaded)}         ${ms(r.load)}  ${ms(r.firstContentfulPaint)}     ${ms(r.firstView)}                ${(r.jsTransferBytes / 1000).toFixed(1)} kB`,
  );
}
const sorted = rows.map((r) => r.firstView).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(
  `\nfirst view: median ${median.toFixed(0)} ms, worst ${sorted[sorted.length - 1].toFixed(0)} ms over ${rows.length} cold loads (budget 1000 ms)`,
);
