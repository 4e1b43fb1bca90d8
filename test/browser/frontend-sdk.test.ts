import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { openDelivered, seedDomain, seedInjectable, seedLicense, seedProject } from '../devpayr/runtime-fixtures.js';
import { ensureChromium } from './chromium.js';

/**
 * The published browser client, @devpayr/frontend-sdk, loaded unmodified into a page on its
 * own origin and pointed at a running Tollgate: what a vendor's customer's browser does.
 */
const executablePath = ensureChromium();
const SDK = fs.readFileSync(createRequire(import.meta.url).resolve('@devpayr/frontend-sdk/browser'), 'utf8');
const SECRET = 'browser-injectable-secret';

interface PageConfig {
  license: string;
  domain?: string;
  injectables?: boolean;
}

describe.skipIf(!executablePath)('the real @devpayr/frontend-sdk in headless Chromium', () => {
  let tollgate: TestServer;
  let browser: Browser;
  let site: http.Server;
  let siteUrl: string;
  const forwarded: unknown[] = [];
  let keys: { paid: string; unpaid: string; revoked: string; pinnedSite: string };

  beforeAll(async () => {
    tollgate = await startServer('sqlite');
    const owner = (await seedDeveloper(tollgate.ctx)).userId;
    const paid = await seedProject(tollgate.ctx, owner, { hasPaid: true });
    const unpaid = await seedProject(tollgate.ctx, owner, { hasPaid: false });
    const withDomain = await seedProject(tollgate.ctx, owner, { hasPaid: true });
    await seedDomain(tollgate.ctx, withDomain, 'shop.example.com');
    await seedInjectable(tollgate.ctx, paid, {
      slug: 'banner',
      content: '<b>thanks for paying</b>',
      secret: SECRET,
      targetPath: 'banner.html',
    });
    keys = {
      paid: (await seedLicense(tollgate.ctx, paid)).key,
      unpaid: (await seedLicense(tollgate.ctx, unpaid)).key,
      revoked: (await seedLicense(tollgate.ctx, paid, { status: 'revoked' })).key,
      pinnedSite: (await seedLicense(tollgate.ctx, withDomain)).key,
    };

    // The vendor's page: another origin than Tollgate, so every check goes through CORS.
    site = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://site');
      if (url.pathname === '/sdk.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(SDK);
      } else if (url.pathname === '/sink' && req.method === 'POST') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          forwarded.push(JSON.parse(body));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      } else if (url.pathname === '/page') {
        const cfg = JSON.parse(url.searchParams.get('cfg')!) as PageConfig;
        const config = {
          ...cfg,
          baseUrl: `${tollgate.url}/api/v1/`,
          invalidBehavior: 'modal',
          ...(cfg.injectables ? { injectablesEndpoint: '/sink' } : {}),
        };
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><body>
<script>window.readyCalls = 0; window.DevPayrConfig = ${JSON.stringify(config)}; window.DevPayrConfig.onReady = function () { window.readyCalls++; };</script>
<script src="/sdk.js"></script></body></html>`);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: executablePath!,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => site?.close(r));
    await tollgate?.close();
  });

  /** Opens the page in a fresh browser context (no cached success) and reports what the SDK did. */
  async function visit(cfg: PageConfig): Promise<{ ready: number; modal: boolean }> {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${siteUrl}/page?cfg=${encodeURIComponent(JSON.stringify(cfg))}`);
      await page.waitForFunction(
        () => (window as any).readyCalls > 0 || document.body.innerText.includes('Unlicensed Software'),
        undefined,
        { timeout: 15_000 },
      );
      return {
        ready: await page.evaluate(() => (window as any).readyCalls as number),
        modal: await page.evaluate(() => document.body.innerText.includes('Unlicensed Software')),
      };
    } finally {
      await context.close();
    }
  }

  it('a paid license calls onReady', async () => {
    expect(await visit({ license: keys.paid })).toEqual({ ready: 1, modal: false });
  });

  it('an unpaid project shows the unlicensed modal', async () => {
    expect(await visit({ license: keys.unpaid })).toEqual({ ready: 0, modal: true });
  });

  it('a revoked license shows the unlicensed modal', async () => {
    expect(await visit({ license: keys.revoked })).toEqual({ ready: 0, modal: true });
  });

  it('a foreign domain shows the unlicensed modal, the registered one passes', async () => {
    expect(await visit({ license: keys.pinnedSite, domain: 'elsewhere.example.net' })).toEqual({
      ready: 0,
      modal: true,
    });
    expect(await visit({ license: keys.pinnedSite, domain: 'shop.example.com' })).toEqual({ ready: 1, modal: false });
  });

  it('injectables requested inline arrive at the page backend and verify', async () => {
    forwarded.length = 0;
    expect(await visit({ license: keys.paid, injectables: true })).toEqual({ ready: 1, modal: false });
    for (let i = 0; i < 100 && forwarded.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(forwarded).toHaveLength(1);
    const items = (forwarded[0] as { injectables: any[] }).injectables;
    expect(items).toHaveLength(1);
    expect(items[0].slug).toBe('banner');
    expect(openDelivered(items[0].encrypted_content, items[0].signature, SECRET).plaintext).toBe(
      '<b>thanks for paying</b>',
    );
  });
});
