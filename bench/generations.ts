import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { toConfig } from '../src/config.js';
import { createContext } from '../src/compose.js';
import { spawnServer, type ServerProcess } from '../test/multiprocess/processes.js';
import { form, image, seedProjectUser } from '../test/generations/fixtures.js';

/**
 * `npm run bench:generations`: generation throughput and upload memory, each Tollgate a child
 * process on one SQLite file (the load generator does not share its event loop).
 *   1. accepted creates per second (local provider, small images, 20 clients)
 *   2. enqueue-to-start latency of those jobs (p50, p99), from the rows' own timestamps
 *   3. peak server RSS while 20 clients each upload 5 × 10 MB (target < 300 MB): uploads are
 *      streamed to storage, never held whole; this server runs no jobs, so only uploads count.
 */
const CREATES = Number(process.env.BENCH_CREATES ?? 200);
const CLIENTS = 20;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-genbench-'));
const databaseUrl = `sqlite:${path.join(dir, 'bench.sqlite')}`;
const secret = randomBytes(32).toString('base64url');
const base = { TOLLGATE_SECRET: secret, DATA_DIR: path.join(dir, 'data'), RATE_LIMIT: 'off', GENERATION_POLL_MS: '50' };

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function pool<T>(n: number, clients: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

const ctx = await createContext(
  toConfig({
    DATABASE_URL: databaseUrl,
    DATA_DIR: path.join(dir, 'seed'),
    TOLLGATE_SECRET: secret,
    LOG_LEVEL: 'silent',
    PASSWORD_HASH_MEMORY_KIB: '1024',
  }),
  { log: pino({ level: 'silent' }) },
);
const user = await seedProjectUser(ctx, { tier: 'cloud_premium' });
const servers: ServerProcess[] = [];
try {
  // 1 + 2: creates and enqueue-to-start latency, on a server that runs jobs.
  const worker = await spawnServer(databaseUrl, { env: { ...base, GENERATION_CONCURRENCY: '10' } });
  servers.push(worker);
  const png = await image('png', 7);
  const started = performance.now();
  const results = await pool(CREATES, CLIENTS, async (i) => {
    const res = await fetch(`${worker.url}/api/v1/generation/generate-v2`, {
      method: 'POST',
      headers: user.headers,
      body: form({ images: [png], instructions: `bench ${i}` }),
    });
    const body = (await res.json()) as { id?: string };
    return { status: res.status, id: body.id };
  });
  const seconds = (performance.now() - started) / 1000;
  const accepted = results.filter((r) => r.status === 200);
  const ids = accepted.map((r) => r.id!);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const open = await ctx.db
      .selectFrom('generations')
      .select('id')
      .where('id', 'in', ids)
      .where('status', 'in', ['pending', 'processing'])
      .execute();
    if (open.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const rows = await ctx.db
    .selectFrom('generations')
    .select(['enqueued_at', 'started_at', 'status'])
    .where('id', 'in', ids)
    .execute();
  const waits = rows
    .filter((r) => r.started_at)
    .map((r) => new Date(r.started_at!).getTime() - new Date(r.enqueued_at).getTime())
    .sort((a, b) => a - b);
  console.log(
    `creates: ${accepted.length}/${CREATES} accepted in ${seconds.toFixed(1)} s = ${(accepted.length / seconds).toFixed(0)} creates/s (${CLIENTS} clients, local provider)`,
  );
  console.log(
    `enqueue-to-start: p50 ${percentile(waits, 50)} ms, p99 ${percentile(waits, 99)} ms over ${waits.length} jobs (premium: 10 at once per developer); ${rows.filter((r) => r.status === 'completed').length} completed`,
  );
  await worker.stop();
  servers.pop();

  // 3: peak RSS during 20 × 5 × 10 MB uploads, on a server that only accepts.
  const acceptor = await spawnServer(databaseUrl, { env: { ...base, GENERATION_CONCURRENCY: '0' } });
  servers.push(acceptor);
  const small = await image('png', 8);
  const big = Buffer.concat([small, Buffer.alloc(10 * 1024 * 1024 - small.length)]);
  const before = rssOf(acceptor.child.pid!);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(acceptor.child.pid!))), 50);
  const t0 = performance.now();
  const uploads = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const res = await fetch(`${acceptor.url}/api/v1/generation/generate-v2`, {
        method: 'POST',
        headers: user.headers,
        body: form({ images: [big, big, big, big, big], instructions: `upload ${i}` }),
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  clearInterval(sampler);
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `uploads: ${uploads.filter((s) => s === 200).length}/${CLIENTS} × 5 × 10 MB accepted in ${secs.toFixed(1)} s; server RSS ${mb(before)} MB before, peak ${mb(peak)} MB (target < 300 MB: ${peak < 300 * 1024 * 1024 ? 'met' : 'NOT met'})`,
  );
} finally {
  for (const s of servers) await s.stop();
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
