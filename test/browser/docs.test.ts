import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { ensureChromium } from './chromium.js';

/** The API reference at /docs, rendered by a real browser from assets the server itself serves (no CDN). */
const executablePath = ensureChromium();

describe.skipIf(!executablePath)('the API reference page at /docs in headless Chromium', () => {
  let s: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    s = await startServer('sqlite');
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('renders both faces, groups operations by tag, and loads nothing from outside the server', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const failed: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(s.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto(`${s.url}/docs`);
    await page.waitForSelector('.opblock-tag', { timeout: 20_000 });

    const tags = await page.$$eval('.opblock-tag', (els) => els.map((e) => e.getAttribute('data-tag')));
    expect(tags).toEqual(
      expect.arrayContaining(['devkit: projects', 'devpayr: projects', 'devpayr: licenses', 'devpayr: runtime']),
    );
    const title = await page.textContent('.info .title');
    expect(title).toContain('Tollgate');
    // The error-code catalogue, as a table in the description.
    const codes = await page.$$eval('.info table tr td:first-child', (els) => els.map((e) => e.textContent));
    expect(codes).toEqual(expect.arrayContaining(['invalid', 'project_limit', 'file_too_large', 'domain_mismatch']));
    // The trailing-slash devkit list and the devpayr list are different operations.
    const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.getAttribute('data-path')));
    expect(paths).toEqual(
      expect.arrayContaining(['/api/v1/projects/', '/api/v1/projects', '/api/v1/project/has-paid']),
    );
    // Tollgate's name and mark, not the framework's.
    expect(await page.title()).toBe('Tollgate API reference');
    await page.waitForSelector('.topbar a.link img');
    const logo = await page.$eval('.topbar a.link', (a) => ({
      html: a.innerHTML,
      src: a.querySelector('img')?.getAttribute('src') ?? '',
    }));
    expect(logo.src.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(logo.src.split(',')[1]!, 'base64').toString()).toContain('<title>Tollgate</title>');
    expect(logo.html).not.toMatch(/swagger/i);
    expect(await page.$eval('link[rel="icon"]', (l) => l.getAttribute('href'))).toBe('/docs/static/theme/favicon.svg');
    const favicon = await fetch(`${s.url}/docs/static/theme/favicon.svg`);
    expect(favicon.status).toBe(200);
    expect(await favicon.text()).toContain('<svg');
    expect(await page.content()).not.toContain('favicon-32x32.png');
    // Credentials can be entered once for the whole page.
    expect(await page.isVisible('button.authorize')).toBe(true);
    expect(foreign).toEqual([]);
    expect(failed).toEqual([]);
    await page.close();
  });
});
