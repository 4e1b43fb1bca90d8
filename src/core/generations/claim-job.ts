import { sql } from 'kysely';
import type { Context } from '../../context.js';
import { ANONYMOUS_CONCURRENCY, CONCURRENCY } from './generation.js';

export interface ClaimedJob {
  id: string;
  leaseToken: string;
  attempts: number;
}

/** SQL for the per-developer slot count of a tier (CONCURRENCY), by the owner's tier column. */
const limitCase = sql`case u.tier when 'cloud_premium' then ${CONCURRENCY.cloud_premium} when 'cloud_starter' then ${CONCURRENCY.cloud_starter} when 'free_starter' then ${CONCURRENCY.free_starter} else ${ANONYMOUS_CONCURRENCY} end`;

/**
 * Claims one due job: a pending generation whose time has come, or a processing one whose
 * lease ran out (its process died), if its developer has a free slot (1 / 3 / 10 running by
 * tier). The claim sets the lease and a fresh token; only that token may finish the job.
 *
 * SQLite: one UPDATE … WHERE id = (SELECT …) is atomic (one writer at a time), slot count
 * included. PostgreSQL: candidates are locked FOR UPDATE SKIP LOCKED so processes never wait
 * on each other's rows, and a transaction-scoped advisory lock per developer serialises the
 * slot count, so two processes cannot both take a developer's last slot.
 */
export async function claimJob(ctx: Pick<Context, 'db' | 'dialect' | 'clock' | 'config'>, leaseToken: string): Promise<ClaimedJob | null> {
  const now = ctx.clock.now();
  const leaseUntil = new Date(now.getTime() + ctx.config.generations.leaseSeconds * 1000);
  if (ctx.dialect === 'sqlite') {
    const r = await sql<{ id: string; attempts: number }>`
      update generations
      set status = 'processing', lease_until = ${leaseUntil}, lease_token = ${leaseToken}, attempts = attempts + 1,
          started_at = coalesce(started_at, ${now}), updated_at = ${now}
      where id = (
        select g.id from generations g left join users u on u.id = g.owner_id
        where ((g.status = 'pending' and g.run_after <= ${now}) or (g.status = 'processing' and g.lease_until < ${now}))
          and (select count(*) from generations r
               where coalesce(r.owner_id, '') = coalesce(g.owner_id, '') and r.status = 'processing' and r.lease_until >= ${now}) < ${limitCase}
        order by g.run_after, g.id limit 1)
      returning id, attempts`.execute(ctx.db);
    const row = r.rows[0];
    return row ? { id: row.id, leaseToken, attempts: Number(row.attempts) } : null;
  }
  return ctx.db.transaction().execute(async (trx) => {
    const candidates = await sql<{ id: string; owner_id: string | null; slots: number }>`
      select g.id, g.owner_id, ${limitCase} as slots from generations g left join users u on u.id = g.owner_id
      where ((g.status = 'pending' and g.run_after <= ${now}) or (g.status = 'processing' and g.lease_until < ${now}))
      order by g.run_after, g.id limit 8
      for update of g skip locked`.execute(trx);
    for (const c of candidates.rows) {
      const owner = c.owner_id ?? '';
      const locked = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(${'generation-slots:' + owner})) as ok`.execute(trx);
      if (!locked.rows[0]?.ok) continue;
      const running = await sql<{ n: number }>`
        select count(*)::int as n from generations
        where coalesce(owner_id, '') = ${owner} and status = 'processing' and lease_until >= ${now}`.execute(trx);
      if (Number(running.rows[0]!.n) >= Number(c.slots)) continue;
      const r = await sql<{ attempts: number }>`
        update generations
        set status = 'processing', lease_until = ${leaseUntil}, lease_token = ${leaseToken}, attempts = attempts + 1,
            started_at = coalesce(started_at, ${now}), updated_at = ${now}
        where id = ${c.id}
        returning attempts`.execute(trx);
      return { id: c.id, leaseToken, attempts: Number(r.rows[0]!.attempts) };
    }
    return null;
  });
}
