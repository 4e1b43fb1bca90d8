import { afterAll, beforeAll, expect, it } from 'vitest';
import { askSigned, forEachDatabase, startLicensingServer, type LicensingServer } from './fixtures.js';

/**
 * An answer that cannot be signed (here the instance key's sealed half is unreadable, as
 * under another server secret) is a 500 in the devpayr envelope naming the request id, which
 * the client's verifier refuses: never Fastify's own error body with the exception's text.
 */
forEachDatabase('licensing: an answer that cannot be signed', (kind) => {
  let s: LicensingServer;
  beforeAll(async () => {
    s = await startLicensingServer(kind);
    await s.jwks();
    const row = await s.ctx.db
      .selectFrom('instance_settings')
      .select('value')
      .where('name', '=', 'signing_key')
      .executeTakeFirstOrThrow();
    const pair = JSON.parse(row.value);
    await s.ctx.db
      .updateTable('instance_settings')
      .set({ value: JSON.stringify({ ...pair, privateSealed: 'v1.AAAA' }) })
      .where('name', '=', 'signing_key')
      .execute();
  });
  afterAll(async () => s?.close());

  it('is a 500 envelope, unsigned, with no error text', async () => {
    const { answer } = await askSigned(s, 'POST', '/api/v1/project/has-paid', { body: {} });
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({
      status: 'error',
      message: expect.stringMatching(/^Server error \(request .+\)\.$/),
      data: null,
      errors: null,
    });
    expect(answer.headers.get('signature')).toBeNull();
  });
});
