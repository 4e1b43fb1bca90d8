import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { buildConsole } from './build.js';

/**
 * What a browser fetches before any API call: the root index, the icon and the console's
 * page, over real HTTP.
 */
describe('console static serving, the root index and the icon', () => {
  let s: TestServer;
  beforeAll(async () => {
    await buildConsole();
    s = await startServer('sqlite', { env: { RATE_LIMIT: 'off' } });
  }, 240_000);
  afterAll(async () => s?.close());

  it('GET / names the console beside the API reference', async () => {
    const r = await s.request('GET', '/');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Tollgate', docs: '/docs', openapi: '/docs/json', console: '/console' });
  });

  it('GET /favicon.ico is an icon we ship (an ICO holding a PNG), and the console page links its SVG', async () => {
    const ico = await fetch(`${s.url}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toBe('image/x-icon');
    const bytes = Buffer.from(await ico.arrayBuffer());
    // ICONDIR: reserved 0, type 1 (icon), one image; its data starts with the PNG signature.
    expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2), bytes.readUInt16LE(4)]).toEqual([0, 1, 1]);
    expect(bytes.subarray(bytes.readUInt32LE(18), bytes.readUInt32LE(18) + 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const svg = await fetch(`${s.url}/favicon.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toContain('<svg');
    const html = await (await fetch(`${s.url}/console`)).text();
    expect(html).toMatch(/<link rel="icon" href="\/favicon\.svg"/);
  });
});
