import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { createScratchDatabase, REDIS_URL } from '../support/services.js';
import { seedLicense, seedProject } from '../devpayr/runtime-fixtures.js';

/** A second and third Tollgate as real OS processes, on the same PostgreSQL database. */
function spawnServer(databaseUrl: string, redis: boolean): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./server-process.ts', import.meta.url).pathname], {
    env: { ...process.env, DATABASE_URL: databaseUrl, ...(redis ? { REDIS_URL } : { REDIS_URL: '' }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ child, url: `http://127.0.0.1:${line.slice(6)}` });
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}

async function check(url: string, key: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/project/has-paid`, {
    method: 'POST',
    headers: { 'x-license-key': key, 'x-devpayr-domain': 'shop.example.com', 'content-type': 'application/json' },
    body: '{}',
  });
  await res.arrayBuffer();
  return res.status;
}

const pgOnly = inject('postgres') ? describe : describe.skip;

for (const redis of [false, true]) {
  const maybe = redis && !inject('redis') ? describe.skip : pgOnly;
  maybe(`revocation across processes sharing PostgreSQL${redis ? ' and Redis' : ''}`, () => {
    let drop: () => Promise<void>;
    let main: TestServer;
    const children: ChildProcess[] = [];
    const urls: string[] = [];

    beforeAll(async () => {
      const scratch = await createScratchDatabase();
      drop = scratch.drop;
      main = await startServer('postgres', { databaseUrl: scratch.url, redis });
      urls.push(main.url);
      for (let i = 0; i < 2; i++) {
        const p = await spawnServer(scratch.url, redis);
        children.push(p.child);
        urls.push(p.url);
      }
    }, 60_000);

    afterAll(async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              c.removeAllListeners('exit');
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
      await main.close();
      await drop();
    });

    it('a revoked license stops passing on every process within one second', async () => {
      const owner = (await seedDeveloper(main.ctx)).userId;
      const project = await seedProject(main.ctx, owner);
      const { id, key } = await seedLicense(main.ctx, project);
      // Every process has the license cached as passing before the revocation.
      for (const url of urls) expect(await check(url, key)).toBe(200);

      const now = new Date();
      await main.ctx.db.updateTable('licenses').set({ status: 'revoked', revoked_at: now, updated_at: now }).where('id', '=', id).execute();
      const revokedAt = Date.now();

      const stoppedAfter = await Promise.all(
        urls.map(async (url) => {
          for (;;) {
            if ((await check(url, key)) === 403) return Date.now() - revokedAt;
            if (Date.now() - revokedAt > 3000) return Infinity;
            await new Promise((r) => setTimeout(r, 25));
          }
        }),
      );
      for (const ms of stoppedAfter) expect(ms).toBeLessThan(1000);
    });
  });
}
