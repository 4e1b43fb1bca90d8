import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { seedDomain, seedLicense, seedProject } from './runtime-fixtures.js';

/**
 * A check answered from the process's cache follows a change made through the API within
 * one second: the cached "yes" never outlives a revocation, a paid flag or a domain edit.
 */
forEachDatabase('runtime check after changes through the API', (kind) => {
  let s: TestServer;
  let dev: SeededDeveloper;

  const check = async (key: string, domain = 'shop.example.com') => {
    const res = await s.request('POST', '/api/v1/project/has-paid', {
      body: {},
      headers: { 'x-license-key': key, 'x-devpayr-domain': domain },
    });
    return {
      status: res.status,
      hasPaid: res.body?.data?.has_paid as boolean | undefined,
      message: res.body?.message as string,
    };
  };

  /** Milliseconds until `holds` is true, checking every 20 ms; fails past 3 s. */
  const msUntil = async (holds: () => Promise<boolean>): Promise<number> => {
    const since = Date.now();
    while (!(await holds())) {
      if (Date.now() - since > 3000) throw new Error('the change was not seen within 3 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    return Date.now() - since;
  };

  const api = (method: string, path: string, body?: unknown) =>
    s.request(method, path, { headers: dev.apiKeyHeaders, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    s = await startServer(kind);
    dev = await seedDeveloper(s.ctx);
  });
  afterAll(async () => s.close());

  it('revoke, then reactivate', async () => {
    const project = await seedProject(s.ctx, dev.userId);
    const { id, key } = await seedLicense(s.ctx, project);
    expect((await check(key)).status).toBe(200);
    expect((await api('POST', `/api/v1/project/${project}/licenses/${id}/revoke`)).status).toBe(200);
    expect(await msUntil(async () => (await check(key)).status === 403)).toBeLessThan(1000);
    expect((await check(key)).message).toBe('This license has been revoked.');
    expect((await api('POST', `/api/v1/project/${project}/licenses/${id}/reactivate`)).status).toBe(200);
    expect(await msUntil(async () => (await check(key)).status === 200)).toBeLessThan(1000);
  });

  it('a deleted license becomes unknown', async () => {
    const project = await seedProject(s.ctx, dev.userId);
    const { id, key } = await seedLicense(s.ctx, project);
    expect((await check(key)).status).toBe(200);
    expect((await api('DELETE', `/api/v1/project/${project}/licenses/${id}`)).status).toBe(200);
    expect(await msUntil(async () => (await check(key)).message === 'Invalid license key.')).toBeLessThan(1000);
  });

  it("the project's paid flag, both ways", async () => {
    const project = await seedProject(s.ctx, dev.userId, { hasPaid: false });
    const { key } = await seedLicense(s.ctx, project);
    expect(await check(key)).toMatchObject({ status: 200, hasPaid: false });
    expect((await api('PUT', `/api/v1/project/${project}`, { has_paid: true })).status).toBe(200);
    expect(await msUntil(async () => (await check(key)).hasPaid === true)).toBeLessThan(1000);
    expect((await api('PUT', `/api/v1/project/${project}`, { has_paid: false })).status).toBe(200);
    expect(await msUntil(async () => (await check(key)).hasPaid === false)).toBeLessThan(1000);
  });

  it('a domain added, deactivated and removed', async () => {
    const project = await seedProject(s.ctx, dev.userId);
    await seedDomain(s.ctx, project, 'old.example.com');
    const { key } = await seedLicense(s.ctx, project);
    expect((await check(key, 'new.example.com')).status).toBe(403);

    const added = await api('POST', `/api/v1/project/${project}/domains`, {
      domain: 'new.example.com',
      environment: 'production',
    });
    expect(added.status).toBe(201);
    expect(await msUntil(async () => (await check(key, 'new.example.com')).status === 200)).toBeLessThan(1000);

    expect(
      (await api('PUT', `/api/v1/project/${project}/domain/${added.body.data.id}`, { is_active: false })).status,
    ).toBe(200);
    expect(await msUntil(async () => (await check(key, 'new.example.com')).status === 403)).toBeLessThan(1000);

    expect((await api('DELETE', `/api/v1/project/${project}/domains/${added.body.data.id}`)).status).toBe(200);
    expect(
      await msUntil(
        async () =>
          (await check(key, 'new.example.com')).message === 'This license is not authorized for the current domain.',
      ),
    ).toBeLessThan(1000);
  });

  it('a deleted project takes its licenses with it', async () => {
    const project = await seedProject(s.ctx, dev.userId);
    const { key } = await seedLicense(s.ctx, project);
    expect((await check(key)).status).toBe(200);
    expect((await api('DELETE', `/api/v1/project/${project}`)).status).toBe(200);
    expect(await msUntil(async () => (await check(key)).status === 403)).toBeLessThan(1000);
  });
});
