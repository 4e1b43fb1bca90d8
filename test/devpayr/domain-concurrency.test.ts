import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lockAccount } from '../../src/core/accounts/lock-account.js';
import { lockProject } from '../../src/core/projects/lock-project.js';
import type { Database } from '../../src/db/schema/index.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedTenant, type Tenant } from './licenses-fixtures.js';

/** Holds a lock in an open transaction until release() is called. */
async function holdLock(s: TestServer, take: (trx: Transaction<Database>) => Promise<void>) {
  let release!: () => void;
  let taken!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const isTaken = new Promise<void>((r) => (taken = r));
  const done = s.ctx.db.transaction().execute(async (trx) => {
    await take(trx);
    taken();
    await released;
  });
  await isTaken;
  return async () => {
    release();
    await done;
  };
}

/** Until a backend of this database waits on a lock (or 10 s pass): the request is queued behind ours. */
async function someoneWaitsOnALock(s: TestServer): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    const r = await sql<{
      n: number;
    }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(
      s.ctx.db,
    );
    if (Number(r.rows[0]!.n) > 0) return true;
    await new Promise((res) => setTimeout(res, 50));
  }
  return false;
}

const settledWithin = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

forEachDatabase('devpayr domains under concurrency', (kind) => {
  let s: TestServer;
  let t: Tenant;
  const create = (body: unknown, projectId = t.projectId) =>
    s.request('POST', `/api/v1/project/${projectId}/domains`, { headers: t.dev.apiKeyHeaders, body });

  beforeAll(async () => {
    s = await startServer(kind);
    t = await seedTenant(s);
  });
  afterAll(async () => s?.close());

  it('keeps exactly one primary when many domains are created as primary at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => create({ domain: `p${i}.race.example.com`, is_primary: true })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    const rows = await s.ctx.db
      .selectFrom('domains')
      .select(['domain', 'is_primary'])
      .where('project_id', '=', t.projectId)
      .where('domain', 'like', '%.race.example.com')
      .execute();
    expect(rows).toHaveLength(12);
    expect(rows.filter((r) => Boolean(r.is_primary))).toHaveLength(1);
  });

  it('creates the same domain sent at once exactly once: one 201, the rest refused as taken', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => create({ domain: 'same.race.example.com' })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(422);
      expect(JSON.stringify(r.body)).toMatch(/already been taken/);
    }
  });

  // Row locks held by another transaction: PostgreSQL's kind (SQLite has one write lock for the whole file).
  if (kind !== 'postgres') return;

  it("does not wait for the owner's account lock: a transaction holding it does not hold up domain writes", async () => {
    const release = await holdLock(s, (trx) => lockAccount(trx, t.dev.userId));
    try {
      const created = create({ domain: 'while-account-locked.example.com' });
      // Before: every domain write of the account queued here, across all its projects and processes.
      expect(await settledWithin(created, 10_000)).toBe(true);
      expect((await created).status).toBe(201);
      const d = (await created).body.data;
      const updated = s.request('PUT', `/api/v1/project/${t.projectId}/domain/${d.id}`, {
        headers: t.dev.apiKeyHeaders,
        body: { has_paid: true },
      });
      expect(await settledWithin(updated, 10_000)).toBe(true);
      expect((await updated).status).toBe(200);
    } finally {
      await release();
    }
  });

  it('takes the project lock only to change the primary: plain creates pass it, a primary create waits for it', async () => {
    const release = await holdLock(s, (trx) => lockProject(trx, t.otherProjectId));
    let primary: ReturnType<typeof create> | null = null;
    try {
      const plain = create({ domain: 'plain.locked-project.example.com' }, t.otherProjectId);
      expect(await settledWithin(plain, 10_000)).toBe(true);
      expect((await plain).status).toBe(201);
      primary = create({ domain: 'primary.locked-project.example.com', is_primary: true }, t.otherProjectId);
      expect(await someoneWaitsOnALock(s)).toBe(true);
    } finally {
      await release();
    }
    expect((await primary!).status).toBe(201);
  });
});
