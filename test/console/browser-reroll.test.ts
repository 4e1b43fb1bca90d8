import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../browser/chromium.js';
import { startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper } from '../support/seed.js';
import { openConsoleBrowser, signIn } from './browser-kit.js';
import { buildConsole } from './build.js';

const executablePath = ensureChromium();

/** The console's Reroll action (issue 21): the overlap asked for, the new secret shown once. */
describe.skipIf(!executablePath)('console: Reroll', () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    await buildConsole();
    s = await startServer('sqlite', { env: { RATE_LIMIT: 'off' } });
    base = s.url.replace('127.0.0.1', 'localhost');
    ({ browser, page } = await openConsoleBrowser(executablePath!));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('rerolls a developer key with no overlap: the new key shown once works, the old one is refused', async () => {
    const dev = await seedDeveloper(s.ctx);
    await signIn(page, base, dev.email, PASSWORD);
    await page.getByRole('heading', { name: 'Dashboard' }).or(page.getByRole('navigation')).first().waitFor();
    await page.goto(`${base}/console/developer-keys`);
    await page.getByRole('button', { name: 'Reroll' }).click();
    await page.getByLabel('Old secret').selectOption('0');
    await page.getByRole('button', { name: 'Yes, reroll' }).click();
    await page.getByRole('heading', { name: 'New Developer key' }).waitFor();
    const secret = (await page.locator('[data-secret]').textContent())!;
    expect(secret).toMatch(/^ak_/);
    await page.getByText('The old one no longer works.').waitFor();
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByRole('button', { name: 'Reroll' }).waitFor();
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(secret);
    expect((await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': secret } })).status).toBe(200);
    expect((await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': dev.developerKey } })).status).toBe(
      403,
    );
  });
});
