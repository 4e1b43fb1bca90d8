import { sql, type Transaction } from 'kysely';
import type { Context } from '../../context.js';
import { claimLeased } from '../../db/claim-leased.js';
import type { Database } from '../../db/schema/index.js';
import { ANONYMOUS_CONCURRENCY, CONCURRENCY } from './generation.js';

export interface ClaimedJob {
  id: string;
  leaseToken: string;
  attempts: number;
}

/** SQL for the per-developer slot count of a tier (CONCURRENCY), by the owner's tier column `u.tier`. */
const limitCase = sql<number>`case u.tier when 'cloud_premium' then ${CONCURRENCY.cloud_premium} when 'cloud_starter' then ${CONCURRENCY.cloud_starter} when 'free_starter' then ${CONCURRENCY.free_starter} else ${ANONYMOUS_CONCURRENCY} end`;

/**
 * Claims one due job: a pending generation whose time has come, or a processing one whose
 * lease ran out (its process died), if its developer has a free slot (1 / 3 / 10 running by
 * tier). The claim sets the lease and a fresh token; only that token may finish the job.
 *
 * The slot count: on SQLite it is part of the one claiming statement (one writer at a time);
 * on PostgreSQL a transaction-scoped advisory lock per developer serialises it, checked for
 * each locked candidate, so two processes cannot both take a developer's last slot.
 */
export async function claimJob(
  ctx: Pick<Context, 'db' | 'dialect' | 'clock' | 'config'>,
  leaseToken: string,
): Promise<ClaimedJob | null> {
  const now = ctx.clock.now();
  const leaseUntil = new Date(now.getTime() + ctx.config.generations.leaseSeconds * 1000);
  const [job] = await claimLeased(ctx, 1, {
    due: (db) => {
      const due = (q: typeof base) =>
        q
          .select('g.id')
          .where(
            sql<boolean>`((g.status = 'pending' and g.run_after <= ${now}) or (g.status = 'processing' and g.lease_until < ${now}))`,
          )
          .orderBy('g.run_after')
          .orderBy('g.id');
      const base = db.selectFrom('generations as g');
      if (ctx.dialect === 'postgres') return due(base).limit(8);
      return due(base)
        .leftJoin('users as u', 'u.id', 'g.owner_id')
        .where(sql<boolean>`(select count(*) from generations r
          where coalesce(r.owner_id, '') = coalesce(g.owner_id, '') and r.status = 'processing' and r.lease_until >= ${now}) < ${limitCase}`)
        .limit(1);
    },
    admit: (trx, id) => slotFree(trx, id, now),
    take: (db, ids) =>
      db
        .updateTable('generations')
        .set((eb) => ({
          status: 'processing',
          lease_until: leaseUntil,
          lease_token: leaseToken,
          attempts: eb('attempts', '+', 1),
          started_at: eb.fn.coalesce('started_at', eb.val(now)),
          updated_at: now,
        }))
        .where('id', 'in', ids)
        .returning(['id', 'attempts'])
        .execute(),
  });
  return job ? { id: job.id, leaseToken, attempts: Number(job.attempts) } : null;
}

/** PostgreSQL: whether the developer of locked candidate `id` has a free slot, holding their advisory lock until the claim commits. */
async function slotFree(trx: Transaction<Database>, id: string, now: Date): Promise<boolean> {
  const c = await sql<{ owner: string; slots: number }>`
    select coalesce(g.owner_id, '') as owner, ${limitCase} as slots from generations g left join users u on u.id = g.owner_id where g.id = ${id}`.execute(
    trx,
  );
  const { owner, slots } = c.rows[0]!;
  const locked = await sql<{
    ok: boolean;
  }>`select pg_try_advisory_xact_lock(hashtext(${`generation-slots:${owner}`})) as ok`.execute(trx);
  if (!locked.rows[0]?.ok) return false;
  const running = await sql<{ n: number }>`
    select count(*)::int as n from generations
    where coalesce(owner_id, '') = ${owner} and status = 'processing' and lease_until >= ${now}`.execute(trx);
  return Number(running.rows[0]!.n) < Number(slots);
}
