import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { forEachDatabase, sharedDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { spawnServer, type ServerProcess } from './processes.js';
import { seedLicense, seedProject } from '../devpayr/runtime-fixtures.js';

async function checkBody(url: string, key: string): Promise<{ status: number; hasPaid: boolean | undefined }> {
  const res = await fetch(`${url}/api/v1/project/has-paid`, {
    method: 'POST',
    headers: { 'x-license-key': key, 'x-devpayr-domain': 'shop.example.com', 'content-type': 'application/json' },
    body: '{}',
  });
  const body = (await res.json()) as { data?: { has_paid?: boolean } };
  return { status: res.status, hasPaid: body.data?.has_paid };
}

async function check(url: string, key: string): Promise<number> {
  return (await checkBody(url, key)).status;
}

/** Milliseconds until `seen` holds on `url`, polling every 25 ms; Infinity past 3 s. */
async function within(_url: string, seen: () => Promise<boolean>, since: number): Promise<number> {
  for (;;) {
    if (await seen()) return Date.now() - since;
    if (Date.now() - since > 3000) return Infinity;
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const redis of [false, true]) {
  (redis && !inject('redis') ? describe.skip : describe)(redis ? 'with Redis' : 'without Redis', () =>
    forEachDatabase(`revocation across processes sharing one database`, (kind) => {
      let drop: () => Promise<void>;
      let main: TestServer;
      const children: ServerProcess[] = [];
      const urls: string[] = [];

      beforeAll(async () => {
        const shared = await sharedDatabase(kind);
        drop = shared.drop;
        main = await startServer(kind, { databaseUrl: shared.url, redis });
        urls.push(main.url);
        // Started side by side: under load a process takes tens of seconds to compile and start.
        children.push(...(await Promise.all([spawnServer(shared.url, { redis }), spawnServer(shared.url, { redis })])));
        urls.push(...children.map((c) => c.url));
      }, 180_000);

      afterAll(async () => {
        await Promise.all(children.map((c) => c.stop()));
        await main.close();
        await drop();
      });

      it('a revoked license stops passing on every process within one second', async () => {
        const developer = await seedDeveloper(main.ctx);
        const project = await seedProject(main.ctx, developer.userId);
        const { id, key } = await seedLicense(main.ctx, project);
        // Every process knows the new license (other processes learn a new key from the change
        // feed, within the same bound) and has it cached as passing before the revocation.
        const createdAt = Date.now();
        for (const url of urls)
          expect(await within(url, async () => (await check(url, key)) === 200, createdAt)).toBeLessThan(1000);

        // Revoked the way a vendor does it: through the API of one process (the last one).
        const revoke = await fetch(`${urls[urls.length - 1]}/api/v1/project/${project}/licenses/${id}/revoke`, {
          method: 'POST',
          headers: developer.apiKeyHeaders,
        });
        expect(revoke.status).toBe(200);
        const revokedAt = Date.now();

        const stoppedAfter = await Promise.all(
          urls.map((url) => within(url, async () => (await check(url, key)) === 403, revokedAt)),
        );
        for (const ms of stoppedAfter) expect(ms).toBeLessThan(1000);
      });

      it("a project's paid flag, changed on one process, is answered by every process within one second", async () => {
        const developer = await seedDeveloper(main.ctx);
        const project = await seedProject(main.ctx, developer.userId, { hasPaid: true });
        const { key } = await seedLicense(main.ctx, project);
        const createdAt = Date.now();
        for (const url of urls)
          expect(await within(url, async () => (await checkBody(url, key)).status === 200, createdAt)).toBeLessThan(
            1000,
          );
        for (const url of urls) expect(await checkBody(url, key)).toEqual({ status: 200, hasPaid: true });

        const update = await fetch(`${urls[1]}/api/v1/project/${project}`, {
          method: 'PUT',
          headers: { ...developer.apiKeyHeaders, 'content-type': 'application/json' },
          body: JSON.stringify({ has_paid: false }),
        });
        expect(update.status).toBe(200);
        const changedAt = Date.now();

        const seenAfter = await Promise.all(
          urls.map((url) => within(url, async () => (await checkBody(url, key)).hasPaid === false, changedAt)),
        );
        for (const ms of seenAfter) expect(ms).toBeLessThan(1000);
      });
    }),
  );
}
