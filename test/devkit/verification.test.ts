import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedOperator, uniqueEmail } from '../support/seed.js';

forEachDatabase('devkit email verification (REQUIRE_EMAIL_VERIFICATION=on)', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind, { env: { REQUIRE_EMAIL_VERIFICATION: 'true' } });
  });
  afterAll(async () => s?.close());

  it('keeps a new account inactive until its mailed token is spent, once', async () => {
    const op = await seedOperator(s.ctx);
    const email = uniqueEmail();
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: op.headers,
      body: { email, password: 'SecurePass123' },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.is_active).toBe(false);
    expect(await s.request('POST', '/api/v1/auth/login', { body: { email, password: 'SecurePass123' } })).toMatchObject(
      { status: 400, body: { detail: 'Account not activated' } },
    );

    const token = /code: (\S+)/.exec(s.mailer.last(email).text)![1]!;
    expect(
      (
        await s.request('POST', '/api/v1/auth/verify-email', {
          body: { user_id: reg.body.id, verification_token: 'wrong' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await s.request('POST', '/api/v1/auth/verify-email', {
          body: { user_id: reg.body.id, verification_token: token },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await s.request('POST', '/api/v1/auth/verify-email', {
          body: { user_id: reg.body.id, verification_token: token },
        })
      ).status,
    ).toBe(400);
    expect((await s.request('POST', '/api/v1/auth/login', { body: { email, password: 'SecurePass123' } })).status).toBe(
      200,
    );

    // Asking again for an active or unknown account answers the same, and sends nothing.
    const before = s.mailer.sent.length;
    for (const id of [reg.body.id, '00000000-0000-7000-8000-000000000000', 'nope']) {
      expect((await s.request('POST', `/api/v1/auth/request-verification?user_id=${id}`)).status).toBe(200);
    }
    expect(s.mailer.sent.length).toBe(before);
  });
});
