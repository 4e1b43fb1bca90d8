import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAssetSizes, JS_BUDGET_BYTES } from '../../bench/console-budget.js';
import { ensureChromium } from '../browser/chromium.js';
import { startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper } from '../support/seed.js';
import { signIn } from './browser-kit.js';
import { buildConsole } from './build.js';

const executablePath = ensureChromium();

describe('console budget', () => {
  let s: TestServer;
  beforeAll(async () => {
    await buildConsole();
    s = await startServer('sqlite', { env: { RATE_LIMIT: 'off' } });
  }, 240_000);
  afterAll(async () => s?.close());

  it('ships at most 100 KB of gzipped JavaScript, all of it served by us', async () => {
    const sizes = consoleAssetSizes();
    console.log(
      `[console budget] JS ${(sizes.jsGzip / 1024).toFixed(1)} KB gzipped of ${(JS_BUDGET_BYTES / 1024).toFixed(0)} KB`,
    );
    expect(sizes.jsGzip).toBeGreaterThan(1000);
    expect(sizes.jsGzip).toBeLessThanOrEqual(JS_BUDGET_BYTES);
    for (const f of sizes.files) expect((await fetch(`${s.url}/console/assets/${f}`)).status).toBe(200);
  });

  it.skipIf(!executablePath)('the dashboard needs at most 3 API calls', async () => {
    const dev = await seedDeveloper(s.ctx);
    const browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const base = s.url.replace('127.0.0.1', 'localhost');
      await signIn(page, base, dev.email, PASSWORD);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      // A fresh load of the dashboard, counted from the first request.
      const calls: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/console/api/')) calls.push(r.url());
      });
      await page.goto(`${base}/console`);
      await page.waitForSelector('figure.chart canvas');
      await page.waitForLoadState('networkidle');
      console.log(
        `[console budget] dashboard API calls: ${calls.length} (${calls.map((c) => new URL(c).pathname).join(', ')})`,
      );
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.length).toBeLessThanOrEqual(3);
    } finally {
      await browser.close();
    }
  });
});
