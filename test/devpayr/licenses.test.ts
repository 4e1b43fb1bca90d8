import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashKey } from '../../src/core/keys/secret-key.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { eventsOf, expectEnvelopeError, seedTenant, type Tenant } from './licenses-fixtures.js';

const FUTURE = '2099-01-01T00:00:00.000Z';

forEachDatabase('devpayr licenses', (kind) => {
  let s: TestServer;
  let t: Tenant;
  let key: Record<string, string>;
  const base = () => `/api/v1/project/${t.projectId}/licenses`;
  const create = (body: unknown, headers = key) =>
    s.request('POST', `/api/v1/project/${t.projectId}/licenses`, { headers, body });

  beforeAll(async () => {
    s = await startServer(kind);
    t = await seedTenant(s);
    key = t.dev.apiKeyHeaders;
  });
  afterAll(async () => s?.close());

  it('creates a license, shows the full key once as uuid, stores only its hash, and records the event', async () => {
    const res = await create({
      title: 'Pro seat',
      expires_at: FUTURE,
      max_domains: 3,
      max_subdomains_per_domain: 0,
      max_usage_per_day: null,
      allowed_ips: '10.0.0.1, 192.168.0.0/16',
      allowed_countries: ['ng', 'US'],
      is_test_license: true,
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('success');
    expect(res.body.errors).toBeNull();
    const l = res.body.data;
    expect(l.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(l).toMatchObject({
      project_id: t.projectId,
      title: 'Pro seat',
      status: 'active',
      key_prefix: `${l.uuid.slice(0, 8)}…`,
      expires_at: FUTURE,
      max_domains: 3,
      max_subdomains_per_domain: 0,
      max_usage_per_day: null,
      allowed_ips: '10.0.0.1,192.168.0.0/16',
      allowed_countries: 'NG,US',
      is_test_license: true,
      revoked_at: null,
    });
    const row = await s.ctx.db.selectFrom('licenses').selectAll().where('id', '=', l.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashKey(l.uuid));
    expect(JSON.stringify(row)).not.toContain(l.uuid);
    const events = await eventsOf(s, t.projectId, 'license.created');
    // The license as this face shows it, without its key, masked or not.
    const event = events.find((e) => e.id === l.id)!;
    expect(event).toMatchObject({ project_id: t.projectId, title: 'Pro seat', status: 'active', expires_at: FUTURE });
    expect(event).not.toHaveProperty('key_prefix');
    expect(JSON.stringify(event)).not.toContain(l.uuid);
    expect(JSON.stringify(events)).not.toContain(l.uuid);

    const shown = await s.request('GET', `${base()}/${l.id}`, { headers: key });
    expect(shown.status).toBe(200);
    expect(shown.body.data.uuid).toBeUndefined();
    expect(shown.text).not.toContain(l.uuid);
    expect(shown.body.data).toMatchObject({ id: l.id, status: 'active', key_prefix: l.key_prefix });
  });

  it('lists newest first in cursor pages, ignoring the query parameters clients always append', async () => {
    const t2 = await seedTenant(s);
    for (let i = 0; i < 5; i++) {
      const r = await s.request('POST', `/api/v1/project/${t2.projectId}/licenses`, {
        headers: t2.dev.apiKeyHeaders,
        body: { title: `Seat ${i}` },
      });
      expect(r.status).toBe(201);
    }
    const all = await s.ctx.db
      .selectFrom('licenses')
      .select('id')
      .where('project_id', '=', t2.projectId)
      .orderBy('id', 'desc')
      .execute();
    const ids = all.map((r) => r.id);
    const url = `/api/v1/project/${t2.projectId}/licenses?include=injectables&action=check_project`;
    const first = await s.request('GET', `${url}&per_page=2`, { headers: t2.dev.apiKeyHeaders });
    expect(first.status).toBe(200);
    expect(first.body.data.data.map((l: { id: string }) => l.id)).toEqual(ids.slice(0, 2));
    expect(first.text).not.toMatch(/"uuid"/);
    const second = await s.request('GET', `${url}&per_page=2&cursor=${first.body.data.next_cursor}`, {
      headers: t2.dev.apiKeyHeaders,
    });
    expect(second.body.data.data.map((l: { id: string }) => l.id)).toEqual(ids.slice(2, 4));
    const last = await s.request('GET', `${url}&per_page=2&cursor=${second.body.data.next_cursor}`, {
      headers: t2.dev.apiKeyHeaders,
    });
    expect(last.body.data.data.map((l: { id: string }) => l.id)).toEqual(ids.slice(4));
    expect(last.body.data.next_cursor).toBeNull();
    const whole = await s.request('GET', url, { headers: t2.dev.apiKeyHeaders });
    expect(whole.body.data.data).toHaveLength(5);
    expect(whole.body.data.next_cursor).toBeNull();
    expectEnvelopeError(
      await s.request('GET', `${url}&cursor=not-a-cursor`, { headers: t2.dev.apiKeyHeaders }),
      422,
      'cursor',
    );
  });

  it('revokes only an active license and reactivates only a revoked, unexpired one, recording each change', async () => {
    const l = (await create({ title: 'Revocable' })).body.data;
    const revoked = await s.request('POST', `${base()}/${l.id}/revoke`, { headers: key, body: {} });
    expect(revoked.status).toBe(200);
    expect(revoked.body.data).toMatchObject({ id: l.id, status: 'revoked' });
    expect(revoked.body.data.revoked_at).toEqual(expect.any(String));
    expectEnvelopeError(await s.request('POST', `${base()}/${l.id}/revoke`, { headers: key }), 403);

    const back = await s.request('POST', `${base()}/${l.id}/reactivate`, {
      headers: { ...key, 'content-type': 'application/json' },
      rawBody: '[]',
    });
    expect(back.status).toBe(200);
    expect(back.body.data).toMatchObject({ status: 'active', revoked_at: null });
    expectEnvelopeError(await s.request('POST', `${base()}/${l.id}/reactivate`, { headers: key }), 403);

    expect((await eventsOf(s, t.projectId, 'license.revoked')).map((e) => e.id)).toEqual([l.id]);
    expect((await eventsOf(s, t.projectId, 'license.reactivated')).map((e) => e.id)).toEqual([l.id]);
  });

  it('derives "expired" at read time; an expired license can be neither revoked nor reactivated', async () => {
    const a = (await create({ title: 'Lapsed active' })).body.data;
    const b = (await create({ title: 'Lapsed revoked' })).body.data;
    await s.request('POST', `${base()}/${b.id}/revoke`, { headers: key });
    const past = new Date(Date.now() - 60_000);
    await s.ctx.db.updateTable('licenses').set({ expires_at: past }).where('id', 'in', [a.id, b.id]).execute();

    expect((await s.request('GET', `${base()}/${a.id}`, { headers: key })).body.data.status).toBe('expired');
    expect((await s.request('GET', `${base()}/${b.id}`, { headers: key })).body.data.status).toBe('revoked');
    expectEnvelopeError(await s.request('POST', `${base()}/${a.id}/revoke`, { headers: key }), 403);
    expectEnvelopeError(await s.request('POST', `${base()}/${b.id}/reactivate`, { headers: key }), 403);
  });

  it('deletes with 200 and the envelope (never 204), then answers 404', async () => {
    const l = (await create({ title: 'Doomed' })).body.data;
    const res = await s.request('DELETE', `${base()}/${l.id}`, { headers: key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'success', data: null, errors: null });
    expectEnvelopeError(await s.request('GET', `${base()}/${l.id}`, { headers: key }), 404);
    expectEnvelopeError(await s.request('DELETE', `${base()}/${l.id}`, { headers: key }), 404);
    expect((await eventsOf(s, t.projectId, 'license.deleted')).map((e) => e.id)).toEqual([l.id]);
  });

  it('answers bad input with 422 and field messages', async () => {
    await create({ title: 'Taken title' });
    expectEnvelopeError(await create({ title: 'Taken title' }), 422, 'title', 'The title has already been taken.');
    expectEnvelopeError(await create({}), 422, 'title', 'The title field is required.');
    expectEnvelopeError(await create({ title: '   ' }), 422, 'title');
    expectEnvelopeError(await create({ title: 'x'.repeat(256) }), 422, 'title');
    expectEnvelopeError(await create({ title: 'Past', expires_at: '2001-01-01' }), 422, 'expires_at');
    expectEnvelopeError(await create({ title: 'Garbage date', expires_at: 'tomorrow' }), 422, 'expires_at');
    expectEnvelopeError(
      await create({ title: 'No such day', expires_at: '2099-02-30' }),
      422,
      'expires_at',
      'The expires at is not a valid date.',
    );
    expectEnvelopeError(await create({ title: 'Negative', max_domains: -1 }), 422, 'max_domains');
    expectEnvelopeError(await create({ title: 'Fraction', max_usage_per_day: 1.5 }), 422, 'max_usage_per_day');
    expectEnvelopeError(
      await create({ title: 'Text limit', max_subdomains_per_domain: '3' }),
      422,
      'max_subdomains_per_domain',
    );
    expectEnvelopeError(await create({ title: 'Bad IP', allowed_ips: '10.0.0.1,999.1.1.1' }), 422, 'allowed_ips');
    expectEnvelopeError(await create({ title: 'Bad country', allowed_countries: 'US,USA' }), 422, 'allowed_countries');
    expectEnvelopeError(await create({ title: 'Bad flag', is_test_license: 'yes' }), 422, 'is_test_license');
    expectEnvelopeError(await create({ title: 'Bad domain', domain_id: 'nope' }), 422, 'domain_id');
    const malformed = await s.request('POST', base(), {
      headers: { ...key, 'content-type': 'application/json' },
      rawBody: '{"title":',
    });
    expectEnvelopeError(malformed, 400);
    expect(
      await eventsOf(s, t.projectId, 'license.created').then((e) => e.filter((x) => String(x.title).startsWith('Bad'))),
    ).toEqual([]);
  });

  it("pins only to one of the project's own domains", async () => {
    const own = await s.request('POST', `/api/v1/project/${t.projectId}/domains`, {
      headers: key,
      body: { domain: 'pinned.example.com' },
    });
    const foreign = await s.request('POST', `/api/v1/project/${t.otherProjectId}/domains`, {
      headers: key,
      body: { domain: 'elsewhere.example.com' },
    });
    expect(own.status).toBe(201);
    expect(foreign.status).toBe(201);
    expectEnvelopeError(await create({ title: 'Foreign pin', domain_id: foreign.body.data.id }), 422, 'domain_id');
    const ok = await create({ title: 'Own pin', domain_id: own.body.data.id });
    expect(ok.status).toBe(201);
    expect(ok.body.data.domain_id).toBe(own.body.data.id);
  });

  it('refuses missing, bad, foreign and other-project keys as the spec says', async () => {
    const l = (await create({ title: 'Guarded' })).body.data;
    const other = await seedTenant(s);
    const paths: Array<[string, string]> = [
      ['GET', base()],
      ['POST', base()],
      ['GET', `${base()}/${l.id}`],
      ['DELETE', `${base()}/${l.id}`],
      ['POST', `${base()}/${l.id}/revoke`],
      ['POST', `${base()}/${l.id}/reactivate`],
    ];
    for (const [method, path] of paths) {
      const body = method === 'POST' && path === base() ? { title: 'Intruder' } : undefined;
      const none = await s.request(method, path, { body });
      expectEnvelopeError(none, 401);
      expect(none.body.message).toBe('Missing required X-API-KEY header.');
      expectEnvelopeError(await s.request(method, path, { headers: { 'x-api-key': 'ak_not-a-real-key' }, body }), 403);
      // Another developer's global key: the project does not exist for them.
      expectEnvelopeError(await s.request(method, path, { headers: other.dev.apiKeyHeaders, body }), 404);
      // A project-scoped key of another project, same owner: refused for this project.
      expectEnvelopeError(await s.request(method, path, { headers: { 'x-api-key': t.otherProjectKey }, body }), 403);
      expectEnvelopeError(await s.request(method, path, { headers: { 'x-api-key': other.projectKey }, body }), 403);
    }
    // Credentials are checked before the body: no key and a bad body is still a 401.
    expectEnvelopeError(await s.request('POST', base(), { body: { title: 42 } }), 401);
    expectEnvelopeError(await s.request('POST', base()), 401);
    // A license of project A named under project B (same owner) is not found there.
    expectEnvelopeError(
      await s.request('GET', `/api/v1/project/${t.otherProjectId}/licenses/${l.id}`, { headers: key }),
      404,
    );
    expectEnvelopeError(
      await s.request('POST', `/api/v1/project/${t.otherProjectId}/licenses/${l.id}/revoke`, { headers: key }),
      404,
    );
    expect((await s.request('GET', `${base()}/${l.id}`, { headers: key })).body.data.status).toBe('active');
    const titles = await s.ctx.db.selectFrom('licenses').select('title').where('title', '=', 'Intruder').execute();
    expect(titles).toEqual([]);
  });

  it('lets a project-scoped key manage licenses of its own project', async () => {
    const scoped = { 'x-api-key': t.projectKey };
    const res = await create({ title: 'Scoped create' }, scoped);
    expect(res.status).toBe(201);
    expect((await s.request('GET', `${base()}/${res.body.data.id}`, { headers: scoped })).status).toBe(200);
    expect((await s.request('POST', `${base()}/${res.body.data.id}/revoke`, { headers: scoped })).status).toBe(200);
  });

  it('shows each runtime identifier the license was used from, with first/last seen and a count', async () => {
    const t2 = await seedTenant(s);
    await s.ctx.db.updateTable('projects').set({ has_paid: true }).where('id', '=', t2.projectId).execute();
    const l = (
      await s.request('POST', `/api/v1/project/${t2.projectId}/licenses`, {
        headers: t2.dev.apiKeyHeaders,
        body: { title: 'Roaming', max_domains: 5 },
      })
    ).body.data;
    const check = (domain: string) =>
      s.request('POST', '/api/v1/project/has-paid', {
        headers: { 'x-license-key': l.uuid, 'x-devpayr-domain': domain },
        body: {},
      });
    for (const domain of ['https://App.Example.com/path', 'app.example.com', 'shop.example.org'])
      expect((await check(domain)).status).toBe(200);
    const shown = await s.request('GET', `/api/v1/project/${t2.projectId}/licenses/${l.id}`, {
      headers: t2.dev.apiKeyHeaders,
    });
    expect(shown.status).toBe(200);
    const byName = Object.fromEntries(
      shown.body.data.identifiers.map((i: { identifier: string }) => [i.identifier, i]),
    );
    expect(Object.keys(byName).sort()).toEqual(['app.example.com', 'shop.example.org']);
    expect(byName['app.example.com'].base_domain).toBe('example.com');
    expect(byName['shop.example.org'].base_domain).toBe('example.org');

    // Use counts are written by the runtime's batched recorder; the display of a known row is exact.
    const firstSeen = new Date('2026-01-01T00:00:00.000Z');
    const lastSeen = new Date('2026-02-01T00:00:00.000Z');
    await s.ctx.db
      .updateTable('license_identifiers')
      .set({ use_count: 7, first_seen_at: firstSeen, last_seen_at: lastSeen })
      .where('license_id', '=', l.id)
      .where('identifier', '=', 'shop.example.org')
      .execute();
    const again = await s.request('GET', `/api/v1/project/${t2.projectId}/licenses/${l.id}`, {
      headers: t2.dev.apiKeyHeaders,
    });
    expect(again.body.data.identifiers).toContainEqual({
      identifier: 'shop.example.org',
      base_domain: 'example.org',
      first_seen_at: firstSeen.toISOString(),
      last_seen_at: lastSeen.toISOString(),
      count: 7,
    });
  });

  it('revokes once under concurrent revokes: one 200, the rest 403, one event', async () => {
    const l = (await create({ title: 'Raced' })).body.data;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => s.request('POST', `${base()}/${l.id}/revoke`, { headers: key })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 403)).toHaveLength(7);
    expect((await eventsOf(s, t.projectId, 'license.revoked')).filter((e) => e.id === l.id)).toHaveLength(1);
  });

  it('keeps titles unique under concurrent creates', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => create({ title: 'Contended' })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201))
      expectEnvelopeError(r, 422, 'title', 'The title has already been taken.');
  });
});
