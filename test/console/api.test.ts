import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, seedOperator, uniqueEmail } from '../support/seed.js';
import { ConsoleClient } from './client.js';

forEachDatabase('console API: sessions, cookie and CSRF', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'off' } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('signs a developer in with an HttpOnly, SameSite=Strict, __Host- Secure cookie on loopback, holding no token', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    const r = await c.signIn(dev.email, PASSWORD);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ email: dev.email, kind: 'developer' });
    const set = c.lastSetCookie!;
    expect(set).toMatch(/^__Host-tollgate_console=[A-Za-z0-9_-]{43}; /);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Secure');
    expect(set).toContain('Path=/');
    // The answer carries no token of any kind; the cookie is an opaque random value, not a JWT.
    expect(r.text).not.toMatch(/eyJ|accessToken|refresh/i);
    expect(c.cookie!.split('=')[1]).not.toContain('.');
    // Tokens are kept server-side, sealed.
    const row = await s.ctx.db
      .selectFrom('console_sessions')
      .selectAll()
      .where('user_id', '=', dev.userId)
      .executeTakeFirstOrThrow();
    expect(row.access_token_enc).toBeTruthy();
    expect(row.access_token_enc).not.toContain('eyJ');
    const me = await c.call('GET', '/me');
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(me.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(me.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('refuses a wrong password and an operator key presented as a developer password, in words', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    const r = await c.signIn(dev.email, 'WrongPass123');
    expect(r.status).toBe(401);
    expect(r.body.error.message).toBe('Incorrect email or password');
    expect(c.cookie).toBeNull();
    const bad = await c.call('POST', '/sign-in', { email: dev.email });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields[0].field).toBe('password');
  });

  it('refuses a POST without the custom header, from another Origin, or without Origin, and changes nothing', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    await c.signIn(dev.email, PASSWORD);
    const noHeader = await c.call('POST', '/projects', { name: 'CSRF one' }, { csrf: false });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error.code).toBe('csrf_header');
    const crossSite = await c.call('POST', '/projects', { name: 'CSRF two' }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('csrf_origin');
    const noOrigin = await c.call('POST', '/projects', { name: 'CSRF three' }, { origin: null });
    expect(noOrigin.status).toBe(403);
    // A sign-in is a change too: a cross-site page cannot sign the browser into an account.
    const loginCsrf = await new ConsoleClient(s, 'https://evil.example').signIn(dev.email, PASSWORD);
    expect(loginCsrf.status).toBe(403);
    const n = await s.ctx.db
      .selectFrom('projects')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_id', '=', dev.userId)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
    const ok = await c.call('POST', '/projects', { name: 'Allowed project' });
    expect(ok.status).toBe(200);
  });

  it('the console cookie is refused by the wire APIs of both faces', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    await c.signIn(dev.email, PASSWORD);
    const headers = { cookie: c.cookie!, origin: s.url, 'x-tollgate-console': '1' };
    const devkit = await s.request('GET', '/api/v1/projects/', { headers });
    expect(devkit.status).toBe(401);
    const me = await s.request('GET', '/api/v1/auth/me', { headers });
    expect(me.status).toBe(401);
    const devpayr = await s.request('GET', '/api/v1/projects', { headers });
    expect([401, 403]).toContain(devpayr.status);
    const create = await s.request('POST', '/api/v1/projects/', { headers, body: { name: 'Via cookie' } });
    expect(create.status).toBe(401);
  });

  it('sign-out revokes the session server-side: the old cookie no longer works, and its refresh token is revoked', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    await c.signIn(dev.email, PASSWORD);
    const old = c.cookie!;
    const out = await c.call('POST', '/sign-out');
    expect(out.status).toBe(200);
    expect(c.lastSetCookie).toContain('Max-Age=0');
    const replay = await c.call('GET', '/me', undefined, { cookie: old });
    expect(replay.status).toBe(401);
    const tokens = await s.ctx.db
      .selectFrom('refresh_tokens')
      .select(['revoked_at'])
      .where('user_id', '=', dev.userId)
      .execute();
    expect(tokens.length).toBe(1);
    expect(tokens[0]!.revoked_at).toBeTruthy();
  });

  it('lists the account’s sessions and revokes another one; a foreign session id is 404', async () => {
    const dev = await seedDeveloper(s.ctx);
    const a = new ConsoleClient(s);
    const b = new ConsoleClient(s);
    await a.signIn(dev.email, PASSWORD);
    await b.signIn(dev.email, PASSWORD);
    const list = await a.call('GET', '/sessions');
    expect(list.body.items).toHaveLength(2);
    const other = list.body.items.find((x: { current: boolean }) => !x.current);
    expect(await a.call('DELETE', `/sessions/${other.id}`)).toMatchObject({ status: 200 });
    expect((await b.call('GET', '/me')).status).toBe(401);
    expect((await a.call('GET', '/me')).status).toBe(200);

    const intruder = await seedDeveloper(s.ctx);
    const i = new ConsoleClient(s);
    await i.signIn(intruder.email, PASSWORD);
    const mine = (await a.call('GET', '/sessions')).body.items[0].id;
    expect((await i.call('DELETE', `/sessions/${mine}`)).status).toBe(404);
    expect((await a.call('GET', '/me')).status).toBe(200);
  });

  it('ends a session after the idle limit and after the absolute limit', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    await c.signIn(dev.email, PASSWORD);
    const idle = new Date(Date.now() - s.config.console.idleSeconds * 1000 - 1000);
    await s.ctx.db
      .updateTable('console_sessions')
      .set({ last_seen_at: idle })
      .where('user_id', '=', dev.userId)
      .execute();
    expect((await c.call('GET', '/me')).status).toBe(401);

    const d = new ConsoleClient(s);
    await d.signIn(dev.email, PASSWORD);
    await s.ctx.db
      .updateTable('console_sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', dev.userId)
      .where('revoked_at', 'is', null)
      .execute();
    expect((await d.call('GET', '/me')).status).toBe(401);
  });

  it('a disabled account’s session stops working', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    await c.signIn(dev.email, PASSWORD);
    await s.ctx.db.updateTable('users').set({ is_active: false }).where('id', '=', dev.userId).execute();
    expect((await c.call('GET', '/me')).status).toBe(401);
  });

  it('sign-up is closed by default; an operator opens it; sign-up then reveals the keys once and signs in', async () => {
    const c = new ConsoleClient(s);
    expect((await c.call('GET', '/meta')).body.signUpOpen).toBe(false);
    const email = uniqueEmail('signup');
    const closed = await c.call('POST', '/sign-up', { email, password: PASSWORD });
    expect(closed.status).toBe(403);
    expect(closed.body.error.message).toMatch(/closed/);

    const op = await seedOperator(s.ctx);
    const o = new ConsoleClient(s);
    expect((await o.signInOperator(op.key)).status).toBe(200);
    // A developer session may not flip it.
    const dev = await seedDeveloper(s.ctx);
    const d = new ConsoleClient(s);
    await d.signIn(dev.email, PASSWORD);
    expect((await d.call('PUT', '/operator/settings', { signUpOpen: true })).status).toBe(403);
    expect((await o.call('PUT', '/operator/settings', { signUpOpen: true })).body).toEqual({ signUpOpen: true });

    const weak = await c.call('POST', '/sign-up', { email, password: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.error.fields.map((f: { field: string }) => f.field)).toContain('password');
    const ok = await c.call('POST', '/sign-up', { email, password: PASSWORD, fullName: 'New Dev' });
    expect(ok.status).toBe(200);
    expect(ok.body.reveal.developerKey).toBeTruthy();
    expect(ok.body.reveal.apiKey).toBeTruthy();
    expect(ok.body.me.email).toBe(email);
    // After the reveal, keys are only ever listed by prefix.
    const keys = await c.call('GET', `/projects/${ok.body.reveal.projectId}/keys`);
    expect(keys.status).toBe(200);
    expect(keys.text).not.toContain(ok.body.reveal.apiKey);
    const devKeys = await c.call('GET', '/developer-keys');
    expect(devKeys.text).not.toContain(ok.body.reveal.developerKey);
    // The revealed developer key works on the wire API.
    const wire = await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': ok.body.reveal.developerKey } });
    expect(wire.status).toBe(200);
  });

  it('an operator changes a developer’s tier; a developer cannot reach operator routes nor an operator developer routes', async () => {
    const op = await seedOperator(s.ctx);
    const o = new ConsoleClient(s);
    await o.signInOperator(op.key);
    const dev = await seedDeveloper(s.ctx);
    const list = await o.call('GET', `/operator/developers?search=${encodeURIComponent(dev.email)}`);
    expect(list.body.items.map((x: { email: string }) => x.email)).toEqual([dev.email]);
    const changed = await o.call('PUT', `/operator/developers/${dev.userId}/tier`, { tier: 'cloud_premium' });
    expect(changed.body.tier).toBe('cloud_premium');
    const bad = await o.call('PUT', `/operator/developers/${dev.userId}/tier`, { tier: 'gold' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields[0].field).toBe('tier');
    expect((await o.call('GET', '/projects')).status).toBe(403);
    const d = new ConsoleClient(s);
    await d.signIn(dev.email, PASSWORD);
    expect((await d.call('GET', '/operator/developers')).status).toBe(403);
    expect((await d.call('GET', '/dashboard')).body.tier.name).toBe('cloud_premium');
    expect((await o.signInOperator('op_not-a-real-key')).status).toBe(401);
  });

  it('licenses: the key is returned once at creation, then only masked; status filter on the server', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    await c.signIn(dev.email, PASSWORD);
    const p = (await c.call('POST', '/projects', { name: 'Licensed' })).body;
    const a = await c.call('POST', `/projects/${p.id}/licenses`, { title: 'A', maxDomains: 2 });
    expect(a.status).toBe(200);
    expect(a.body.key).toMatch(/^[0-9a-f-]{36}$/);
    const b = (await c.call('POST', `/projects/${p.id}/licenses`, { title: 'B' })).body;
    await c.call('POST', `/projects/${p.id}/licenses/${b.license.id}/revoke`);
    const all = await c.call('GET', `/projects/${p.id}/licenses`);
    expect(all.body.items).toHaveLength(2);
    expect(all.text).not.toContain(a.body.key);
    const revoked = await c.call('GET', `/projects/${p.id}/licenses?status=revoked`);
    expect(revoked.body.items.map((l: { title: string }) => l.title)).toEqual(['B']);
    const active = await c.call('GET', `/projects/${p.id}/licenses?status=active`);
    expect(active.body.items.map((l: { title: string }) => l.title)).toEqual(['A']);
    const dup = await c.call('POST', `/projects/${p.id}/licenses`, { title: 'A' });
    expect(dup.status).toBeGreaterThanOrEqual(400);
    expect(dup.status).toBeLessThan(500);
    expect(dup.body.error.fields[0].field).toBe('title');
  });

  it('licenses: seats (max devices, heartbeat interval, component match) are set at creation', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    await c.signIn(dev.email, PASSWORD);
    const p = (await c.call('POST', '/projects', { name: 'Seated' })).body;
    const made = await c.call('POST', `/projects/${p.id}/licenses`, {
      title: 'Seats',
      maxDevices: 3,
      heartbeatInterval: 600,
      componentMatch: 'all',
    });
    expect(made.status, made.text).toBe(200);
    expect(made.body.license).toMatchObject({ maxDevices: 3, heartbeatInterval: 600, componentMatch: 'all' });
    const plain = (await c.call('POST', `/projects/${p.id}/licenses`, { title: 'Plain' })).body;
    expect(plain.license).toMatchObject({ maxDevices: null, heartbeatInterval: null, componentMatch: 'any' });
  });

  it('deleting a project needs its exact name typed', async () => {
    const dev = await seedDeveloper(s.ctx);
    const c = new ConsoleClient(s);
    await c.signIn(dev.email, PASSWORD);
    const p = (await c.call('POST', '/projects', { name: 'Keep me' })).body;
    const wrong = await c.call('DELETE', `/projects/${p.id}`, { confirm: 'keep me' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields[0].field).toBe('confirm');
    expect((await c.call('GET', `/projects/${p.id}`)).status).toBe(200);
    expect((await c.call('DELETE', `/projects/${p.id}`, { confirm: 'Keep me' })).status).toBe(200);
    expect((await c.call('GET', `/projects/${p.id}`)).status).toBe(404);
  });

  it('serves the app at /console and deep links, with the CSP and no-framing headers', async () => {
    for (const p of ['/console', '/console/projects', '/console/projects/abc/keys']) {
      const r = await fetch(s.url + p);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(r.headers.get('content-security-policy')).toBe(
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
      );
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      const html = await r.text();
      expect(html).toContain('<div id="app">');
      expect(html).not.toMatch(/<script(?![^>]*src=)[^>]*>/);
    }
    const missing = await fetch(`${s.url}/console/assets/nope.js`);
    expect(missing.status).toBe(404);
    const api404 = await fetch(`${s.url}/console/api/nope`);
    expect(api404.status).toBe(404);
    expect((await api404.json()).error.code).toBe('not_found');
  });
});

