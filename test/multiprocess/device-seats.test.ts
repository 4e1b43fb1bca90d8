import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, sharedDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { spawnServer, type ServerProcess } from './processes.js';

/**
 * Device seats across processes (issue 20): three Tollgates on one database (this one and
 * two OS processes; one PostgreSQL database, or one SQLite file) take 20 parallel
 * activations of distinct fingerprints against max_devices 3, and exactly 3 are active.
 */
forEachDatabase('device seats across processes sharing one database', (kind) => {
  let drop: () => Promise<void>;
  let main: TestServer;
  const children: ServerProcess[] = [];
  const urls: string[] = [];
  const env = {
    TOLLGATE_SECRET: randomBytes(32).toString('base64url'),
    RATE_LIMIT: 'false',
    DEVICE_CHANGES_PER_DAY: '100',
  };

  beforeAll(async () => {
    const shared = await sharedDatabase(kind);
    drop = shared.drop;
    main = await startServer(kind, { databaseUrl: shared.url, env });
    urls.push(main.url);
    children.push(...(await Promise.all([spawnServer(shared.url, { env }), spawnServer(shared.url, { env })])));
    urls.push(...children.map((c) => c.url));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await main?.close();
    await drop?.();
  });

  it('20 parallel activations of distinct fingerprints over three processes leave exactly 3 active', async () => {
    const dev = await seedDeveloper(main.ctx, { tier: 'cloud_premium' });
    const api = async (path: string, body: unknown) => {
      const res = await main.request('POST', path, { headers: dev.apiKeyHeaders, body });
      expect(res.status, res.text).toBe(201);
      return res.body.data;
    };
    const project = await api('/api/v1/project', { name: 'Seats', has_paid: true });
    const license = await api(`/api/v1/project/${project.id}/licenses`, { title: 'Three seats', max_devices: 3 });
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await fetch(`${urls[i % urls.length]}/api/v1/license/devices`, {
          method: 'POST',
          headers: { 'x-license-key': license.uuid, 'content-type': 'application/json' },
          body: JSON.stringify({ fingerprint: `proc-device-${i}` }),
        });
        return { status: res.status, body: (await res.json()) as { message: string } };
      }),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    const refused = results.filter((r) => r.status !== 201);
    expect(
      refused.every((r) => r.status === 403 && r.body.message === 'This license has reached its limit of 3 device(s).'),
      JSON.stringify(refused),
    ).toBe(true);
    const active = await main.ctx.db
      .selectFrom('license_devices')
      .select('id')
      .where('license_id', '=', license.id)
      .where('status', '=', 'active')
      .execute();
    expect(active).toHaveLength(3);
    const events = await main.ctx.db
      .selectFrom('events')
      .select('id')
      .where('type', '=', 'device.activated')
      .where('project_id', '=', project.id)
      .execute();
    expect(events).toHaveLength(3);
  });
});
