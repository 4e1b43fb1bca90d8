import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toConfig } from '../../src/config.js';
import { createContext } from '../../src/compose.js';
import type { Context } from '../../src/context.js';
import { utcMonth } from '../../src/core/generations/generation.js';
import { sharedDatabase } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { seedProject } from '../devpayr/runtime-fixtures.js';
import { image, postGeneration, seedProjectUser } from '../generations/fixtures.js';
import { nodeArgs } from '../support/node-args.js';
import { spawnServer, type ServerProcess } from './processes.js';

const DEVKIT_LIMIT = 'Maximum number of projects reached for your subscription tier. Upgrade to create more projects.';

/** `sqlite-counter.ts` as its own OS process; its one line of JSON. */
function runCounter(
  databaseUrl: string,
  transactions: number,
): Promise<{ done: number; errors: Record<string, number> }> {
  const child = spawn(
    process.execPath,
    [...nodeArgs(new URL('./sqlite-counter.ts', import.meta.url).pathname), String(transactions)],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!))
        : reject(new Error(`counter process exited with ${code}`)),
    );
  });
}

/**
 * Several processes writing one SQLite file at once, as `tollgate serve` twice (or serve and
 * `tollgate worker`) on one machine do: write transactions take the write lock at BEGIN
 * (IMMEDIATE), so they run one after another across processes with nothing refused, and every
 * count that a transaction checks before it writes comes out exact.
 */
describe('three processes writing one SQLite file at once', () => {
  let shared: { url: string; drop: () => Promise<void> };
  let ctx: Context;
  let dataDir: string;
  const children: ServerProcess[] = [];
  const env = {
    TOLLGATE_SECRET: randomBytes(32).toString('base64url'),
    GENERATION_CONCURRENCY: '0',
    PASSWORD_HASH_MEMORY_KIB: '1024',
  };

  beforeAll(async () => {
    shared = await sharedDatabase('sqlite');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-writers-'));
    // Started together on a new file: each applies the migrations at start (one transaction,
    // so the first applies them and the others find them applied); none may fail to start.
    children.push(...(await Promise.all([0, 1, 2].map(() => spawnServer(shared.url, { env })))));
    // This process seeds and counts; it serves nothing.
    ctx = await createContext(toConfig({ DATABASE_URL: shared.url, DATA_DIR: dataDir, ...env }), {
      log: pino({ level: 'silent' }),
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await ctx?.close();
    await shared?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const count = async (
    table: 'licenses' | 'projects' | 'generations',
    column: 'project_id' | 'owner_id',
    value: string,
  ) => {
    const r = await sql<{
      n: number;
    }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(ctx.db);
    return Number(r.rows[0]!.n);
  };

  it('licenses, a contested title, plan limits and the generation quota, all at once over three processes: no error, exact counts', {
    timeout: 120_000,
  }, async () => {
    const urls = children.map((c) => c.url);
    const vendor = await seedDeveloper(ctx, { tier: 'cloud_premium' });
    const project = await seedProject(ctx, vendor.userId);
    const builder = await seedDeveloper(ctx);
    const generating = await seedProjectUser(ctx, { tier: 'free_starter' });
    const month = utcMonth(new Date());
    await ctx.db
      .insertInto('generation_usage')
      .values({ owner_id: generating.developer.userId, month, used: 90 })
      .execute();
    const png = await image();

    const post = async (url: string, p: string, headers: Record<string, string>, body: unknown) => {
      const res = await fetch(url + p, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const at = (i: number) => urls[i % urls.length]!;
    const [distinct, contested, projects, generations] = await Promise.all([
      // 90 licenses of distinct titles: every one lands.
      Promise.all(
        Array.from({ length: 90 }, (_, i) =>
          post(at(i), `/api/v1/project/${project}/licenses`, vendor.apiKeyHeaders, { title: `Seat ${i}` }),
        ),
      ),
      // 30 of one title: the title check reads, then the insert writes; exactly one lands.
      Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          post(at(i), `/api/v1/project/${project}/licenses`, vendor.apiKeyHeaders, { title: 'Contested' }),
        ),
      ),
      // 30 projects of a Free Starter developer: 5 land.
      Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          post(at(i), '/api/v1/projects/', builder.headers, { name: `Parallel ${i}` }),
        ),
      ),
      // 50 generations with 10 units of the month left: 10 land.
      Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          postGeneration(at(i), generating.headers, { images: [png], instructions: `three processes ${i}` }),
        ),
      ),
    ]);

    expect(distinct.map((r) => r.status)).toEqual(distinct.map(() => 201));
    expect(contested.filter((r) => r.status === 201)).toHaveLength(1);
    expect(contested.filter((r) => r.status !== 201).map((r) => r.status)).toEqual(Array(29).fill(422));
    expect(projects.filter((r) => r.status === 201)).toHaveLength(5);
    expect(
      projects.filter((r) => r.status !== 201).every((r) => r.status === 403 && r.body.detail === DEVKIT_LIMIT),
    ).toBe(true);
    expect(generations.filter((r) => r.status === 200)).toHaveLength(10);
    expect(generations.filter((r) => r.status !== 200).map((r) => r.status)).toEqual(Array(40).fill(429));

    expect(await count('licenses', 'project_id', project)).toBe(91);
    const created = await ctx.db
      .selectFrom('events')
      .select('id')
      .where('project_id', '=', project)
      .where('type', '=', 'license.created')
      .execute();
    expect(created).toHaveLength(91);
    expect(await count('projects', 'owner_id', builder.userId)).toBe(5);
    expect(await count('generations', 'owner_id', generating.developer.userId)).toBe(10);
    const usage = await ctx.db
      .selectFrom('generation_usage')
      .select('used')
      .where('owner_id', '=', generating.developer.userId)
      .where('month', '=', month)
      .executeTakeFirstOrThrow();
    expect(Number(usage.used)).toBe(100);
  });

  it('read-then-write transactions from three more processes lose no update and meet no SQLITE_BUSY', {
    timeout: 120_000,
  }, async () => {
    // Each reads the counter, yields, writes it plus one: with a deferred BEGIN, a third of them
    // failed with SQLITE_BUSY_SNAPSHOT (a read snapshot that another process's commit made stale).
    const results = await Promise.all([0, 1, 2].map(() => runCounter(shared.url, 200)));
    expect(results).toEqual(results.map(() => ({ done: 200, errors: {} })));
    const r = await sql<{ n: number }>`select n from multiprocess_counter where id = 1`.execute(ctx.db);
    expect(Number(r.rows[0]!.n)).toBe(600);
  });
});
