import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, sharedDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { seedLicense, seedProject } from '../devpayr/runtime-fixtures.js';
import { spawnServer, type ServerProcess } from './processes.js';

async function check(url: string, key: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/project/has-paid`, {
    method: 'POST',
    headers: { 'x-license-key': key, 'content-type': 'application/json' },
    body: '{}',
  });
  await res.arrayBuffer();
  return res.status;
}

/** Polls `url` every 25 ms until the check of `key` answers `status`; false once `deadline` (epoch ms) has passed. */
async function until(url: string, key: string, status: number, deadline: number): Promise<boolean> {
  for (;;) {
    if ((await check(url, key)) === status) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A license rerolled through one process: the other process, which had the old key's
 * snapshot cached as passing, keeps passing it during the overlap and refuses it once the
 * overlap is over, without anything else happening (no revocation, no further change).
 */
forEachDatabase('license reroll across processes sharing one database', (kind) => {
  let drop: () => Promise<void>;
  let main: TestServer;
  let other: ServerProcess;
  let developer: SeededDeveloper;

  beforeAll(async () => {
    const shared = await sharedDatabase(kind);
    drop = shared.drop;
    main = await startServer(kind, { databaseUrl: shared.url, env: { RATE_LIMIT: 'false' } });
    other = await spawnServer(shared.url, { env: { RATE_LIMIT: 'false' } });
    developer = await seedDeveloper(main.ctx);
  }, 180_000);

  afterAll(async () => {
    await other?.stop();
    await main?.close();
    await drop?.();
  });

  async function rerolled(
    project: string,
    id: string,
    overlap: number,
  ): Promise<{ key: string; until: string | null }> {
    const res = await fetch(`${main.url}/api/v1/project/${project}/licenses/${id}/reroll`, {
      method: 'POST',
      headers: { ...developer.apiKeyHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ overlap_seconds: overlap }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { uuid: string; previous_key_expires_at: string | null } };
    return { key: body.data.uuid, until: body.data.previous_key_expires_at };
  }

  async function cachedEverywhere(key: string): Promise<void> {
    for (const url of [main.url, other.url]) expect(await until(url, key, 200, Date.now() + 10_000)).toBe(true);
  }

  it('the old key keeps passing on the other process during a long overlap', async () => {
    const project = await seedProject(main.ctx, developer.userId);
    const { id, key: old } = await seedLicense(main.ctx, project);
    await cachedEverywhere(old);
    const { key } = await rerolled(project, id, 3600);
    // Once the other process knows the new key, it has seen the reroll: the old key still passes.
    expect(await until(other.url, key, 200, Date.now() + 10_000)).toBe(true);
    expect(await check(other.url, old)).toBe(200);
  });

  it('the old key is refused on the other process once a 2 s overlap ends; with 0, at once', async () => {
    const project = await seedProject(main.ctx, developer.userId);
    const { id, key: old } = await seedLicense(main.ctx, project);
    await cachedEverywhere(old);
    const first = await rerolled(project, id, 2);
    const end = Date.parse(first.until!);
    expect(await until(other.url, old, 403, end + 10_000)).toBe(true);
    expect(await check(other.url, first.key)).toBe(200);

    const second = await rerolled(project, id, 0);
    expect(second.until).toBeNull();
    expect(await until(other.url, first.key, 403, Date.now() + 10_000)).toBe(true);
    expect(await check(other.url, second.key)).toBe(200);
    expect(await check(main.url, first.key)).toBe(403);
  });
});
