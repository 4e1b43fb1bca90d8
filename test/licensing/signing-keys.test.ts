import { createLocalJWKSet, importJWK } from 'jose';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startLicensingServer, type LicensingServer } from './fixtures.js';

const DAY = 86_400_000;

/**
 * Issue 20, signing keys: every project has one (existing projects included, on first use),
 * published with no credential as a JWKS that JOSE libraries import as it is; a rotation
 * keeps the previous key verifying until its grace ends, then it is gone everywhere.
 */
forEachDatabase('licensing: signing keys', (kind) => {
  let s: LicensingServer;
  beforeAll(async () => {
    s = await startLicensingServer(kind);
  });
  afterAll(async () => s?.close());

  it('a project has one active key, listed for its owner and published as a JWKS that jose imports', async () => {
    const project = await s.project();
    const listed = await s.request('GET', `/api/v1/project/${project}/signing-keys`, { headers: s.dev.apiKeyHeaders });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.data).toEqual([
      {
        kid: expect.any(String),
        alg: 'ed25519',
        public_key: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----\n/),
        status: 'active',
        created_at: expect.any(String),
        retires_at: null,
      },
    ]);
    const [key] = listed.body.data;
    const jwks = await s.jwks(project);
    expect(jwks).toEqual({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: key.kid, alg: 'EdDSA', use: 'sig' }],
    });
    // The JWK and the PEM are the same key.
    expect(createPublicKey(key.public_key).export({ format: 'jwk' }).x).toBe(jwks.keys[0]!.x);
    const res = await s.request('GET', `/.well-known/tollgate/${project}/jwks.json`);
    expect(res.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    // jose imports the set as it is, and picks the key by kid.
    const set = createLocalJWKSet(jwks as never);
    const resolved = await set({ alg: 'EdDSA', kid: key.kid }, {} as never);
    expect(resolved).toBeTruthy();
    expect(await importJWK(jwks.keys[0]!, 'EdDSA')).toBeTruthy();
  });

  it('the instance has its own key, the same for every request, and an unknown project has no JWKS (404 envelope)', async () => {
    const a = await s.jwks();
    const b = await s.jwks();
    expect(a.keys).toHaveLength(1);
    expect(a).toEqual(b);
    for (const id of ['0190a1b2-0000-7000-8000-000000000000', 'not-a-uuid']) {
      const res = await s.request('GET', `/.well-known/tollgate/${id}/jwks.json`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ status: 'error', data: null });
    }
  });

  it('rotation: a new active key; the previous one retiring, still published until retires_at, then gone; event and audit', async () => {
    const project = await s.project();
    const before = (await s.jwks(project)).keys[0]!;
    const rotated = await s.request('POST', `/api/v1/project/${project}/signing-keys/rotate`, {
      headers: s.dev.apiKeyHeaders,
      body: { grace_days: 2 },
    });
    expect(rotated.status, rotated.text).toBe(200);
    const [active, retiring] = rotated.body.data;
    expect(active).toMatchObject({ status: 'active', retires_at: null });
    expect(active.kid).not.toBe(before.kid);
    expect(retiring).toMatchObject({ kid: before.kid, status: 'retiring' });
    expect(Date.parse(retiring.retires_at) - Date.parse(active.created_at)).toBe(2 * DAY);
    expect((await s.jwks(project)).keys.map((k) => k.kid)).toEqual([active.kid, before.kid]);

    s.later(2 * DAY - 60_000);
    expect((await s.jwks(project)).keys.map((k) => k.kid)).toEqual([active.kid, before.kid]);
    s.later(120_000);
    expect((await s.jwks(project)).keys.map((k) => k.kid)).toEqual([active.kid]);
    const listed = await s.request('GET', `/api/v1/project/${project}/signing-keys`, { headers: s.dev.apiKeyHeaders });
    expect(listed.body.data.map((k: { kid: string }) => k.kid)).toEqual([active.kid]);

    const events = await s.ctx.db
      .selectFrom('events')
      .select(['type', 'payload'])
      .where('project_id', '=', project)
      .where('type', '=', 'signing_key.rotated')
      .execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload)).toMatchObject({
      project_id: project,
      kid: active.kid,
      previous_kid: before.kid,
    });
    expect(events[0]!.payload).not.toMatch(/PRIVATE|v1\./);
    const audit = await s.request('GET', `/api/v1/project/${project}/audit-log`, { headers: s.dev.apiKeyHeaders });
    expect(audit.text).toContain('signing_key.rotated');
  });

  it('the default grace is 30 days; a second rotation keeps the first retiring key until its own retires_at', async () => {
    const project = await s.project();
    const first = (await s.jwks(project)).keys[0]!.kid;
    const one = await s.request('POST', `/api/v1/project/${project}/signing-keys/rotate`, {
      headers: s.dev.apiKeyHeaders,
      body: {},
    });
    expect(one.status, one.text).toBe(200);
    expect(Date.parse(one.body.data[1].retires_at) - Date.parse(one.body.data[0].created_at)).toBe(30 * DAY);
    const two = await s.request('POST', `/api/v1/project/${project}/signing-keys/rotate`, {
      headers: s.dev.apiKeyHeaders,
      body: { grace_days: 0 },
    });
    expect(two.body.data.map((k: { kid: string; status: string }) => [k.kid === first, k.status])).toEqual([
      [false, 'active'],
      [true, 'retiring'],
    ]);
    expect((await s.jwks(project)).keys).toHaveLength(2);
  });

  it('concurrent rotations: each makes its own key, and there is always exactly one active key', async () => {
    const project = await s.project();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() =>
        s.request('POST', `/api/v1/project/${project}/signing-keys/rotate`, {
          headers: s.dev.apiKeyHeaders,
          body: { grace_days: 1 },
        }),
      ),
    );
    for (const r of results) expect(r.status, r.text).toBe(200);
    const rows = await s.ctx.db
      .selectFrom('signing_keys')
      .select(['status'])
      .where('project_id', '=', project)
      .execute();
    expect(rows.filter((r) => r.status === 'active')).toHaveLength(1);
    expect(rows).toHaveLength(5);
  });

  it('private halves are stored sealed, never as a PEM or DER', async () => {
    const rows = await s.ctx.db.selectFrom('signing_keys').select(['private_key_enc']).execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.private_key_enc.startsWith('v1.')).toBe(true);
      expect(() =>
        createPrivateKey({ key: Buffer.from(r.private_key_enc.slice(3), 'base64url'), format: 'der', type: 'pkcs8' }),
      ).toThrow();
    }
  });

  it("the licensing routes are documented in /docs under the 'tollgate: licensing' tag", async () => {
    const doc = (await s.request('GET', '/docs/json')).body as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const tagged = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.tags?.includes('tollgate: licensing'))
        .map(([m]) => `${m.toUpperCase()} ${p}`),
    );
    expect(tagged.sort()).toEqual([
      'GET /.well-known/tollgate/jwks.json',
      'GET /.well-known/tollgate/{project_id}/jwks.json',
      'GET /api/v1/project/{project}/signing-keys',
      'POST /api/v1/license/checkout',
      'POST /api/v1/project/{project}/licenses/{license}/checkout',
      'POST /api/v1/project/{project}/signing-keys/rotate',
    ]);
  });

  it('grace_days out of range or of the wrong type is a 422 envelope', async () => {
    const project = await s.project();
    for (const grace_days of [-1, 366, 1.5, 'ten', null]) {
      const res = await s.request('POST', `/api/v1/project/${project}/signing-keys/rotate`, {
        headers: s.dev.apiKeyHeaders,
        body: { grace_days },
      });
      expect(res.status, res.text).toBe(422);
      expect(res.body).toMatchObject({ status: 'error', errors: { grace_days: [expect.any(String)] } });
    }
  });
});
