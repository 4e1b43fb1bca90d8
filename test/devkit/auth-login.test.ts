import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, seedOperator, uniqueEmail } from '../support/seed.js';

forEachDatabase('devkit login and me', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false', REQUIRE_EMAIL_VERIFICATION: 'false' } });
  });
  afterAll(async () => s?.close());

  const login = (body: unknown, headers: Record<string, string> = {}) =>
    s.request('POST', '/api/v1/auth/login', { headers, body });

  /** A developer registered by an operator, with one project, and an end user in it. */
  async function world() {
    const op = await seedOperator(s.ctx);
    const devEmail = uniqueEmail();
    const dev = (
      await s.request('POST', '/api/v1/auth/register', {
        headers: op.headers,
        body: { email: devEmail, password: PASSWORD, full_name: 'Dee Veloper' },
      })
    ).body;
    const userEmail = uniqueEmail('user');
    const headers = { 'x-developer-key': dev.provisioning.developer_key, 'x-project-id': dev.provisioning.project_id };
    const user = (
      await s.request('POST', '/api/v1/auth/register', { headers, body: { email: userEmail, password: PASSWORD } })
    ).body;
    return {
      dev,
      devEmail,
      user,
      userEmail,
      projectId: dev.provisioning.project_id as string,
      devKey: dev.provisioning.developer_key as string,
    };
  }

  it('logs a developer in globally with the token claims login.mdx documents', async () => {
    const w = await world();
    const res = await login({ email: w.devEmail.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'refresh_token', 'token_type']);
    expect(res.body.token_type).toBe('bearer');
    const access = decodeJwt(res.body.access_token);
    expect(access).toMatchObject({ sub: w.dev.id, type: 'access' });
    expect(access.project_id).toBeUndefined();
    expect(access.exp! - access.iat!).toBe(30 * 60);
    const refresh = decodeJwt(res.body.refresh_token);
    expect(refresh).toMatchObject({ sub: w.dev.id, type: 'refresh' });
    expect(refresh.exp! - refresh.iat!).toBe(7 * 86400);

    const me = await s.request('GET', '/api/v1/auth/me', {
      headers: { authorization: `Bearer ${res.body.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: w.dev.id,
      email: w.devEmail,
      full_name: 'Dee Veloper',
      role: 'developer',
      is_active: true,
      is_verified: false,
      created_at: w.dev.created_at,
      project_id: null,
    });
  });

  it('logs an end user in only into their own project', async () => {
    const w = await world();
    const other = await world();
    const ok = await login({ email: w.userEmail, password: PASSWORD }, { 'x-project-id': w.projectId });
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.access_token)).toMatchObject({ sub: w.user.id, type: 'access', project_id: w.projectId });
    const me = await s.request('GET', '/api/v1/auth/me', {
      headers: { authorization: `Bearer ${ok.body.access_token}` },
    });
    expect(me.body).toMatchObject({ id: w.user.id, role: 'end_user', project_id: w.projectId });

    const refused = { status: 401, body: { detail: 'Incorrect email or password' } };
    expect(await login({ email: w.userEmail, password: PASSWORD }, { 'x-project-id': other.projectId })).toMatchObject(
      refused,
    );
    expect(await login({ email: w.userEmail, password: PASSWORD })).toMatchObject(refused);
    // A developer cannot sign in through a project, not even their own.
    expect(await login({ email: w.devEmail, password: PASSWORD }, { 'x-project-id': w.projectId })).toMatchObject(
      refused,
    );
  });

  it('answers a wrong password and an unknown email alike, with WWW-Authenticate', async () => {
    const w = await world();
    const wrong = await login({ email: w.devEmail, password: 'WrongPass123' });
    const unknown = await login({ email: uniqueEmail('ghost'), password: PASSWORD });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ detail: 'Incorrect email or password' });
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
    }
    // Operators have no password: there is nothing to log in with.
    const op = await seedOperator(s.ctx);
    const opEmail = (
      await s.ctx.db.selectFrom('users').select('email').where('id', '=', op.userId).executeTakeFirstOrThrow()
    ).email;
    expect((await login({ email: opEmail, password: PASSWORD })).status).toBe(401);
  });

  it('says "Account not activated" only to the right password of an unverified account', async () => {
    const w = await world();
    await s.ctx.db.updateTable('users').set({ is_active: false }).where('id', '=', w.dev.id).execute();
    expect(await login({ email: w.devEmail, password: PASSWORD })).toMatchObject({
      status: 400,
      body: { detail: 'Account not activated' },
    });
    expect((await login({ email: w.devEmail, password: 'WrongPass123' })).status).toBe(401);
    // A verified account that was deactivated is not told apart from a wrong password.
    await s.ctx.db.updateTable('users').set({ email_verified_at: new Date() }).where('id', '=', w.dev.id).execute();
    expect((await login({ email: w.devEmail, password: PASSWORD })).status).toBe(401);
  });

  it('validates X-Project-ID as a UUID', async () => {
    for (const bad of ['not-a-uuid', '123', '']) {
      expect(await login({ email: uniqueEmail(), password: PASSWORD }, { 'x-project-id': bad })).toMatchObject({
        status: 400,
        body: { detail: 'Invalid X-Project-ID format. Must be a valid UUID.' },
      });
    }
  });

  it('answers bad login bodies with 422', async () => {
    expect((await login({ email: uniqueEmail() })).body.detail).toEqual([
      { loc: ['body', 'password'], msg: 'field required', type: 'value_error.missing' },
    ]);
    expect((await login({ email: uniqueEmail(), password: 12345678 })).status).toBe(422);
    expect((await login({ email: uniqueEmail(), password: PASSWORD, remember: true })).body.detail[0]).toMatchObject({
      loc: ['body', 'remember'],
      type: 'value_error.extra',
    });
    const malformed = await s.request('POST', '/api/v1/auth/login', {
      headers: { 'content-type': 'application/json' },
      rawBody: '{"email": "a@b.c",',
    });
    expect(malformed.status).toBe(422);
    expect(
      (await s.request('POST', '/api/v1/auth/login', { headers: { 'content-type': 'text/plain' }, rawBody: 'email=a' }))
        .status,
    ).toBe(422);
  });

  it('refuses /me without a valid access token', async () => {
    const dev = await seedDeveloper(s.ctx);
    const tokens = (await login({ email: dev.email, password: PASSWORD })).body;
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not.a.token' },
      { authorization: `Basic ${tokens.access_token}` },
      // A refresh token is not an access token.
      { authorization: `Bearer ${tokens.refresh_token}` },
    ];
    for (const headers of cases) {
      const r = await s.request('GET', '/api/v1/auth/me', { headers });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ detail: 'Could not validate credentials' });
    }
    // A token signed with another secret is refused too.
    const forged = `${tokens.access_token.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`;
    expect((await s.request('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(
      401,
    );
    // A deactivated account's tokens stop working.
    await s.ctx.db.updateTable('users').set({ is_active: false }).where('id', '=', dev.userId).execute();
    expect(
      (await s.request('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${tokens.access_token}` } }))
        .status,
    ).toBe(401);
  });
});
