import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, sharedDatabase, startServer, type TestServer } from '../support/harness.js';
import { nodeArgs } from '../support/node-args.js';
import { utcMonth } from '../../src/core/generations/generation.js';
import { image, postGeneration, seedProjectUser } from './fixtures.js';
import { fakeReplicate, type FakeReplicate } from './fake-providers.js';

const TOKEN = 'r8_kill_test_token';
const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

/** `tollgate worker` as its own OS process; resolves once it says it is running jobs. */
function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs(MAIN), 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('Tollgate worker running generation jobs')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited early (${code ?? signal})`)));
  });
}

forEachDatabase('generations: a worker killed with SIGKILL mid-generation', (kind) => {
  let fake: FakeReplicate;
  let s: TestServer;
  let databaseUrl: string;
  let drop: () => Promise<void> = async () => {};
  const workers: ChildProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-kill-'));
  let env: Record<string, string>;

  beforeAll(async () => {
    // Predictions take a while, so the kill lands while every job is processing.
    fake = await fakeReplicate(TOKEN, { runMs: 1500 });
    const shared = await sharedDatabase(kind);
    databaseUrl = shared.url;
    drop = shared.drop;
    env = {
      DATABASE_URL: databaseUrl,
      // One blob store for all processes, as a shared volume (or S3) would be.
      DATA_DIR: path.join(dir, 'data'),
      TOLLGATE_SECRET: randomBytes(32).toString('base64url'),
      GENERATION_PROVIDER: 'replicate',
      REPLICATE_API_TOKEN: TOKEN,
      REPLICATE_BASE_URL: `${fake.url}/v1`,
      GENERATION_LEASE_SECONDS: '2',
      GENERATION_POLL_MS: '100',
      GENERATION_RETRY_BASE_MS: '50',
      LOG_LEVEL: 'info',
      REDIS_URL: '',
    };
    // The accepting server runs no jobs: all of them go to the worker processes.
    s = await startServer(kind, { databaseUrl, env: { ...env, GENERATION_CONCURRENCY: '0', LOG_LEVEL: 'silent' } });
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await s.close();
    await fake.close();
    await drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every accepted generation completes exactly once, counted once, after the worker running them is killed', async () => {
    const u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
    const owner = await seedProjectUser(s.ctx, { tier: 'free_starter' });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const who = i % 2 ? u : owner;
      const r = await postGeneration(s.url, who.headers, {
        images: [await image('png', i)],
        instructions: `survive ${i}`,
      });
      expect(r.status).toBe(200);
      ids.push(r.body.id);
    }
    const first = await startWorker(env);
    workers.push(first);
    // Wait until the first worker holds jobs of both developers (one at a time for the Free Starter one).
    const deadline = Date.now() + 15_000;
    for (;;) {
      const rows = await s.ctx.db
        .selectFrom('generations')
        .select(['status', 'owner_id'])
        .where('id', 'in', ids)
        .execute();
      const running = rows.filter((r) => r.status === 'processing');
      const both =
        running.some((r) => r.owner_id === u.developer.userId) &&
        running.some((r) => r.owner_id === owner.developer.userId);
      // ...and has asked the provider for them: the kill lands mid-generation.
      if (both && fake.creates.length >= 2) break;
      if (Date.now() > deadline) throw new Error('the worker never started the jobs');
      await new Promise((r) => setTimeout(r, 20));
    }
    const createdBeforeKill = fake.creates.length;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = await startWorker(env);
    workers.push(second);
    const until = Date.now() + 45_000;
    for (;;) {
      const rows = await s.ctx.db.selectFrom('generations').select('status').where('id', 'in', ids).execute();
      if (rows.every((r) => r.status === 'completed')) break;
      if (rows.some((r) => r.status === 'failed')) throw new Error('a generation failed');
      if (Date.now() > until) throw new Error(`not finished: ${rows.map((r) => r.status).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // An idle worker keeps waiting for jobs (on SQLite nothing but the worker itself holds the
    // process open: it once exited by itself here, and this wait for its exit hung).
    await new Promise((r) => setTimeout(r, 500));
    expect({ code: second.exitCode, signal: second.signalCode }).toEqual({ code: null, signal: null });
    const exited = new Promise((r) => second.once('exit', r));
    second.kill('SIGTERM');
    await exited;
    expect(second.exitCode).toBe(0);

    // The kill really interrupted work: jobs were started again after it.
    expect(createdBeforeKill).toBeGreaterThan(0);
    expect(fake.creates.length).toBeGreaterThan(createdBeforeKill);
    // Exactly one completion event per generation.
    const events = await s.ctx.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'generation.completed')
      .execute();
    const byId = new Map<string, number>();
    for (const e of events) {
      const id = JSON.parse(e.payload).id as string;
      byId.set(id, (byId.get(id) ?? 0) + 1);
    }
    expect(ids.map((id) => byId.get(id))).toEqual(ids.map(() => 1));
    // Counted once: three units of the Free Starter developer's month (premium is unmetered).
    const usage = await s.ctx.db
      .selectFrom('generation_usage')
      .select('used')
      .where('owner_id', '=', owner.developer.userId)
      .where('month', '=', utcMonth(new Date()))
      .executeTakeFirstOrThrow();
    expect(Number(usage.used)).toBe(3);
    // One result kept per generation, and nothing left over from the killed attempts.
    for (const id of ids) {
      const files = fs
        .readdirSync(path.join(env.DATA_DIR!, 'blobs', 'generations', id))
        .filter((f) => f.startsWith('result-') && !f.endsWith('.type'));
      expect(files, id).toHaveLength(1);
      const row = await s.ctx.db
        .selectFrom('generations')
        .select('result_key')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.result_key).toBe(`generations/${id}/${files[0]}`);
    }
  }, 240_000); // two `tollgate worker` starts and a Free Starter developer's jobs one at a time: minutes on a loaded CI machine
});