describe('console cookie over plain HTTP elsewhere, and behind a TLS proxy', () => {
  let plain: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    plain = await startServer('sqlite', { env: { RATE_LIMIT: 'off', PUBLIC_URL: 'http://tollgate.internal:8080' } });
    proxied = await startServer('sqlite', { env: { RATE_LIMIT: 'off', TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await plain?.close();
    await proxied?.close();
  });

  it('plain HTTP to a non-loopback PUBLIC_URL: a plain cookie, the insecure banner flag, Origin must be PUBLIC_URL', async () => {
    const dev = await seedDeveloper(plain.ctx);
    const c = new ConsoleClient(plain, 'http://tollgate.internal:8080');
    expect((await c.call('GET', '/meta')).body.insecure).toBe(true);
    const r = await c.signIn(dev.email, PASSWORD);
    expect(r.status).toBe(200);
    expect(c.lastSetCookie).toMatch(/^tollgate_console=/);
    expect(c.lastSetCookie).not.toContain('Secure');
    expect(c.lastSetCookie).toContain('Path=/console');
    expect(c.lastSetCookie).toContain('HttpOnly');
    expect((await c.call('GET', '/me')).status).toBe(200);
    expect((await c.call('POST', '/projects', { name: 'x-origin' }, { origin: plain.url })).status).toBe(403);
  });

  it('behind a trusted TLS proxy: __Host- Secure cookie and the https Origin', async () => {
    const dev = await seedDeveloper(proxied.ctx);
    const res = await fetch(`${proxied.url}/console/api/sign-in`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-tollgate-console': '1',
        origin: 'https://tollgate.example.com',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'tollgate.example.com',
      },
      body: JSON.stringify({ email: dev.email, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()[0]).toMatch(/^__Host-tollgate_console=.*Secure/);
    const meta = await fetch(`${proxied.url}/console/api/meta`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'tollgate.example.com' },
    });
    expect((await meta.json()).insecure).toBe(false);
  });
});
