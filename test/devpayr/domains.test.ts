import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { eventsOf, expectEnvelopeError, seedTenant, type Tenant } from './licenses-fixtures.js';

forEachDatabase('devpayr domains', (kind) => {
  let s: TestServer;
  let t: Tenant;
  let key: Record<string, string>;
  const list = () => `/api/v1/project/${t.projectId}/domains`;
  const create = (body: unknown, headers = key) =>
    s.request('POST', `/api/v1/project/${t.projectId}/domains`, { headers, body });

  beforeAll(async () => {
    s = await startServer(kind);
    t = await seedTenant(s);
    key = t.dev.apiKeyHeaders;
  });
  afterAll(async () => s?.close());

  it('registers a domain in normalised form with the documented defaults, and records domain.created', async () => {
    const res = await create({ domain: 'Shop.Example.COM.' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'success', errors: null });
    expect(Object.keys(res.body.data).sort()).toEqual(
      [
        'created_at',
        'domain',
        'environment',
        'has_paid',
        'id',
        'is_active',
        'is_primary',
        'is_verified',
        'project_id',
        'updated_at',
      ].sort(),
    );
    expect(res.body.data).toMatchObject({
      project_id: t.projectId,
      domain: 'shop.example.com',
      environment: 'production',
      has_paid: false,
      is_active: true,
      is_primary: false,
      is_verified: false,
      updated_at: null,
    });
    // The event's data is the object as this face shows it.
    expect(await eventsOf(s, t.projectId, 'domain.created')).toContainEqual(res.body.data);
    for (const domain of ['localhost:3000', '127.0.0.1:8080', '[::1]:8443', 'xn--bcher-kva.de']) {
      const r = await create({ domain, environment: 'development' });
      expect(r.status).toBe(201);
      expect(r.body.data.domain).toBe(domain);
    }
  });

  it('refuses duplicates, wildcards, schemes, paths and unknown environments with 422', async () => {
    await create({ domain: 'dup.example.com' });
    expectEnvelopeError(
      await create({ domain: 'DUP.example.com' }),
      422,
      'domain',
      'The domain has already been taken.',
    );
    expectEnvelopeError(await create({ domain: '*.example.com' }), 422, 'domain', /wildcard/);
    expectEnvelopeError(await create({ domain: 'https://example.com' }), 422, 'domain');
    expectEnvelopeError(await create({ domain: 'example.com/path' }), 422, 'domain');
    expectEnvelopeError(await create({ domain: 'example.com:8080' }), 422, 'domain');
    expectEnvelopeError(await create({ domain: 'not a host' }), 422, 'domain');
    expectEnvelopeError(await create({ domain: '' }), 422, 'domain');
    expectEnvelopeError(await create({}), 422, 'domain');
    expectEnvelopeError(await create({ domain: 'env.example.com', environment: 'qa' }), 422, 'environment');
    expectEnvelopeError(await create({ domain: 'flag.example.com', has_paid: 'yes' }), 422, 'has_paid');
  });

  it('keeps one primary per project: promoting a domain demotes the previous primary', async () => {
    const t2 = await seedTenant(s);
    const h = t2.dev.apiKeyHeaders;
    const base = `/api/v1/project/${t2.projectId}`;
    const a = (
      await s.request('POST', `${base}/domains`, { headers: h, body: { domain: 'a.example.com', is_primary: true } })
    ).body.data;
    const b = (
      await s.request('POST', `${base}/domains`, { headers: h, body: { domain: 'b.example.com', is_primary: true } })
    ).body.data;
    expect(b.is_primary).toBe(true);
    expect((await s.request('GET', `${base}/domain/${a.id}`, { headers: h })).body.data.is_primary).toBe(false);
    const promoted = await s.request('PUT', `${base}/domain/${a.id}`, { headers: h, body: { is_primary: true } });
    expect(promoted.body.data.is_primary).toBe(true);
    const rows = await s.ctx.db
      .selectFrom('domains')
      .select(['id', 'is_primary'])
      .where('project_id', '=', t2.projectId)
      .execute();
    expect(rows.filter((r) => Boolean(r.is_primary)).map((r) => r.id)).toEqual([a.id]);
  });

  it('serves show, update and delete on both the singular and the plural path', async () => {
    for (const segment of ['domain', 'domains']) {
      const d = (await create({ domain: `${segment}.spelling.example.com` })).body.data;
      const path = `/api/v1/project/${t.projectId}/${segment}/${d.id}`;
      const shown = await s.request('GET', path, { headers: key });
      expect(shown.status).toBe(200);
      expect(shown.body.data.id).toBe(d.id);
      const updated = await s.request('PUT', path, {
        headers: key,
        body: { environment: 'staging', is_verified: true, domain: `renamed-${segment}.example.com` },
      });
      expect(updated.status).toBe(200);
      expect(updated.body.data).toMatchObject({
        environment: 'staging',
        is_verified: true,
        domain: `renamed-${segment}.example.com`,
      });
      expect(updated.body.data.updated_at).toEqual(expect.any(String));
      const deleted = await s.request('DELETE', path, { headers: key });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ status: 'success', data: null, errors: null });
      expectEnvelopeError(await s.request('GET', path, { headers: key }), 404);
      expect(await eventsOf(s, t.projectId, 'domain.deleted')).toContainEqual(updated.body.data);
    }
  });

  it('records domain.updated with the domain as shown after each update', async () => {
    const d = (await create({ domain: 'paid.example.com' })).body.data;
    const path = `/api/v1/project/${t.projectId}/domain/${d.id}`;
    const paid = await s.request('PUT', path, { headers: key, body: { has_paid: true } });
    expect(paid.body.data.has_paid).toBe(true);
    expect((await eventsOf(s, t.projectId, 'domain.updated')).filter((e) => e.id === d.id)).toEqual([paid.body.data]);
  });

  it('answers bad updates with 422 and leaves the domain as it was', async () => {
    const d = (await create({ domain: 'stable.example.com' })).body.data;
    await create({ domain: 'other-stable.example.com' });
    const path = `/api/v1/project/${t.projectId}/domain/${d.id}`;
    expectEnvelopeError(
      await s.request('PUT', path, { headers: key, body: { domain: 'other-stable.example.com' } }),
      422,
      'domain',
      'The domain has already been taken.',
    );
    expectEnvelopeError(await s.request('PUT', path, { headers: key, body: { domain: '*.x.com' } }), 422, 'domain');
    expectEnvelopeError(
      await s.request('PUT', path, { headers: key, body: { environment: 'prod' } }),
      422,
      'environment',
    );
    expect((await s.request('GET', path, { headers: key })).body.data).toMatchObject({
      domain: 'stable.example.com',
      environment: 'production',
    });
  });

  it('keeps a domain that a license is pinned to', async () => {
    const d = (await create({ domain: 'pinned-keep.example.com' })).body.data;
    const l = await s.request('POST', `/api/v1/project/${t.projectId}/licenses`, {
      headers: key,
      body: { title: 'Pinned keep', domain_id: d.id },
    });
    expect(l.status).toBe(201);
    expectEnvelopeError(
      await s.request('DELETE', `/api/v1/project/${t.projectId}/domains/${d.id}`, { headers: key }),
      422,
      'domain',
    );
    expect((await s.request('GET', `/api/v1/project/${t.projectId}/domain/${d.id}`, { headers: key })).status).toBe(
      200,
    );
  });

  it('lists newest first with a cursor', async () => {
    const t2 = await seedTenant(s);
    const h = t2.dev.apiKeyHeaders;
    for (const n of ['one', 'two', 'three'])
      await s.request('POST', `/api/v1/project/${t2.projectId}/domains`, {
        headers: h,
        body: { domain: `${n}.example.org` },
      });
    const expected = (
      await s.ctx.db
        .selectFrom('domains')
        .select('id')
        .where('project_id', '=', t2.projectId)
        .orderBy('id', 'desc')
        .execute()
    ).map((r) => r.id);
    const first = await s.request('GET', `/api/v1/project/${t2.projectId}/domains?per_page=2&action=check_project`, {
      headers: h,
    });
    expect(first.status).toBe(200);
    expect(first.body.data.data.map((d: { id: string }) => d.id)).toEqual(expected.slice(0, 2));
    const rest = await s.request(
      'GET',
      `/api/v1/project/${t2.projectId}/domains?per_page=2&cursor=${first.body.data.next_cursor}`,
      { headers: h },
    );
    expect(rest.body.data).toEqual({ data: [expect.objectContaining({ id: expected[2] })], next_cursor: null });
  });

  it("never lets another developer's key or another project's key see or change the project's domains", async () => {
    const d = (await create({ domain: 'guarded.example.com' })).body.data;
    const other = await seedTenant(s);
    const cases: Array<[string, string, unknown]> = [
      ['GET', list(), undefined],
      ['POST', list(), { domain: 'intruder.example.com' }],
      ['GET', `/api/v1/project/${t.projectId}/domain/${d.id}`, undefined],
      ['PUT', `/api/v1/project/${t.projectId}/domain/${d.id}`, { has_paid: true }],
      ['DELETE', `/api/v1/project/${t.projectId}/domains/${d.id}`, undefined],
    ];
    for (const [method, path, body] of cases) {
      expectEnvelopeError(await s.request(method, path, { body }), 401);
      expectEnvelopeError(await s.request(method, path, { headers: { 'x-api-key': 'ak_bogus' }, body }), 403);
      expectEnvelopeError(await s.request(method, path, { headers: other.dev.apiKeyHeaders, body }), 404);
      expectEnvelopeError(await s.request(method, path, { headers: { 'x-api-key': t.otherProjectKey }, body }), 403);
    }
    expectEnvelopeError(await s.request('POST', list()), 401);
    expectEnvelopeError(
      await s.request('PUT', `/api/v1/project/${t.projectId}/domain/${d.id}`, {
        headers: { 'x-api-key': 'ak_bogus' },
        body: { environment: 'nope' },
      }),
      403,
    );
    expectEnvelopeError(
      await s.request('GET', `/api/v1/project/${t.otherProjectId}/domain/${d.id}`, { headers: key }),
      404,
    );
    expectEnvelopeError(
      await s.request('PUT', `/api/v1/project/${other.projectId}/domain/${d.id}`, {
        headers: other.dev.apiKeyHeaders,
        body: { has_paid: true },
      }),
      404,
    );
    const after = (
      await s.request('GET', `/api/v1/project/${t.projectId}/domain/${d.id}`, {
        headers: { 'x-api-key': t.projectKey },
      })
    ).body.data;
    expect(after).toMatchObject({ id: d.id, has_paid: false });
  });

  it('leaves exactly one primary when several domains are promoted at once', async () => {
    const t2 = await seedTenant(s);
    const h = t2.dev.apiKeyHeaders;
    const url = `/api/v1/project/${t2.projectId}/domains`;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        s.request('POST', url, { headers: h, body: { domain: `p${n}.example.net`, is_primary: true } }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const rows = await s.ctx.db
      .selectFrom('domains')
      .select(['is_primary'])
      .where('project_id', '=', t2.projectId)
      .execute();
    expect(rows).toHaveLength(6);
    expect(rows.filter((r) => Boolean(r.is_primary))).toHaveLength(1);
  });
});
