import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { buildConsole } from './build.js';

/**
 * What a browser fetches before any API call: the root index, the icon, the console's page
 * and its hashed assets (precompressed at build time, cached for a year), over real HTTP.
 */
describe('console static serving, the root index and the icon', () => {
  let s: TestServer;
  let script: string;
  beforeAll(async () => {
    await buildConsole();
    s = await startServer('sqlite', { env: { RATE_LIMIT: 'off' } });
    script = fs.readdirSync(path.resolve('dist/console/assets')).find((f) => f.endsWith('.js'))!;
  }, 240_000);
  afterAll(async () => s?.close());

  // fetch() would decode the body itself: node:http hands over the bytes as the server sent them.
  const raw = (p: string, acceptEncoding: string) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http
        .get(s.url + p, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });

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
    expect(bytes.subarray(bytes.readUInt32LE(18), bytes.readUInt32LE(18) + 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const svg = await fetch(`${s.url}/favicon.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toContain('<svg');
    const html = await (await fetch(`${s.url}/console`)).text();
    expect(html).toMatch(/<link rel="icon" href="\/favicon\.svg"/);
  });

  it('serves a hashed script precompressed (br, else gzip, else as is), varying on Accept-Encoding, cached for a year', async () => {
    const plain = await raw(`/console/assets/${script}`, 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const br = await raw(`/console/assets/${script}`, 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    expect(brotliDecompressSync(br.body)).toEqual(plain.body);

    const gz = await raw(`/console/assets/${script}`, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body)).toEqual(plain.body);

    // Refused encodings are not sent; the ETag names the representation, so a cached gzip is not revalidated as br.
    expect((await raw(`/console/assets/${script}`, 'br;q=0, gzip')).headers['content-encoding']).toBe('gzip');
    expect(br.headers.etag).not.toBe(gz.headers.etag);
    const again = await fetch(`${s.url}/console/assets/${script}`, {
      headers: { 'accept-encoding': 'br', 'if-none-match': br.headers.etag! },
    });
    expect(again.status).toBe(304);
    // The compressed copies are not routes of their own.
    expect((await fetch(`${s.url}/console/assets/${script}.br`)).status).toBe(404);
  });

  it('the page is always revalidated (the asset names it holds change with each build)', async () => {
    const page = await raw('/console/projects', 'br, gzip');
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    const encoding = page.headers['content-encoding'];
    const html =
      encoding === 'br' ? brotliDecompressSync(page.body) : encoding === 'gzip' ? gunzipSync(page.body) : page.body;
    expect(html.toString()).toContain('<div id="app">');
  });
});
