import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';

/** What a browser fetches before any API call, over real HTTP. */
describe('console static serving, the root index and the icon', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer('sqlite', { env: { RATE_LIMIT: 'off' } });
  });
  afterAll(async () => s?.close());

  it('GET / names the console beside the API reference', async () => {
    const r = await s.request('GET', '/');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Tollgate', docs: '/docs', openapi: '/docs/json', console: '/console' });
  });
});
