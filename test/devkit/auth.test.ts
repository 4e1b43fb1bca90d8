import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedOperator, uniqueEmail } from '../support/seed.js';

forEachDatabase('devkit auth', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind);
  });
  afterAll(async () => s?.close());

  it('registers a developer with provisioning, logs in, and the keys work on both faces', async () => {
    const op = await seedOperator(s.ctx);
    const email = uniqueEmail();
    const reg = await s.request('POST', '/api/v1/auth/register', { headers: op.headers, body: { email, password: 'SecurePass123', full_name: 'John Smith' } });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ email, role: 'developer', is_active: true, full_name: 'John Smith' });
    const { project_id, developer_key, api_key } = reg.body.provisioning;
    expect(developer_key).toMatch(/^ak_[A-Za-z0-9_-]{32}$/);
    expect(api_key).toMatch(/^ak_[A-Za-z0-9_-]{32}$/);

    const login = await s.request('POST', '/api/v1/auth/login', { body: { email, password: 'SecurePass123' } });
    expect(login.status).toBe(200);
    expect(login.body.token_type).toBe('bearer');
    const headers = { authorization: `Bearer ${login.body.access_token}`, 'x-user-role': 'developer', 'x-developer-key': developer_key };
    const list = await s.request('GET', '/api/v1/projects/', { headers });
    expect(list.body.map((p: { id: string }) => p.id)).toEqual([project_id]);
    const me = await s.request('GET', '/api/v1/auth/me', { headers });
    expect(me.body).toMatchObject({ email, role: 'developer', project_id: null });
    const scoped = await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': api_key } });
    expect(scoped.body.data.data.map((p: { id: string }) => p.id)).toEqual([project_id]);

    // An end user of that project, with immediate tokens; scoped login.
    const user = uniqueEmail('user');
    const eu = await s.request('POST', '/api/v1/auth/register', {
      headers: { 'x-developer-key': developer_key, 'x-project-id': project_id },
      body: { email: user, password: 'SecurePass123' },
    });
    expect(eu.status).toBe(201);
    expect(eu.body).toMatchObject({ role: 'end_user', project_id, token_type: 'bearer' });
    expect((await s.request('POST', '/api/v1/auth/login', { body: { email: user, password: 'SecurePass123' } })).status).toBe(401);
    expect((await s.request('POST', '/api/v1/auth/login', { headers: { 'x-project-id': project_id }, body: { email: user, password: 'SecurePass123' } })).status).toBe(200);
    expect((await s.request('POST', '/api/v1/auth/login', { headers: { 'x-project-id': 'nope' }, body: { email: user, password: 'SecurePass123' } })).body).toEqual({
      detail: 'Invalid X-Project-ID format. Must be a valid UUID.',
    });
  });

  it('refuses what register.mdx and login.mdx refuse', async () => {
    const op = await seedOperator(s.ctx);
    const email = uniqueEmail();
    expect((await s.request('POST', '/api/v1/auth/register', { body: { email, password: 'SecurePass123' } })).status).toBe(403);
    const weak = await s.request('POST', '/api/v1/auth/register', { headers: op.headers, body: { email, password: 'weakpass' } });
    expect(weak.status).toBe(422);
    expect(weak.body.detail[0]).toMatchObject({ loc: ['body', 'password'], type: 'value_error.password' });
    const badEmail = await s.request('POST', '/api/v1/auth/register', { headers: op.headers, body: { email: 'nope', password: 'SecurePass123' } });
    expect(badEmail.body.detail[0]).toMatchObject({ loc: ['body', 'email'], msg: 'value is not a valid email address' });
    expect((await s.request('POST', '/api/v1/auth/register', { headers: op.headers, body: { email, password: 'SecurePass123' } })).status).toBe(201);
    expect(await s.request('POST', '/api/v1/auth/register', { headers: op.headers, body: { email: email.toUpperCase(), password: 'SecurePass123' } })).toMatchObject({
      status: 400,
      body: { detail: 'Email already registered' },
    });
    expect((await s.request('POST', '/api/v1/auth/register', { headers: { 'x-operator-key': 'op_wrong_wrong_wrong' }, body: { email: uniqueEmail(), password: 'SecurePass123' } })).status).toBe(403);
    expect(await s.request('POST', '/api/v1/auth/login', { body: { email, password: 'WrongPass123' } })).toMatchObject({ status: 401, body: { detail: 'Incorrect email or password' } });
    expect(await s.request('POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'WrongPass123' } })).toMatchObject({ status: 401 });
    expect((await s.request('GET', '/api/v1/auth/me', { headers: { authorization: 'Bearer not.a.token' } })).status).toBe(401);
  });

  it('rotates refresh tokens once and revokes the family on reuse, also under a race', async () => {
    const op = await seedOperator(s.ctx);
    const email = uniqueEmail();
    await s.request('POST', '/api/v1/auth/register', { headers: op.headers, body: { email, password: 'SecurePass123' } });
    const first = (await s.request('POST', '/api/v1/auth/login', { body: { email, password: 'SecurePass123' } })).body;
    const race = await Promise.all([1, 2, 3].map(() => s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: first.refresh_token } })));
    expect(race.filter((r) => r.status === 200)).toHaveLength(1);
    const winner = race.find((r) => r.status === 200)!.body;
    // The reuse revoked the family: the winner's new token is dead too.
    expect((await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: winner.refresh_token } })).status).toBe(401);

    const again = (await s.request('POST', '/api/v1/auth/login', { body: { email, password: 'SecurePass123' } })).body;
    const r1 = await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: again.refresh_token } });
    expect(r1.status).toBe(200);
    expect((await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: r1.body.refresh_token } })).status).toBe(200);
    expect((await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'garbage' } })).status).toBe(401);
  });
});
