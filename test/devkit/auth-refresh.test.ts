import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, uniqueEmail } from '../support/seed.js';

forEachDatabase('devkit POST /api/v1/auth/refresh', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false' } });
  });
  afterAll(async () => s?.close());

  const refresh = (refresh_token: unknown) => s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token } });
  const signIn = async (email: string) =>
    (await s.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).body;

  it('rotates: each refresh token works once and yields a new pair in the same session', async () => {
    const dev = await seedDeveloper(s.ctx);
    const first = await signIn(dev.email);
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.token_type).toBe('bearer');
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.body.access_token)).toMatchObject({ sub: dev.userId, type: 'access' });
    const third = await refresh(second.body.refresh_token);
    expect(third.status).toBe(200);
    const me = await s.request('GET', '/api/v1/auth/me', {
      headers: { authorization: `Bearer ${third.body.access_token}` },
    });
    expect(me.body.id).toBe(dev.userId);
    const rows = await s.ctx.db
      .selectFrom('refresh_tokens')
      .select(['family_id', 'used_at'])
      .where('user_id', '=', dev.userId)
      .execute();
    expect(new Set(rows.map((r) => r.family_id)).size).toBe(1);
    expect(rows.filter((r) => r.used_at === null)).toHaveLength(1);
  });

  it('detects reuse: a spent token is refused and its whole session is revoked, other sessions live on', async () => {
    const dev = await seedDeveloper(s.ctx);
    const stolen = await signIn(dev.email);
    const otherDevice = await signIn(dev.email);
    const rotated = (await refresh(stolen.refresh_token)).body;
    const replay = await refresh(stolen.refresh_token);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ detail: 'Could not validate credentials' });
    // The legitimate holder's newer token died with the family.
    expect((await refresh(rotated.refresh_token)).status).toBe(401);
    expect((await refresh(otherDevice.refresh_token)).status).toBe(200);
  });

  it('lets exactly one of several parallel refreshes with the same token win, and revokes the rest', async () => {
    const dev = await seedDeveloper(s.ctx);
    const tokens = await signIn(dev.email);
    const race = await Promise.all(Array.from({ length: 6 }, () => refresh(tokens.refresh_token)));
    expect(race.filter((r) => r.status === 200)).toHaveLength(1);
    expect(race.filter((r) => r.status === 401)).toHaveLength(5);
    const winner = race.find((r) => r.status === 200)!.body;
    expect((await refresh(winner.refresh_token)).status).toBe(401);
  });

  it('keeps an end user in their project across refreshes', async () => {
    const dev = await seedDeveloper(s.ctx);
    const project = (
      await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Refreshing' } })
    ).body;
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: { 'x-developer-key': dev.developerKey, 'x-project-id': project.id },
      body: { email: uniqueEmail('user'), password: PASSWORD },
    });
    const next = await refresh(reg.body.refresh_token);
    expect(next.status).toBe(200);
    expect(decodeJwt(next.body.access_token)).toMatchObject({ sub: reg.body.id, project_id: project.id });
    expect(decodeJwt(next.body.refresh_token)).toMatchObject({ type: 'refresh', project_id: project.id });
  });

  it('refuses access tokens, garbage, deactivated accounts and bad bodies', async () => {
    const dev = await seedDeveloper(s.ctx);
    const tokens = await signIn(dev.email);
    expect((await refresh(tokens.access_token)).status).toBe(401);
    expect((await refresh('garbage')).status).toBe(401);
    expect((await refresh('')).status).toBe(401);
    expect((await refresh(42)).status).toBe(422);
    expect((await s.request('POST', '/api/v1/auth/refresh', { body: {} })).body.detail).toEqual([
      { loc: ['body', 'refresh_token'], msg: 'field required', type: 'value_error.missing' },
    ]);
    expect(
      (await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: tokens.refresh_token, extra: 1 } }))
        .status,
    ).toBe(422);
    expect(
      (
        await s.request('POST', '/api/v1/auth/refresh', {
          headers: { 'content-type': 'application/json' },
          rawBody: '{',
        })
      ).status,
    ).toBe(422);
    await s.ctx.db.updateTable('users').set({ is_active: false }).where('id', '=', dev.userId).execute();
    expect((await refresh(tokens.refresh_token)).status).toBe(401);
  });
});
