import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { ensureChromium } from '../browser/chromium.js';
import { FAST_JOBS, image } from './fixtures.js';

const executablePath = ensureChromium();

/**
 * What the Starter Kit does in the browser: a page on its own origin posts a multipart
 * generation to the anonymous alias at the API's root (`/generation/generate-anonymous`),
 * polls `/generation/anonymous-generations/{id}/status` and shows the image. Cross-origin,
 * so CORS must let it read both answers.
 */
const PAGE = `<!doctype html><html><body>
<input type="file" id="files" multiple>
<button id="go">Generate</button>
<p id="state">idle</p>
<img id="result" alt="">
<script>
document.getElementById('go').onclick = async () => {
  const api = new URLSearchParams(location.search).get('api');
  const fd = new FormData();
  for (const f of document.getElementById('files').files) fd.append('files', f);
  fd.append('instructions', 'a lighthouse at dusk');
  const state = document.getElementById('state');
  const created = await (await fetch(api + '/generation/generate-anonymous', { method: 'POST', body: fd })).json();
  state.textContent = created.status;
  for (;;) {
    const s = await (await fetch(api + '/generation/anonymous-generations/' + created.id + '/status')).json();
    state.textContent = s.status;
    if (s.status === 'completed') { document.getElementById('result').src = s.generated_image_url; break; }
    if (s.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 200));
  }
};
</script></body></html>`;

describe.skipIf(!executablePath)('generations: the Starter Kit flow in headless Chromium', () => {
  let s: TestServer;
  let site: http.Server;
  let siteUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    s = await startServer('sqlite', { env: FAST_JOBS });
    site = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    // "localhost" vs "127.0.0.1": another origin than the API's.
    siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    site?.closeAllConnections();
    await new Promise((r) => site?.close(r));
    await s?.close();
  });

  it('posts the images cross-origin, polls the status, and shows the generated image', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${siteUrl}/?api=${encodeURIComponent(s.url)}`);
    await page.setInputFiles('#files', [
      { name: 'one.png', mimeType: 'image/png', buffer: await image('png', 1) },
      { name: 'two.jpg', mimeType: 'image/jpeg', buffer: await image('jpeg', 2) },
    ]);
    await page.click('#go');
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'completed', undefined, {
      timeout: 30_000,
    });
    await page.waitForFunction(
      () =>
        (document.getElementById('result') as HTMLImageElement).complete &&
        (document.getElementById('result') as HTMLImageElement).naturalWidth > 0,
      undefined,
      { timeout: 10_000 },
    );
    const width = await page.$eval('#result', (img) => (img as HTMLImageElement).naturalWidth);
    expect(width).toBe(512);
    expect(errors).toEqual([]);
    const rows = await s.ctx.db.selectFrom('generations').select(['status', 'anonymous']).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe('completed');
  }, 60_000);
});
