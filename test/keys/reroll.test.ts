import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLicensingServer, type LicensingServer } from '../licensing/fixtures.js';
import { forEachDatabase } from '../support/harness.js';
import { PASSWORD, seedDeveloper } from '../support/seed.js';
import { ConsoleClient } from '../console/client.js';

/**
 * Key reroll with an overlap (issue 21), over HTTP: a developer key, a project API key and a
 * license get a new secret; the old one works until the overlap ends (the server's clock is
 * moved past it), or not at all with 0; the event is recorded without the secret.
 */
forEachDatabase('key reroll with an overlap', (kind) => {
  let s: LicensingServer;
  beforeAll(async () => {
    s = await startLicensingServer(kind);
  });
  afterAll(async () => s?.close());

  /** The events and audit entries a reroll wrote, as text: they must never hold a secret. */
  async function recorded(type: string, targetId: string): Promise<string> {
    const events = await s.ctx.db.selectFrom('events').selectAll().where('type', '=', type).execute();
    const audit = await s.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', type)
      .where('target_id', '=', targetId)
      .execute();
    expect(audit).toHaveLength(2); // each test rerolls twice
    const mine = events.filter((e) => String(e.payload).includes(targetId));
    expect(mine).toHaveLength(2);
    return JSON.stringify({ mine, audit });
  }

  it('a developer key: new secret at once, old one until the overlap ends, 0 refuses it at once', async () => {
    const dev = s.dev;
    const made = await s.request('POST', '/api/v1/auth/developer-keys', {
      headers: dev.headers,
      body: { name: 'rolled' },
    });
    expect(made.status).toBe(201);
    const old = made.body.key as string;
    const asKey = (key: string) =>
      s.request('GET', '/api/v1/projects/', { headers: { ...dev.headers, 'x-developer-key': key } });
    const asApiKey = (key: string) => s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': key } });

    const rolled = await s.request('POST', `/api/v1/auth/developer-keys/${made.body.id}/reroll`, {
      headers: dev.headers,
      body: { overlap_seconds: 60 },
    });
    expect(rolled.status, rolled.text).toBe(200);
    expect(rolled.body).toMatchObject({ id: made.body.id, name: 'rolled', is_active: true });
    expect(rolled.body.key).toMatch(/^ak_[A-Za-z0-9_-]{32}$/);
    expect(rolled.body.key).not.toBe(old);
    expect(rolled.body.key_prefix).toBe(rolled.body.key.slice(0, 8));
    expect(Date.parse(rolled.body.previous_key_expires_at) - s.ctx.clock.now().getTime()).toBeGreaterThan(55_000);
    const fresh = rolled.body.key as string;
    for (const key of [fresh, old]) {
      expect((await asKey(key)).status).toBe(200);
      expect((await asApiKey(key)).status).toBe(200);
    }
    // The list shows the one key, not a second row.
    const list = (await s.request('GET', '/api/v1/auth/developer-keys', { headers: dev.headers })).body as Array<{
      id: string;
    }>;
    expect(list.filter((k) => k.id === made.body.id)).toHaveLength(1);

    s.later(61_000);
    expect((await asKey(old)).status).toBe(403);
    expect((await asApiKey(old)).status).toBe(403);
    expect((await asKey(fresh)).status).toBe(200);

    const again = await s.request('POST', `/api/v1/auth/developer-keys/${made.body.id}/reroll`, {
      headers: dev.headers,
      body: { overlap_seconds: 0 },
    });
    expect(again.status).toBe(200);
    expect(again.body.previous_key_expires_at).toBeNull();
    expect((await asKey(fresh)).status).toBe(403);
    expect((await asKey(again.body.key)).status).toBe(200);

    const text = await recorded('developer_key.rerolled', made.body.id);
    for (const secret of [old, fresh, again.body.key]) expect(text).not.toContain(secret);

    const other = await seedDeveloper(s.ctx);
    expect(
      await s.request('POST', `/api/v1/auth/developer-keys/${made.body.id}/reroll`, {
        headers: other.headers,
        body: { overlap_seconds: 0 },
      }),
    ).toMatchObject({
      status: 404,
      body: { detail: 'Developer key not found' },
    });
    expect((await asKey(again.body.key)).status).toBe(200);
  });

  it('a project API key: same id, name and project; the old key only during the overlap', async () => {
    const dev = s.dev;
    const project = (
      await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: `Rolled ${kind}` } })
    ).body;
    const base = `/api/v1/projects/${project.id}/api-keys`;
    const made = (await s.request('POST', base, { headers: dev.headers, body: { name: 'ci' } })).body;
    const use = (key: string) => s.request('GET', `/api/v1/project/${project.id}`, { headers: { 'x-api-key': key } });

    const rolled = await s.request('POST', `${base}/${made.id}/reroll`, {
      headers: dev.headers,
      body: { overlap_seconds: 30 },
    });
    expect(rolled.status, rolled.text).toBe(200);
    expect(rolled.body).toMatchObject({ id: made.id, name: 'ci', project_id: project.id });
    expect(rolled.body.key).not.toBe(made.key);
    expect((await use(made.key)).status).toBe(200);
    expect((await use(rolled.body.key)).status).toBe(200);
    s.later(31_000);
    expect((await use(made.key)).status).toBe(403);
    expect((await use(rolled.body.key)).status).toBe(200);

    const again = (
      await s.request('POST', `${base}/${made.id}/reroll`, { headers: dev.headers, body: { overlap_seconds: 0 } })
    ).body;
    expect((await use(rolled.body.key)).status).toBe(403);
    expect((await use(again.key)).status).toBe(200);

    const text = await recorded('project_key.rerolled', made.id);
    for (const secret of [made.key, rolled.body.key, again.key]) expect(text).not.toContain(secret);

    const other = await seedDeveloper(s.ctx);
    expect(
      (await s.request('POST', `${base}/${made.id}/reroll`, { headers: other.headers, body: { overlap_seconds: 0 } }))
        .status,
    ).toBe(404);
    const otherProject = (
      await s.request('POST', '/api/v1/projects/', { headers: other.headers, body: { name: 'Other' } })
    ).body;
    expect(
      await s.request('POST', `/api/v1/projects/${otherProject.id}/api-keys/${made.id}/reroll`, {
        headers: other.headers,
        body: { overlap_seconds: 0 },
      }),
    ).toMatchObject({
      status: 404,
      body: { detail: 'API key not found' },
    });
  });

  it('a license: keeps its id, limits and counters; the old key passes the check until the overlap ends', async () => {
    const project = await s.project();
    const { id, key: old } = await s.license(project, { max_usage_per_day: 100 });
    const check = async (key: string) =>
      (await s.request('POST', '/api/v1/project/has-paid', { headers: { 'x-license-key': key }, body: {} })).status;
    expect(await check(old)).toBe(200);

    const rolled = await s.request('POST', `/api/v1/project/${project}/licenses/${id}/reroll`, {
      headers: s.dev.apiKeyHeaders,
      body: { overlap_seconds: 120 },
    });
    expect(rolled.status, rolled.text).toBe(200);
    const data = rolled.body.data;
    expect(data).toMatchObject({ id, max_usage_per_day: 100, status: 'active' });
    expect(data.uuid).not.toBe(old);
    const fresh = data.uuid as string;
    expect(await check(fresh)).toBe(200);
    expect(await check(old)).toBe(200);
    // One license, one daily counter: the checks of both keys count together.
    const usage = await s.ctx.db
      .selectFrom('license_usage_days')
      .select('count')
      .where('license_id', '=', id)
      .execute();
    expect(usage.reduce((n, r) => n + Number(r.count), 0)).toBe(3);

    s.later(121_000);
    expect(await check(old)).toBe(403);
    expect(await check(fresh)).toBe(200);

    const again = (
      await s.request('POST', `/api/v1/project/${project}/licenses/${id}/reroll`, {
        headers: s.dev.apiKeyHeaders,
        body: { overlap_seconds: 0 },
      })
    ).body.data;
    expect(again.previous_key_expires_at).toBeNull();
    expect(await check(fresh)).toBe(403);
    expect(await check(again.uuid)).toBe(200);

    const text = await recorded('license.rerolled', id);
    for (const secret of [old, fresh, again.uuid]) expect(text).not.toContain(secret);

    const other = await seedDeveloper(s.ctx);
    const foreign = await s.request('POST', `/api/v1/project/${project}/licenses/${id}/reroll`, {
      headers: other.apiKeyHeaders,
      body: { overlap_seconds: 0 },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ status: 'error' });
    expect(await check(again.uuid)).toBe(200);
  });

  it("a license's old key checks out an offline license file during the overlap, not after", async () => {
    const project = await s.project();
    const { id, key: old } = await s.license(project);
    await s.request('POST', `/api/v1/project/${project}/licenses/${id}/reroll`, {
      headers: s.dev.apiKeyHeaders,
      body: { overlap_seconds: 60 },
    });
    const checkout = async (key: string) =>
      (await s.request('POST', '/api/v1/license/checkout', { headers: { 'x-license-key': key }, body: {} })).status;
    expect(await checkout(old)).toBe(200);
    s.later(60_000);
    expect(await checkout(old)).toBe(403);
  });

  it('a license without limits: a remembered pass of the old key does not outlive the overlap', async () => {
    const project = await s.project();
    const { id, key: old } = await s.license(project);
    const check = async (key: string) =>
      (await s.request('POST', '/api/v1/project/has-paid', { headers: { 'x-license-key': key }, body: {} })).status;
    const rolled = (
      await s.request('POST', `/api/v1/project/${project}/licenses/${id}/reroll`, {
        headers: s.dev.apiKeyHeaders,
        body: { overlap_seconds: 60 },
      })
    ).body.data;
    // Twice: the second check repeats the first's pass from memory.
    for (let i = 0; i < 2; i++) expect(await check(old)).toBe(200);
    s.later(60_000);
    expect(await check(old)).toBe(403);
    expect(await check(rolled.uuid)).toBe(200);
  });

  it("refuses an overlap out of range with 422 in each face's format", async () => {
    const dev = s.dev;
    const made = (await s.request('POST', '/api/v1/auth/developer-keys', { headers: dev.headers, body: {} })).body;
    const project = await s.project();
    const license = await s.license(project);
    for (const body of [
      { overlap_seconds: -1 },
      { overlap_seconds: 30 * 86400 + 1 },
      { overlap_seconds: 1.5 },
      { overlap_seconds: '60' },
      {},
      { overlap_seconds: 1, other: 1 },
    ]) {
      const devkit = await s.request('POST', `/api/v1/auth/developer-keys/${made.id}/reroll`, {
        headers: dev.headers,
        body,
      });
      expect(devkit.status, JSON.stringify(body)).toBe(422);
      expect(devkit.body.detail, devkit.text).toEqual(expect.any(Array));
      const devpayr = await s.request('POST', `/api/v1/project/${project}/licenses/${license.id}/reroll`, {
        headers: dev.apiKeyHeaders,
        body,
      });
      expect(devpayr.status, JSON.stringify(body)).toBe(422);
      expect(devpayr.body).toMatchObject({ status: 'error', errors: expect.anything() });
    }
    // Nothing changed: the license's key still passes.
    expect(
      (await s.request('POST', '/api/v1/project/has-paid', { headers: { 'x-license-key': license.key }, body: {} }))
        .status,
    ).toBe(200);
    expect(
      (
        await s.request('POST', `/api/v1/auth/developer-keys/${made.id}/reroll`, {
          headers: dev.headers,
          body: { overlap_seconds: 30 * 86400 },
        })
      ).status,
    ).toBe(200);
  });

  it('the console: Reroll of a developer key, a project key and a license, the secret shown once', async () => {
    const c = new ConsoleClient(s);
    expect((await c.signIn(s.dev.email, PASSWORD)).status).toBe(200);
    const project = await s.project();
    const license = await s.license(project);
    const projectKey = (await c.call('POST', `/projects/${project}/keys`, { name: 'console' })).body;
    const devKey = (await c.call('POST', '/developer-keys', { name: 'console' })).body;

    const l = await c.call('POST', `/projects/${project}/licenses/${license.id}/reroll`, { overlapSeconds: 0 });
    expect(l.status, l.text).toBe(200);
    expect(l.body).toMatchObject({ license: { id: license.id }, previousKeyExpiresAt: null });
    const check = async (key: string) =>
      (await s.request('POST', '/api/v1/project/has-paid', { headers: { 'x-license-key': key }, body: {} })).status;
    expect(await check(l.body.secret)).toBe(200);
    expect(await check(license.key)).toBe(403);

    const k = await c.call('POST', `/projects/${project}/keys/${projectKey.key.id}/reroll`, { overlapSeconds: 600 });
    expect(k.status, k.text).toBe(200);
    expect(k.body.key.id).toBe(projectKey.key.id);
    expect(k.body.previousKeyExpiresAt).toEqual(expect.any(String));
    for (const key of [k.body.secret, projectKey.secret])
      expect((await s.request('GET', `/api/v1/project/${project}`, { headers: { 'x-api-key': key } })).status).toBe(
        200,
      );

    const d = await c.call('POST', `/developer-keys/${devKey.key.id}/reroll`, { overlapSeconds: 0 });
    expect(d.status, d.text).toBe(200);
    expect((await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': d.body.secret } })).status).toBe(200);
    // Listed again by prefix only.
    expect((await c.call('GET', '/developer-keys')).text).not.toContain(d.body.secret);

    const bad = await c.call('POST', `/developer-keys/${devKey.key.id}/reroll`, { overlapSeconds: -5 });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields[0].field).toBe('overlapSeconds');
  });
});
