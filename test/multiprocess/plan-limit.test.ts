import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, sharedDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { spawnServer, type ServerProcess } from './processes.js';

const DEVKIT_LIMIT = 'Maximum number of projects reached for your subscription tier. Upgrade to create more projects.';

/**
 * Plan limits across processes: three Tollgates on one database (this one and two OS
 * processes; one PostgreSQL database, or one SQLite file) take 50 parallel project creates of
 * one Free Starter developer between them, and exactly 5 projects exist afterwards.
 */
forEachDatabase('plan limits across processes sharing one database', (kind) => {
  let drop: () => Promise<void>;
  let main: TestServer;
  const children: ServerProcess[] = [];
  const urls: string[] = [];
  // Tokens signed by one process must verify on the others: one secret for all, as in production.
  const env = { TOLLGATE_SECRET: randomBytes(32).toString('base64url') };

  beforeAll(async () => {
    const shared = await sharedDatabase(kind);
    drop = shared.drop;
    main = await startServer(kind, { databaseUrl: shared.url, env });
    urls.push(main.url);
    // Started side by side: under load a process takes tens of seconds to compile and start.
    children.push(...(await Promise.all([spawnServer(shared.url, { env }), spawnServer(shared.url, { env })])));
    urls.push(...children.map((c) => c.url));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await main.close();
    await drop();
  });

  const post = async (url: string, path: string, headers: Record<string, string>, body: unknown) => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const projectsOf = async (dev: SeededDeveloper): Promise<number> => {
    const { n } = await main.ctx.db
      .selectFrom('projects')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_id', '=', dev.userId)
      .executeTakeFirstOrThrow();
    return Number(n);
  };

  it('50 parallel devkit creates spread over three processes give exactly 5 projects', async () => {
    const dev = await seedDeveloper(main.ctx);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post(urls[i % urls.length]!, '/api/v1/projects/', dev.headers, { name: `Parallel ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 403 && r.body.detail === DEVKIT_LIMIT)).toBe(true);
    expect(await projectsOf(dev)).toBe(5);

    // Every process agrees, through both faces.
    for (const url of urls) {
      const devkit = await fetch(`${url}/api/v1/projects/`, { headers: dev.headers });
      expect(((await devkit.json()) as unknown[]).length).toBe(5);
      const devpayr = await fetch(`${url}/api/v1/projects`, { headers: dev.apiKeyHeaders });
      expect(((await devpayr.json()) as { data: { data: unknown[] } }).data.data).toHaveLength(5);
    }
  });

  it('devkit and devpayr creates racing on three processes still stop at 5', async () => {
    const dev = await seedDeveloper(main.ctx);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0
          ? post(urls[i % urls.length]!, '/api/v1/projects/', dev.headers, { name: `Devkit ${i}` })
          : post(urls[i % urls.length]!, '/api/v1/project', dev.apiKeyHeaders, { name: `Devpayr ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(403);
      // Each face refuses in its own format.
      if ('detail' in r.body) expect(r.body.detail).toBe(DEVKIT_LIMIT);
      else expect(r.body).toMatchObject({ status: 'error', message: DEVKIT_LIMIT, data: null });
    }
    expect(await projectsOf(dev)).toBe(5);
  });
});
