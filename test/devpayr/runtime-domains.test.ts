import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { seedDomain, seedLicense, seedProject } from './runtime-fixtures.js';

const MISMATCH = 'This license is not authorized for the current domain.';

forEachDatabase('runtime check: domain rules', (kind) => {
  let s: TestServer;
  let owner: string;

  const check = (key: string, domain?: string) =>
    s.request('POST', '/api/v1/project/has-paid', {
      body: {},
      headers: { 'x-license-key': key, ...(domain !== undefined ? { 'x-devpayr-domain': domain } : {}) },
    });

  beforeAll(async () => {
    s = await startServer(kind);
    owner = (await seedDeveloper(s.ctx)).userId;
  });
  afterAll(async () => s.close());

  it('a pinned license works only on its domain, and needs the domain header', async () => {
    const project = await seedProject(s.ctx, owner);
    const pinned = await seedDomain(s.ctx, project, 'app.example.com');
    await seedDomain(s.ctx, project, 'other.example.com');
    const { key } = await seedLicense(s.ctx, project, { domainId: pinned });
    expect((await check(key, 'https://APP.example.com:443/login')).status).toBe(200);
    const other = await check(key, 'other.example.com');
    expect(other.status).toBe(403);
    expect(other.body.message).toBe(MISMATCH);
    const missing = await check(key);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/X-Devpayr-Domain/);
  });

  it('with registered domains the identifier must be one of them exactly', async () => {
    const project = await seedProject(s.ctx, owner);
    await seedDomain(s.ctx, project, 'example.org');
    await seedDomain(s.ctx, project, 'localhost:3000');
    const { key } = await seedLicense(s.ctx, project);
    expect((await check(key, 'example.org')).status).toBe(200);
    expect((await check(key, 'http://localhost:3000/app')).status).toBe(200);
    for (const d of ['www.example.org', 'example.net', 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6']) {
      const res = await check(key, d);
      expect(res.status).toBe(403);
      expect(res.body.message).toBe(MISMATCH);
    }
  });

  it('an inactive registered domain is refused', async () => {
    const project = await seedProject(s.ctx, owner);
    await seedDomain(s.ctx, project, 'off.example.com', { isActive: false });
    const { key } = await seedLicense(s.ctx, project);
    const res = await check(key, 'off.example.com');
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/not active/);
  });

  it('a production license is refused on development and staging domains', async () => {
    const project = await seedProject(s.ctx, owner);
    await seedDomain(s.ctx, project, 'dev.example.com', { environment: 'development' });
    await seedDomain(s.ctx, project, 'staging.example.com', { environment: 'staging' });
    await seedDomain(s.ctx, project, 'www.example.com', { environment: 'production' });
    const { key } = await seedLicense(s.ctx, project);
    expect((await check(key, 'www.example.com')).status).toBe(200);
    for (const d of ['dev.example.com', 'staging.example.com']) {
      const res = await check(key, d);
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/production license cannot be used/);
    }
  });

  it('a test license works only on localhost, 127.0.0.1 and *.test', async () => {
    const project = await seedProject(s.ctx, owner);
    const { key } = await seedLicense(s.ctx, project, { isTest: true });
    for (const d of ['localhost', 'localhost:5173', '127.0.0.1', 'shop.test'])
      expect((await check(key, d)).status).toBe(200);
    for (const d of ['example.com', 'test.example.com', '10.0.0.1']) {
      const res = await check(key, d);
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/test license/i);
    }
    expect((await check(key)).status).toBe(400);
  });

  it('auto-registers identifiers up to max_domains and max_subdomains_per_domain', async () => {
    const project = await seedProject(s.ctx, owner);
    const { id, key } = await seedLicense(s.ctx, project, { maxDomains: 2, maxSubdomainsPerDomain: 1 });
    expect((await check(key, 'alpha.com')).status).toBe(200);
    expect((await check(key, 'www.alpha.com')).status).toBe(200);
    const sub = await check(key, 'api.alpha.com');
    expect(sub.status).toBe(403);
    expect(sub.body.message).toMatch(/1 subdomain\(s\) of alpha\.com/);
    expect((await check(key, 'beta.co.uk')).status).toBe(200);
    const third = await check(key, 'gamma.com');
    expect(third.status).toBe(403);
    expect(third.body.message).toMatch(/limit of 2 domain/);
    // Known identifiers keep working once the limits are reached.
    expect((await check(key, 'www.alpha.com')).status).toBe(200);
    expect((await check(key)).status).toBe(400);
    const rows = await s.ctx.db
      .selectFrom('license_identifiers')
      .select(['identifier', 'base_domain'])
      .where('license_id', '=', id)
      .execute();
    expect(rows.map((r) => r.identifier).sort()).toEqual(['alpha.com', 'beta.co.uk', 'www.alpha.com']);
  });

  it('counts sites under a private suffix (vercel.app, github.io) as separate domains, and co.uk subdomains under their site', async () => {
    const project = await seedProject(s.ctx, owner);
    const { id, key } = await seedLicense(s.ctx, project, { maxDomains: 1, maxSubdomainsPerDomain: 1 });
    expect((await check(key, 'a.vercel.app')).status).toBe(200);
    // A different customer's deployment, not a subdomain of the first: a second domain.
    const second = await check(key, 'b.vercel.app');
    expect(second.status).toBe(403);
    expect(second.body.message).toMatch(/limit of 1 domain/);
    expect((await check(key, 'someone.github.io')).status).toBe(403);
    expect((await check(key, 'preview.a.vercel.app')).status).toBe(200);
    expect((await check(key, 'other.a.vercel.app')).status).toBe(403);
    const rows = await s.ctx.db
      .selectFrom('license_identifiers')
      .select(['identifier', 'base_domain'])
      .where('license_id', '=', id)
      .execute();
    expect(rows.map((r) => [r.identifier, r.base_domain]).sort()).toEqual([
      ['a.vercel.app', 'a.vercel.app'],
      ['preview.a.vercel.app', 'a.vercel.app'],
    ]);
  });

  it('holds max_domains when many new domains arrive at once', async () => {
    const project = await seedProject(s.ctx, owner);
    const { id, key } = await seedLicense(s.ctx, project, { maxDomains: 2 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => check(key, `site${i}.example${i}.com`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 403)).toHaveLength(10);
    const rows = await s.ctx.db
      .selectFrom('license_identifiers')
      .select('identifier')
      .where('license_id', '=', id)
      .execute();
    expect(rows).toHaveLength(2);
  });

  it('an unlimited self-registering license accepts any identifier, fingerprints included', async () => {
    const project = await seedProject(s.ctx, owner);
    const { key } = await seedLicense(s.ctx, project);
    for (const d of ['one.com', 'fp_0123456789abcdef0123456789abcdef', '[::1]:8080', '192.168.1.20']) {
      expect((await check(key, d)).status).toBe(200);
    }
  });
});
