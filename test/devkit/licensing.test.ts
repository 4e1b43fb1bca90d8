import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashKey } from '../../src/core/keys/secret-key.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { eventsOf, openDelivery, seedTenant, type Tenant } from '../devpayr/licenses-fixtures.js';

const SECRET = 'devkit-secret-123';

forEachDatabase('devkit licensing (licenses, domains, injectables)', (kind) => {
  let s: TestServer;
  let t: Tenant;
  let h: Record<string, string>;
  const p = () => `/api/v1/projects/${t.projectId}`;

  beforeAll(async () => {
    s = await startServer(kind);
    t = await seedTenant(s);
    h = t.dev.headers;
  });
  afterAll(async () => s?.close());

  it('manages a license through its whole life', async () => {
    const created = await s.request('POST', `${p()}/licenses`, {
      headers: h,
      body: { title: 'Devkit seat', max_domains: 2, allowed_countries: 'de' },
    });
    expect(created.status).toBe(201);
    const l = created.body;
    expect(l.license_key).toMatch(/^[0-9a-f-]{36}$/);
    expect(l).toMatchObject({
      project_id: t.projectId,
      title: 'Devkit seat',
      status: 'active',
      max_domains: 2,
      allowed_countries: 'DE',
      key_prefix: `${l.license_key.slice(0, 8)}…`,
    });
    const row = await s.ctx.db
      .selectFrom('licenses')
      .select('key_hash')
      .where('id', '=', l.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashKey(l.license_key));

    const listed = await s.request('GET', `${p()}/licenses?limit=50`, { headers: h });
    expect(listed.status).toBe(200);
    expect(listed.body.licenses.map((x: { id: string }) => x.id)).toContain(l.id);
    expect(listed.text).not.toContain(l.license_key);
    const got = await s.request('GET', `${p()}/licenses/${l.id}`, { headers: h });
    expect(got.body).not.toHaveProperty('license_key');

    expect((await s.request('POST', `${p()}/licenses/${l.id}/revoke`, { headers: h })).body.status).toBe('revoked');
    const again = await s.request('POST', `${p()}/licenses/${l.id}/revoke`, { headers: h });
    expect(again.status).toBe(403);
    expect(typeof again.body.detail).toBe('string');
    expect((await s.request('POST', `${p()}/licenses/${l.id}/reactivate`, { headers: h })).body.status).toBe('active');
    expect((await s.request('POST', `${p()}/licenses/${l.id}/reactivate`, { headers: h })).status).toBe(403);

    const del = await s.request('DELETE', `${p()}/licenses/${l.id}`, { headers: h });
    expect(del.status).toBe(204);
    expect((await s.request('GET', `${p()}/licenses/${l.id}`, { headers: h })).body).toEqual({
      detail: 'License not found',
    });
    for (const type of ['license.created', 'license.revoked', 'license.reactivated', 'license.deleted']) {
      expect((await eventsOf(s, t.projectId, type)).map((e) => e.id)).toContain(l.id);
    }
  });

  it('answers bad license input FastAPI-style', async () => {
    await s.request('POST', `${p()}/licenses`, { headers: h, body: { title: 'Dup' } });
    const dup = await s.request('POST', `${p()}/licenses`, { headers: h, body: { title: 'Dup' } });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ detail: 'The title has already been taken.' });
    const bad = await s.request('POST', `${p()}/licenses`, {
      headers: h,
      body: { title: 'Bad', max_domains: -1, surprise: 1 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.detail.map((d: { loc: string[] }) => d.loc.join('.'))).toEqual(
      expect.arrayContaining(['body.max_domains', 'body.surprise']),
    );
    const past = await s.request('POST', `${p()}/licenses`, {
      headers: h,
      body: { title: 'Past', expires_at: '2000-01-01' },
    });
    expect(past.status).toBe(422);
    expect(past.body.detail[0]).toMatchObject({ loc: ['body', 'expires_at'], type: 'after' });
    const page = await s.request('GET', `${p()}/licenses?limit=51`, { headers: h });
    expect(page.status).toBe(422);
  });

  it('manages domains, demoting the previous primary', async () => {
    const a = await s.request('POST', `${p()}/domains`, {
      headers: h,
      body: { domain: 'App.Example.com', is_primary: true },
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      domain: 'app.example.com',
      environment: 'production',
      is_primary: true,
      has_paid: false,
    });
    const b = await s.request('POST', `${p()}/domains`, {
      headers: h,
      body: { domain: 'localhost:5173', environment: 'development', is_primary: true },
    });
    expect(b.status).toBe(201);
    expect((await s.request('GET', `${p()}/domains/${a.body.id}`, { headers: h })).body.is_primary).toBe(false);
    const paid = await s.request('PATCH', `${p()}/domains/${a.body.id}`, { headers: h, body: { has_paid: true } });
    expect(paid.body.has_paid).toBe(true);
    expect((await eventsOf(s, t.projectId, 'domain.updated')).map((e) => [e.id, e.has_paid])).toEqual([
      [a.body.id, true],
    ]);
    const listed = await s.request('GET', `${p()}/domains?limit=1`, { headers: h });
    expect(listed.body.domains).toHaveLength(1);
    expect(listed.body.next_cursor).toEqual(expect.any(String));
    const dup = await s.request('POST', `${p()}/domains`, { headers: h, body: { domain: 'APP.example.com' } });
    expect(dup.status).toBe(400);
    const wild = await s.request('POST', `${p()}/domains`, { headers: h, body: { domain: '*.example.com' } });
    expect(wild.status).toBe(422);
    expect(wild.body.detail[0].loc).toEqual(['body', 'domain']);
    expect((await s.request('DELETE', `${p()}/domains/${b.body.id}`, { headers: h })).status).toBe(204);
    expect((await s.request('GET', `${p()}/domains/${b.body.id}`, { headers: h })).status).toBe(404);
    expect((await eventsOf(s, t.projectId, 'domain.deleted')).map((e) => e.id)).toEqual([b.body.id]);
  });

  it('manages injectables, text and base64 file content, never echoing content or secret', async () => {
    const text = await s.request('POST', `${p()}/injectables`, {
      headers: h,
      body: { type: 'markdown', mode: 'write', secret: SECRET, content: '# licensed docs' },
    });
    expect(text.status).toBe(201);
    expect(text.body.slug).toBe('markdown');
    expect(text.text).not.toContain(SECRET);
    const bytes = randomBytes(4096);
    const file = await s.request('POST', `${p()}/injectables`, {
      headers: h,
      body: {
        title: 'Blob',
        type: 'file',
        mode: 'write',
        target_path: 'lib/blob.bin',
        secret: SECRET,
        content_base64: bytes.toString('base64'),
      },
    });
    expect(file.status).toBe(201);
    expect(file.body.content_hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    const got = await s.request('GET', `${p()}/injectables/${file.body.id}`, { headers: h });
    expect(openDelivery(got.body.encrypted_content, got.body.signature, SECRET).equals(bytes)).toBe(true);
    expect(got.text).not.toContain(SECRET);

    const needsSecret = await s.request('PATCH', `${p()}/injectables/${text.body.id}`, {
      headers: h,
      body: { content: 'changed' },
    });
    expect(needsSecret.status).toBe(422);
    expect(needsSecret.body.detail[0].loc).toEqual(['body', 'secret']);
    const renamed = await s.request('PATCH', `${p()}/injectables/${text.body.id}`, {
      headers: h,
      body: { slug: 'docs-main', only_if_paid: true },
    });
    expect(renamed.body).toMatchObject({ slug: 'docs-main', only_if_paid: true });
    const listed = await s.request('GET', `${p()}/injectables`, { headers: h });
    expect(listed.body.injectables).toHaveLength(2);
    expect(listed.text).not.toContain('licensed docs');
    const badType = await s.request('POST', `${p()}/injectables`, {
      headers: h,
      body: { type: 'exe', mode: 'write', secret: SECRET, content: 'x' },
    });
    expect(badType.status).toBe(422);
    expect((await s.request('DELETE', `${p()}/injectables/${text.body.id}`, { headers: h })).status).toBe(204);
    expect((await s.request('GET', `${p()}/injectables/${text.body.id}`, { headers: h })).status).toBe(404);
  });

  it("refuses missing credentials, and never reaches another developer's project", async () => {
    const l = (await s.request('POST', `${p()}/licenses`, { headers: h, body: { title: 'Isolated' } })).body;
    const d = (await s.request('POST', `${p()}/domains`, { headers: h, body: { domain: 'isolated.example.com' } }))
      .body;
    const i = (
      await s.request('POST', `${p()}/injectables`, {
        headers: h,
        body: { type: 'css', mode: 'append', secret: SECRET, content: 'i{}' },
      })
    ).body;
    const other = await seedTenant(s);
    const cases: Array<[string, string, unknown]> = [
      ['GET', `${p()}/licenses`, undefined],
      ['POST', `${p()}/licenses`, { title: 'Intruder' }],
      ['GET', `${p()}/licenses/${l.id}`, undefined],
      ['POST', `${p()}/licenses/${l.id}/revoke`, undefined],
      ['POST', `${p()}/licenses/${l.id}/reactivate`, undefined],
      ['DELETE', `${p()}/licenses/${l.id}`, undefined],
      ['GET', `${p()}/domains`, undefined],
      ['POST', `${p()}/domains`, { domain: 'intruder.example.com' }],
      ['GET', `${p()}/domains/${d.id}`, undefined],
      ['PATCH', `${p()}/domains/${d.id}`, { has_paid: true }],
      ['DELETE', `${p()}/domains/${d.id}`, undefined],
      ['GET', `${p()}/injectables`, undefined],
      ['POST', `${p()}/injectables`, { type: 'css', mode: 'append', secret: SECRET, content: 'x{}' }],
      ['GET', `${p()}/injectables/${i.id}`, undefined],
      ['PATCH', `${p()}/injectables/${i.id}`, { is_active: false }],
      ['DELETE', `${p()}/injectables/${i.id}`, undefined],
    ];
    for (const [method, path, body] of cases) {
      expect((await s.request(method, path, { body })).status).toBe(401);
      expect(
        (
          await s.request(method, path, {
            headers: { authorization: h.authorization!, 'x-user-role': 'developer' },
            body,
          })
        ).status,
      ).toBe(403);
      // The token of one developer with the key of another is refused.
      expect(
        (await s.request(method, path, { headers: { ...h, 'x-developer-key': other.dev.developerKey }, body })).status,
      ).toBe(403);
      const foreign = await s.request(method, path, { headers: other.dev.headers, body });
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ detail: 'Project not found' });
    }
    // Credentials come before the body: no token and no (or a bad) body is still a 401.
    expect((await s.request('POST', `${p()}/licenses`)).status).toBe(401);
    expect((await s.request('POST', `${p()}/domains`, { body: { domain: 7 } })).status).toBe(401);
    expect(
      (
        await s.request('PATCH', `${p()}/injectables/${i.id}`, {
          headers: { ...h, 'x-developer-key': 'ak_nope' },
          body: { type: 'nope' },
        })
      ).status,
    ).toBe(403);
    // Ids of this project named under the other developer's own project are not found either.
    expect(
      (await s.request('GET', `/api/v1/projects/${other.projectId}/licenses/${l.id}`, { headers: other.dev.headers }))
        .status,
    ).toBe(404);
    expect(
      (await s.request('GET', `/api/v1/projects/${other.projectId}/domains/${d.id}`, { headers: other.dev.headers }))
        .status,
    ).toBe(404);
    expect(
      (
        await s.request('GET', `/api/v1/projects/${other.projectId}/injectables/${i.id}`, {
          headers: other.dev.headers,
        })
      ).status,
    ).toBe(404);
    expect((await s.request('GET', `${p()}/licenses/${l.id}`, { headers: h })).body.status).toBe('active');
    expect((await s.request('GET', `${p()}/domains/${d.id}`, { headers: h })).body.has_paid).toBe(false);
  });
});
