import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, seedOperator, uniqueEmail } from '../support/seed.js';

const codeIn = (text: string) => /verification code: (\S+)/.exec(text)![1]!;

forEachDatabase('devkit email verification (REQUIRE_EMAIL_VERIFICATION=true)', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false', REQUIRE_EMAIL_VERIFICATION: 'true' } });
  });
  afterAll(async () => s?.close());

  const verify = (body: unknown) => s.request('POST', '/api/v1/auth/verify-email', { body });
  const login = (email: string, headers: Record<string, string> = {}) =>
    s.request('POST', '/api/v1/auth/login', { headers, body: { email, password: PASSWORD } });

  it('registers a developer inactive, mails a hashed single-use token, and activates on verify', async () => {
    const op = await seedOperator(s.ctx);
    const email = uniqueEmail();
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: op.headers,
      body: { email, password: PASSWORD },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.is_active).toBe(false);
    expect(reg.body.provisioning.developer_key).toMatch(/^ak_/);
    const mail = s.mailer.last(email);
    expect(mail.text).toContain(reg.body.id);
    const token = codeIn(mail.text);
    const stored = await s.ctx.db
      .selectFrom('email_verifications')
      .selectAll()
      .where('user_id', '=', reg.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(sha256Hex(token));
    const ttl = new Date(stored.expires_at).getTime() - new Date(stored.created_at).getTime();
    expect(ttl).toBe(24 * 3600 * 1000);

    expect(await login(email)).toMatchObject({ status: 400, body: { detail: 'Account not activated' } });
    const ok = await verify({ token });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ message: 'Email verified successfully', email });
    expect(await verify({ token })).toMatchObject({
      status: 400,
      body: { detail: 'Invalid or expired verification token' },
    });
    const tokens = (await login(email)).body;
    const me = await s.request('GET', '/api/v1/auth/me', {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.body).toMatchObject({ is_active: true, is_verified: true });
  });

  it("accepts openapi.json's {user_id, verification_token} and refuses it for another user", async () => {
    const op = await seedOperator(s.ctx);
    const a = (
      await s.request('POST', '/api/v1/auth/register', {
        headers: op.headers,
        body: { email: uniqueEmail(), password: PASSWORD },
      })
    ).body;
    const b = (
      await s.request('POST', '/api/v1/auth/register', {
        headers: op.headers,
        body: { email: uniqueEmail(), password: PASSWORD },
      })
    ).body;
    const aToken = codeIn(s.mailer.last(a.email).text);
    expect((await verify({ user_id: b.id, verification_token: aToken })).status).toBe(400);
    expect((await verify({ user_id: 'nope', verification_token: aToken })).status).toBe(400);
    expect((await verify({ user_id: a.id, verification_token: aToken })).status).toBe(200);
    expect((await login(b.email)).status).toBe(400);
  });

  it('refuses expired tokens and unknown tokens alike', async () => {
    const op = await seedOperator(s.ctx);
    const u = (
      await s.request('POST', '/api/v1/auth/register', {
        headers: op.headers,
        body: { email: uniqueEmail(), password: PASSWORD },
      })
    ).body;
    const token = codeIn(s.mailer.last(u.email).text);
    await s.ctx.db
      .updateTable('email_verifications')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', u.id)
      .execute();
    expect(await verify({ token })).toMatchObject({
      status: 400,
      body: { detail: 'Invalid or expired verification token' },
    });
    expect(await verify({ token: 'x'.repeat(43) })).toMatchObject({
      status: 400,
      body: { detail: 'Invalid or expired verification token' },
    });
    expect((await login(u.email)).status).toBe(400);
  });

  it('spends a token once even when verified twice in parallel', async () => {
    const op = await seedOperator(s.ctx);
    const u = (
      await s.request('POST', '/api/v1/auth/register', {
        headers: op.headers,
        body: { email: uniqueEmail(), password: PASSWORD },
      })
    ).body;
    const token = codeIn(s.mailer.last(u.email).text);
    const both = await Promise.all([1, 2, 3].map(() => verify({ token })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 400, 400]);
  });

  it('registers end users inactive with a session that only asks for a new mail', async () => {
    const dev = await seedDeveloper(s.ctx);
    const project = (
      await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Verified app' } })
    ).body;
    const email = uniqueEmail('user');
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: { 'x-developer-key': dev.developerKey, 'x-project-id': project.id },
      body: { email, password: PASSWORD },
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ is_active: false, role: 'end_user', token_type: 'bearer' });
    const bearer = { authorization: `Bearer ${reg.body.access_token}` };
    expect((await s.request('GET', '/api/v1/auth/me', { headers: bearer })).status).toBe(401);
    expect(await login(email, { 'x-project-id': project.id })).toMatchObject({
      status: 400,
      body: { detail: 'Account not activated' },
    });

    const before = s.mailer.sent.length;
    const again = await s.request('POST', '/api/v1/auth/request-verification', { headers: bearer });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      message: 'If the account exists and is not yet verified, a verification email has been sent.',
    });
    expect(s.mailer.sent.length).toBe(before + 1);
    // Both mailed tokens work until one is spent.
    expect((await verify({ token: codeIn(s.mailer.last(email).text) })).status).toBe(200);
    expect((await login(email, { 'x-project-id': project.id })).status).toBe(200);
  });

  it('request-verification tells nothing: unknown, verified and malformed ids get the same answer and no mail', async () => {
    const op = await seedOperator(s.ctx);
    const u = (
      await s.request('POST', '/api/v1/auth/register', {
        headers: op.headers,
        body: { email: uniqueEmail(), password: PASSWORD },
      })
    ).body;
    const answer = {
      status: 200,
      body: { message: 'If the account exists and is not yet verified, a verification email has been sent.' },
    };
    const before = s.mailer.sent.length;
    expect(await s.request('POST', `/api/v1/auth/request-verification?user_id=${u.id}`)).toMatchObject(answer);
    expect(s.mailer.sent.length).toBe(before + 1);
    await verify({ token: codeIn(s.mailer.last(u.email).text) });
    const after = s.mailer.sent.length;
    for (const id of [u.id, '0190a1b2-0000-7000-8000-000000000000', 'nope', op.userId]) {
      expect(await s.request('POST', `/api/v1/auth/request-verification?user_id=${id}`)).toMatchObject(answer);
    }
    expect(s.mailer.sent.length).toBe(after);
    expect(await s.request('POST', '/api/v1/auth/request-verification')).toMatchObject({
      status: 401,
      body: { detail: 'Could not validate credentials' },
    });
    expect(
      (await s.request('POST', '/api/v1/auth/request-verification', { headers: { authorization: 'Bearer junk' } }))
        .status,
    ).toBe(401);
  });

  it('answers bad verify-email bodies with 422', async () => {
    // The reference page's name first (verify-email.mdx wins over openapi.json), then openapi.json's.
    expect((await verify({})).body.detail).toEqual([
      { loc: ['body', 'token'], msg: 'field required', type: 'value_error.missing' },
      { loc: ['body', 'verification_token'], msg: 'field required', type: 'value_error.missing' },
    ]);
    expect((await verify({ token: 5 })).status).toBe(422);
    expect((await verify({ token: 'abc', extra: true })).status).toBe(422);
    expect(
      (
        await s.request('POST', '/api/v1/auth/verify-email', {
          headers: { 'content-type': 'application/json' },
          rawBody: '{"token":',
        })
      ).status,
    ).toBe(422);
  });
});
