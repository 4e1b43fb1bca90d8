import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { toConfig } from '../src/config.js';
import { createContext } from '../src/compose.js';
import { hashKey } from '../src/core/keys/secret-key.js';
import { reactivateLicense } from '../src/core/licenses/reactivate-license.js';
import { revokeLicense } from '../src/core/licenses/revoke-license.js';
import { buildIfStale, dropPostgres, launch, median, serverScript, stop, type Server } from './load.js';

/**
 * `npm run bench:push`: how long a change to a license takes to reach every serving process
 * (issue 9: p99 < 100 ms with Redis; the one-second polling bound without it). Three servers
 * with REDIS_URL and three without share one PostgreSQL database; a fourth process (this one)
 * revokes and reactivates licenses through the core, as the API would, and each trial times
 * how long every server keeps giving the old answer, checking back to back from the moment
 * the change committed. Each server has the license's answer cached before the change, so
 * the figure is the invalidation's, not a first read's.
 *
 * BENCH_PUSH_TRIALS (default 200) changes per group; REDIS_URL defaults to the local Redis.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const TRIALS = Number(process.env.BENCH_PUSH_TRIALS ?? 200);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROCESSES = 3;
const GIVE_UP_MS = 5_000;

async function status(server: Server, key: string, domain: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/project/has-paid`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-license-key': key, 'x-devpayr-domain': domain },
    body: '{}',
  });
  await res.arrayBuffer();
  return res.status;
}

/** Milliseconds from `since` until `server` answers `want`. */
async function until(server: Server, key: string, domain: string, want: number, since: number): Promise<number> {
  for (;;) {
    if ((await status(server, key, domain)) === want) return performance.now() - since;
    if (performance.now() - since > GIVE_UP_MS)
      throw new Error(`a server still gave the old answer after ${GIVE_UP_MS} ms`);
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]!;
}

buildIfStale(root);
const seeded = await launch(path.join(here, 'seed-db.ts'), ['postgres', '1000', '10']);
const { databaseUrl, dataDir } = seeded.ready as { databaseUrl: string; dataDir: string };
const sample = (seeded.ready.sample as Array<{ key: string; domain: string }>).slice(0, TRIALS);
const servers: Record<'redis' | 'polling', Server[]> = { redis: [], polling: [] };
const ctx = await createContext(
  toConfig({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, REDIS_URL, LOG_LEVEL: 'silent' }),
  {
    log: pino({ level: 'silent' }),
  },
);
try {
  for (const group of ['redis', 'polling'] as const) {
    for (let i = 0; i < PROCESSES; i++) {
      const env: Record<string, string> = {
        DATABASE_URL: databaseUrl,
        DATA_DIR: dataDir,
        ...(group === 'redis' ? { REDIS_URL } : { REDIS_URL: '' }),
      };
      const started = await launch(serverScript(root), [], env);
      servers[group].push({ child: started.child, port: started.ready.port });
    }
  }
  const owner = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'bench@example.com')
    .executeTakeFirstOrThrow();
  const principal = { kind: 'developer' as const, userId: owner.id, tier: 'free_starter' as const, keyId: null };
  console.log(
    `bench:push: ${PROCESSES} processes with Redis and ${PROCESSES} without on one PostgreSQL, ${sample.length} changes each`,
  );
  for (const group of ['redis', 'polling'] as const) {
    const seen: number[] = [];
    for (const [i, s] of sample.entries()) {
      const license = await ctx.db
        .selectFrom('licenses')
        .select(['id', 'project_id', 'status'])
        .where('key_hash', '=', hashKey(s.key))
        .executeTakeFirstOrThrow();
      const revoke = license.status === 'active';
      // Every server has the current answer cached before the change.
      for (const server of servers[group]) await until(server, s.key, s.domain, revoke ? 200 : 403, performance.now());
      for (const server of servers[group]) await status(server, s.key, s.domain);
      await (revoke ? revokeLicense : reactivateLicense)(ctx, principal, license.project_id, license.id);
      const since = performance.now();
      seen.push(
        ...(await Promise.all(
          servers[group].map((server) => until(server, s.key, s.domain, revoke ? 403 : 200, since)),
        )),
      );
      if ((i + 1) % 50 === 0) process.stdout.write(`  ${group}: ${i + 1}/${sample.length}\n`);
    }
    console.log(
      `runtime push (${group === 'redis' ? 'Redis' : 'polling only'}): change seen by every process p50 ${median(seen).toFixed(1)} ms, ` +
        `p99 ${percentile(seen, 0.99).toFixed(1)} ms, max ${Math.max(...seen).toFixed(1)} ms over ${seen.length}`,
    );
  }
} finally {
  for (const server of [...servers.redis, ...servers.polling]) await stop(server.child);
  await ctx.close();
  await dropPostgres(databaseUrl);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
