import { afterAll, beforeAll, expect, it } from 'vitest';
import { announceExpiredLicenses } from '../../src/core/licenses/license-expiry.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { seedLicense, seedProject } from '../devpayr/runtime-fixtures.js';

/**
 * license.expired is announced for every license whose expiry passes, whether or not any
 * install checks it afterwards, exactly once however many sweepers and checks race.
 */
forEachDatabase('license expiry announcements', (kind) => {
  let s: TestServer;
  let dev: SeededDeveloper;

  beforeAll(async () => {
    s = await startServer(kind, { env: { LICENSE_EXPIRY_SWEEP_SECONDS: '1' } });
    dev = await seedDeveloper(s.ctx);
  });
  afterAll(async () => s?.close());

  const expiredEvents = async (projectId: string) =>
    (
      await s.ctx.db
        .selectFrom('events')
        .select(['payload', 'owner_id'])
        .where('project_id', '=', projectId)
        .where('type', '=', 'license.expired')
        .execute()
    ).map((e) => {
      const data = JSON.parse(e.payload) as { id: string; title: string; expires_at: string };
      return { ...data, license_id: data.id, owner: e.owner_id };
    });
  const past = (ms: number) => new Date(Date.now() - ms);

  it('announces each expired active license once; not future, revoked or never-expiring ones', async () => {
    const project = await seedProject(s.ctx, dev.userId);
    const expired = await seedLicense(s.ctx, project, { expiresAt: past(60_000) });
    await seedLicense(s.ctx, project, { expiresAt: new Date(Date.now() + 3_600_000) });
    await seedLicense(s.ctx, project, { expiresAt: past(60_000), status: 'revoked' });
    await seedLicense(s.ctx, project, { expiresAt: null });

    await announceExpiredLicenses(s.ctx);
    await announceExpiredLicenses(s.ctx);
    const events = await expiredEvents(project);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ license_id: expired.id, owner: dev.userId });
    expect(new Date(events[0]!.expires_at).getTime()).toBeLessThan(Date.now());
  });

  it('racing sweeps and runtime checks still write one event per license, also past one batch', async () => {
    const project = await seedProject(s.ctx, dev.userId, { hasPaid: true });
    const licenses = [];
    for (let i = 0; i < 230; i++) licenses.push(await seedLicense(s.ctx, project, { expiresAt: past(1_000 + i) }));
    const checks = licenses
      .slice(0, 10)
      .map((l) => s.request('POST', '/api/v1/project/has-paid', { headers: { 'x-license-key': l.key }, body: {} }));
    const sweeps = Array.from({ length: 4 }, () => announceExpiredLicenses(s.ctx));
    for (const res of await Promise.all(checks)) expect(res.body.message).toBe('This license has expired.');
    await Promise.all(sweeps);
    await announceExpiredLicenses(s.ctx);
    const events = await expiredEvents(project);
    expect(events).toHaveLength(230);
    expect(new Set(events.map((e) => e.license_id)).size).toBe(230);
  });

  it("the serving process's own sweeper announces a license created through the API once its expiry passes, with no check needed", async () => {
    const project = (
      await s.request('POST', '/api/v1/project', { headers: dev.apiKeyHeaders, body: { name: `Expiring ${kind}` } })
    ).body.data.id as string;
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const created = await s.request('POST', `/api/v1/project/${project}/licenses`, {
      headers: dev.apiKeyHeaders,
      body: { title: 'Short-lived', expires_at: expiresAt },
    });
    expect(created.status).toBe(201);
    expect(await expiredEvents(project)).toHaveLength(0);

    let events: Awaited<ReturnType<typeof expiredEvents>> = [];
    for (let waited = 0; waited < 8_000 && events.length === 0; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      events = await expiredEvents(project);
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ license_id: created.body.data.id, title: 'Short-lived' });
    const shown = await s.request('GET', `/api/v1/project/${project}/licenses/${created.body.data.id}`, {
      headers: dev.apiKeyHeaders,
    });
    expect(shown.body.data.status).toBe('expired');
  });
});
