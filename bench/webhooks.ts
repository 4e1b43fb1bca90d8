import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { toConfig } from '../src/config.js';
import { createContext } from '../src/compose.js';
import { recordEvent } from '../src/core/events/record-event.js';
import { sealSecret } from '../src/lib/crypto.js';
import { uuidv7 } from '../src/lib/ids.js';
import { spawnServer, type ServerProcess } from '../test/multiprocess/processes.js';

/**
 * `npm run bench:webhooks`: webhook delivery with two Tollgate processes sharing PostgreSQL
 * (the multi-process setup), to a receiver on loopback answering 200 at once.
 *  - throughput: BENCH_WEBHOOK_EVENTS events recorded in one transaction, timed until the
 *    receiver has every one (deliveries per second across both processes);
 *  - latency: events recorded one at a time, ~20 per second, measured from the event's
 *    commit to the receiver's first request for it (p50, p99; target p50 < 1 s).
 * Events are recorded through the core's own recordEvent, as every change does.
 */
const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 3000);
const LATENCY_SAMPLES = Number(process.env.BENCH_WEBHOOK_SAMPLES ?? 200);
const SECRET = 'whsec-bench-secret';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const dbName = `tollgate_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);

  const seen = new Map<string, number>();
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      if (!seen.has(id)) seen.set(id, performance.timeOrigin + performance.now());
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const serverSecret = 'bench-server-secret-0123456789abcdef0123';
  const ctx = await createContext(
    toConfig({ DATABASE_URL: databaseUrl, DATA_DIR: '/tmp', TOLLGATE_SECRET: serverSecret, LOG_LEVEL: 'silent' }),
    { log: pino({ level: 'silent' }) },
  );
  const children: ServerProcess[] = [];
  try {
    const now = new Date();
    const ownerId = uuidv7();
    const projectId = uuidv7();
    await ctx.db
      .insertInto('users')
      .values({
        id: ownerId,
        email: 'bench@example.com',
        email_scope: 'global',
        email_lower: 'bench@example.com',
        password_hash: 'x',
        full_name: null,
        role: 'developer',
        project_id: null,
        tier: 'cloud_premium',
        is_active: true,
        email_verified_at: now,
        created_at: now,
      })
      .execute();
    await ctx.db
      .insertInto('projects')
      .values({
        id: projectId,
        owner_id: ownerId,
        name: 'Bench',
        slug: `bench-${projectId}`,
        description: null,
        default_redirect_url: null,
        webhook_url: hookUrl,
        logo_url: null,
        webhook_secret_enc: sealSecret(ctx.keys.seal, SECRET),
        meta: null,
        is_active: true,
        has_paid: true,
        created_at: now,
        updated_at: null,
      })
      .execute();

    const env = { TOLLGATE_SECRET: serverSecret, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };
    for (let i = 0; i < 2; i++) children.push(await spawnServer(databaseUrl, { env }));

    const record = (n: number) =>
      ctx.db.transaction().execute(async (trx) => {
        const ids: string[] = [];
        for (let i = 0; i < n; i++)
          ids.push(
            await recordEvent(trx, ctx, {
              ownerId,
              projectId,
              type: 'webhook.test',
              data: { project_id: projectId, n: i },
            }),
          );
        return ids;
      });

    // Throughput.
    const batch = await record(EVENTS);
    const started = performance.timeOrigin + performance.now();
    while (batch.some((id) => !seen.has(id))) await new Promise((r) => setTimeout(r, 20));
    const last = Math.max(...batch.map((id) => seen.get(id)!));
    const perSecond = EVENTS / ((last - started) / 1000);

    // Latency, from commit to first request.
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const [id] = await record(1);
      const committed = performance.timeOrigin + performance.now();
      void (async () => {
        while (!seen.has(id!)) await new Promise((r) => setTimeout(r, 5));
        latencies.push(seen.get(id!)! - committed);
      })();
      await new Promise((r) => setTimeout(r, 50));
    }
    while (latencies.length < LATENCY_SAMPLES) await new Promise((r) => setTimeout(r, 50));
    latencies.sort((a, b) => a - b);
    console.log(
      `webhooks: ${perSecond.toFixed(0)} deliveries/s with 2 processes (${EVENTS} events); event-to-first-attempt p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms (target p50 < 1000 ms)`,
    );
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await ctx.close();
    receiver.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

await main();
