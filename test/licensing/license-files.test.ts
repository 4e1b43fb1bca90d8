import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the shipped verifier is plain JavaScript, used here as a customer would use it
import { readLicenseFile } from '../../examples/verify-license-file.mjs';
import { forEachDatabase, startLicensingServer, type LicensingServer } from './fixtures.js';

const DAY = 86_400_000;
type Jwks = { keys: Array<Record<string, string>> };

/**
 * Issue 20, offline license files: issued to the license holder (the runtime check's rules
 * apply) and to the developer, verified and decrypted by the shipped ≤ 40-line verifier,
 * which refuses every changed byte, another device, an expired file and a clock turned back.
 */
forEachDatabase('licensing: offline license files', (kind) => {
  let s: LicensingServer;
  let project: string;
  let jwks: Jwks;
  beforeAll(async () => {
    s = await startLicensingServer(kind, { env: { LICENSE_CHECKOUTS_PER_DAY: '3' } });
    project = await s.project();
    jwks = await s.jwks(project);
  });
  afterAll(async () => s?.close());

  const checkout = (key: string | null, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    s.request('POST', '/api/v1/license/checkout', {
      headers: { ...(key === null ? {} : { 'x-license-key': key }), ...headers },
      body,
    });

  it('the holder gets an encrypted license file that the shipped verifier verifies and decrypts', async () => {
    const license = await s.license(project, { max_domains: 3 });
    const res = await checkout(license.key, { ttl: 7200 }, { 'x-devpayr-domain': 'app.example.com' });
    expect(res.status, res.text).toBe(200);
    const { certificate, issued_at, expires_at, ttl } = res.body.data;
    expect(ttl).toBe(7200);
    expect(Date.parse(expires_at) - Date.parse(issued_at)).toBe(7_200_000);
    expect(certificate).toMatch(
      /^-----BEGIN TOLLGATE LICENSE FILE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END TOLLGATE LICENSE FILE-----\n$/,
    );
    const envelope = JSON.parse(Buffer.from(certificate.split('\n').slice(1, -2).join(''), 'base64').toString());
    expect(envelope).toEqual({
      enc: expect.stringMatching(/^[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]{16}\.[A-Za-z0-9+/=]{24}$/),
      sig: expect.any(String),
      alg: 'aes-256-gcm+ed25519',
      kid: jwks.keys[0]!.kid,
    });
    // Encrypted: the plaintext is nowhere in the file.
    expect(Buffer.from(envelope.enc.split('.')[0], 'base64').toString()).not.toContain(license.id);

    const data = readLicenseFile(certificate, {
      licenseKey: license.key,
      jwks,
      state: {},
      now: s.ctx.clock.now().getTime(),
    });
    const projectRow = await s.ctx.db
      .selectFrom('projects')
      .select('name')
      .where('id', '=', project)
      .executeTakeFirstOrThrow();
    expect(data).toEqual({
      meta: { issued: issued_at, expiry: expires_at, ttl: 7200, server_time: issued_at, kid: envelope.kid },
      license: {
        id: license.id,
        project_id: project,
        status: 'active',
        expires_at: null,
        max_domains: 3,
        max_devices: null,
        domains: [],
        is_test: false,
        meta: { title: expect.any(String) },
      },
      device: null,
      project: { id: project, name: projectRow.name, has_paid: true },
    });
    // Another key cannot decrypt it.
    const other = await s.license(project);
    expect(() => readLicenseFile(certificate, { licenseKey: other.key, jwks, state: {} })).toThrow();
    // The event names the file, never carries it.
    const events = await s.ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'license.checked_out')
      .where('project_id', '=', project)
      .execute();
    expect(events.map((e) => JSON.parse(e.payload))).toContainEqual(
      expect.objectContaining({ license_id: license.id, encrypted: true, device_bound: false, expires_at }),
    );
    for (const e of events) expect(e.payload).not.toContain(envelope.sig);
  });

  it('every changed byte of the file is refused', async () => {
    const license = await s.license(project);
    const { certificate } = (await checkout(license.key, { ttl: 3600 })).body.data;
    const opts = () => ({ licenseKey: license.key, jwks, state: {}, now: s.ctx.clock.now().getTime() });
    expect(readLicenseFile(certificate, opts()).license.id).toBe(license.id);
    for (let i = 0; i < certificate.length; i++) {
      const c = certificate[i]!;
      const changed = certificate.slice(0, i) + (c === 'A' ? 'B' : 'A') + certificate.slice(i + 1);
      expect(() => readLicenseFile(changed, opts()), `byte ${i}`).toThrow();
    }
  });

  it('encrypt: false gives a signed base64 file; its bytes are still all covered', async () => {
    const license = await s.license(project);
    const { certificate } = (await checkout(license.key, { encrypt: false })).body.data;
    const envelope = JSON.parse(Buffer.from(certificate.split('\n').slice(1, -2).join(''), 'base64').toString());
    expect(envelope.alg).toBe('base64+ed25519');
    expect(JSON.parse(Buffer.from(envelope.enc, 'base64').toString()).license.id).toBe(license.id);
    const data = readLicenseFile(certificate, { licenseKey: null, jwks, state: {}, now: s.ctx.clock.now().getTime() });
    expect(Date.parse(data.meta.expiry) - Date.parse(data.meta.issued)).toBe(30 * DAY);
    const forged = {
      ...envelope,
      enc: Buffer.from(JSON.stringify({ ...data, project: { ...data.project, has_paid: true, name: 'x' } })).toString(
        'base64',
      ),
    };
    const armored = `-----BEGIN TOLLGATE LICENSE FILE-----\n${Buffer.from(JSON.stringify(forged))
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n')}\n-----END TOLLGATE LICENSE FILE-----\n`;
    expect(() => readLicenseFile(armored, { licenseKey: null, jwks, state: {} })).toThrow(/signature/);
  });

  it('a machine file opens only on its device', async () => {
    const license = await s.license(project);
    const res = await checkout(license.key, { fingerprint: 'host-7f3a' });
    expect(res.status, res.text).toBe(200);
    const { certificate } = res.body.data;
    expect(certificate.startsWith('-----BEGIN TOLLGATE MACHINE FILE-----\n')).toBe(true);
    const now = s.ctx.clock.now().getTime();
    expect(
      readLicenseFile(certificate, { licenseKey: license.key, fingerprint: 'host-7f3a', jwks, state: {}, now }).device,
    ).toEqual({ fingerprint: 'host-7f3a', name: null });
    expect(() =>
      readLicenseFile(certificate, { licenseKey: license.key, fingerprint: 'host-0000', jwks, state: {}, now }),
    ).toThrow();
    expect(() => readLicenseFile(certificate, { licenseKey: license.key, jwks, state: {}, now })).toThrow(/device/);
    // Unencrypted, the device is still bound by the signature over the plaintext.
    const plain = (await checkout(license.key, { fingerprint: 'host-7f3a', encrypt: false })).body.data.certificate;
    expect(() => readLicenseFile(plain, { licenseKey: null, fingerprint: 'host-0000', jwks, state: {}, now })).toThrow(
      /another device/,
    );
  });

  it('an expired file, and a clock turned back, are refused', async () => {
    const license = await s.license(project);
    const first = (await checkout(license.key, { ttl: 3600 })).body.data;
    const t0 = Date.parse(first.issued_at);
    expect(() =>
      readLicenseFile(first.certificate, { licenseKey: license.key, jwks, state: {}, now: t0 + 3_600_000 }),
    ).toThrow(/expired/);

    s.later(2 * 3_600_000);
    const second = (await checkout(license.key, { ttl: 86_400 })).body.data;
    const state = {};
    readLicenseFile(second.certificate, { licenseKey: license.key, jwks, state, now: Date.parse(second.issued_at) });
    // The older file (server_time two hours back), read with the clock turned back to when it was valid.
    expect(() =>
      readLicenseFile(first.certificate, { licenseKey: license.key, jwks, state, now: t0 + 60_000 }),
    ).toThrow(/turned back/);
    // The newer file with the local clock turned back an hour.
    expect(() =>
      readLicenseFile(second.certificate, {
        licenseKey: license.key,
        jwks,
        state,
        now: Date.parse(second.issued_at) - 3_600_000,
      }),
    ).toThrow(/turned back/);
    // Within five minutes is a clock's ordinary drift.
    readLicenseFile(second.certificate, {
      licenseKey: license.key,
      jwks,
      state,
      now: Date.parse(second.issued_at) - 240_000,
    });
  });

  it('a file never outlives its license; ttl outside an hour to a year is a 422', async () => {
    const expiresAt = new Date(s.ctx.clock.now().getTime() + 2 * DAY).toISOString();
    const license = await s.license(project, { expires_at: expiresAt });
    const res = await checkout(license.key, { ttl: 365 * 86_400 });
    expect(res.status, res.text).toBe(200);
    expect(Date.parse(res.body.data.expires_at)).toBe(Date.parse(expiresAt));
    for (const ttl of [3599, 365 * 86_400 + 1, 'day', 1.5]) {
      const bad = await checkout(license.key, { ttl });
      expect(bad.status, bad.text).toBe(422);
      expect(bad.body, bad.text).toMatchObject({
        status: 'error',
        errors: { ttl: expect.arrayContaining([expect.any(String)]) },
      });
    }
  });

  it('no key 401, an unknown key 403, a revoked, expired or unpaid license 403, a domain-bound one needs its domain', async () => {
    expect((await checkout(null)).status).toBe(401);
    expect((await checkout('not-a-license-key')).status).toBe(403);
    const revoked = await s.license(project);
    await s.request('POST', `/api/v1/project/${project}/licenses/${revoked.id}/revoke`, {
      headers: s.dev.apiKeyHeaders,
    });
    expect((await checkout(revoked.key)).status).toBe(403);
    const expiring = await s.license(project, {
      expires_at: new Date(s.ctx.clock.now().getTime() + 3_600_000).toISOString(),
    });
    s.later(2 * 3_600_000);
    expect((await checkout(expiring.key)).status).toBe(403);
    const unpaid = await s.project({ has_paid: false });
    const unpaidLicense = await s.license(unpaid);
    const refused = await checkout(unpaidLicense.key);
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body).toMatchObject({ status: 'error', message: expect.stringContaining('not been paid') });

    const bound = await s.project();
    await s.request('POST', `/api/v1/project/${bound}/domains`, {
      headers: s.dev.apiKeyHeaders,
      body: { domain: 'shop.example.com', has_paid: true },
    });
    const boundLicense = await s.license(bound);
    expect((await checkout(boundLicense.key)).status).toBe(400);
    expect((await checkout(boundLicense.key, {}, { 'x-devpayr-domain': 'other.example.com' })).status).toBe(403);
    const ok = await checkout(boundLicense.key, {}, { 'x-devpayr-domain': 'shop.example.com' });
    expect(ok.status, ok.text).toBe(200);
    const data = readLicenseFile(ok.body.data.certificate, {
      licenseKey: boundLicense.key,
      jwks: await s.jwks(bound),
      state: {},
      now: s.ctx.clock.now().getTime(),
    });
    expect(data.license.domains).toEqual(['shop.example.com']);
  });

  it('another method on the checkout path is the devpayr 404 envelope', async () => {
    for (const method of ['GET', 'PUT']) {
      const res = await s.request(method, '/api/v1/license/checkout');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 'error', message: 'Route not found.', data: null, errors: null });
    }
  });

  describe('LICENSE_CHECKOUTS_PER_DAY (3 here)', () => {
    it('the fourth checkout in 24 hours is a 429 with Retry-After; a day after the first, one more', async () => {
      const license = await s.license(project);
      for (let i = 0; i < 3; i++) {
        expect((await checkout(license.key)).status).toBe(200);
        s.later(60_000);
      }
      const refused = await checkout(license.key);
      expect(refused.status, refused.text).toBe(429);
      expect(refused.body).toMatchObject({ status: 'error', data: null });
      // The first checkout was 3 minutes ago: it leaves the window in 24 h minus 3 min.
      expect(Number(refused.headers.get('retry-after'))).toBe(86_400 - 180);
      // The developer's checkouts of the same license count too.
      expect(
        (
          await s.request('POST', `/api/v1/project/${project}/licenses/${license.id}/checkout`, {
            headers: s.dev.apiKeyHeaders,
            body: {},
          })
        ).status,
      ).toBe(429);
      s.later(DAY - 180_000 + 1000);
      expect((await checkout(license.key)).status).toBe(200);
      expect((await checkout(license.key)).status).toBe(429);
    });

    it('exact under concurrency: of eight checkouts at once, three get a file', async () => {
      const license = await s.license(project);
      const results = await Promise.all(Array.from({ length: 8 }, () => checkout(license.key)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
      const rows = await s.ctx.db
        .selectFrom('license_checkouts')
        .select('id')
        .where('license_id', '=', license.id)
        .execute();
      expect(rows).toHaveLength(3);
    });
  });

  it("the developer's checkout: encrypted with the license's key, signed only without it; another key is a 422; a foreign license 404", async () => {
    const license = await s.license(project);
    const path = `/api/v1/project/${project}/licenses/${license.id}/checkout`;
    const now = () => s.ctx.clock.now().getTime();
    const encrypted = await s.request('POST', path, {
      headers: s.dev.apiKeyHeaders,
      body: { license_key: license.key, ttl: 86_400 },
    });
    expect(encrypted.status, encrypted.text).toBe(200);
    expect(
      readLicenseFile(encrypted.body.data.certificate, { licenseKey: license.key, jwks, state: {}, now: now() }).license
        .id,
    ).toBe(license.id);
    expect(encrypted.body.data.certificate).toContain('LICENSE FILE');

    const signedOnly = await s.request('POST', path, { headers: s.dev.apiKeyHeaders, body: {} });
    expect(signedOnly.status, signedOnly.text).toBe(200);
    const envelope = JSON.parse(
      Buffer.from(signedOnly.body.data.certificate.split('\n').slice(1, -2).join(''), 'base64').toString(),
    );
    expect(envelope.alg).toBe('base64+ed25519');
    expect(
      readLicenseFile(signedOnly.body.data.certificate, { licenseKey: null, jwks, state: {}, now: now() }).license.id,
    ).toBe(license.id);

    const other = await s.license(project);
    const wrong = await s.request('POST', path, { headers: s.dev.apiKeyHeaders, body: { license_key: other.key } });
    expect(wrong.status, wrong.text).toBe(422);
    expect(wrong.body.errors).toHaveProperty('license_key');
    const noKey = await s.request('POST', path, { headers: s.dev.apiKeyHeaders, body: { encrypt: true } });
    expect(noKey.status).toBe(422);

    const otherProject = await s.project();
    const foreign = await s.request('POST', `/api/v1/project/${otherProject}/licenses/${license.id}/checkout`, {
      headers: s.dev.apiKeyHeaders,
      body: {},
    });
    expect(foreign.status).toBe(404);
  });
});
