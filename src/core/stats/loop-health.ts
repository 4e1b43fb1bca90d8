import type { Context } from '../../context.js';
import type { HealthCheck } from './instance-health.js';

/** Work due for longer than this, and still not taken, means no process is doing it (or too slowly). */
export const LAG_MS = 5 * 60_000;

type LoopCtx = Pick<Context, 'db' | 'clock'>;

/** How many rows are due, how many of them have waited past LAG_MS, and since when the oldest. */
interface Backlog {
  due: number;
  late: number;
  oldest: Date | null;
}

function check(name: string, runner: string, b: Backlog, now: Date): HealthCheck {
  if (b.late > 0) {
    const minutes = b.oldest ? Math.round((now.getTime() - b.oldest.getTime()) / 60_000) : 0;
    return {
      name,
      status: 'warning',
      summary: `${b.late} due for over ${LAG_MS / 60_000} minutes, the oldest for ${minutes}: is ${runner} running?`,
    };
  }
  return { name, status: 'ok', summary: b.due === 0 ? 'Nothing waiting.' : `${b.due} due, none for long.` };
}

/** SQLite answers the minimum as text, PostgreSQL as a Date; sums of no rows are null. */
async function backlog(row: Promise<{ due: unknown; late: unknown; oldest: unknown } | undefined>): Promise<Backlog> {
  const r = await row;
  return {
    due: Number(r?.due ?? 0),
    late: Number(r?.late ?? 0),
    oldest: r?.oldest ? new Date(r.oldest as string | Date) : null,
  };
}

/**
 * The background loops, read from their rows rather than from this process's memory: the
 * loops may run in other processes (`tollgate worker`, other servers), and a loop that is
 * not running anywhere shows as work that stays due. Generation jobs, webhook deliveries and
 * the removal of deleted generations' images.
 */
export async function loopChecks(ctx: LoopCtx): Promise<HealthCheck[]> {
  const now = ctx.clock.now();
  const cut = new Date(now.getTime() - LAG_MS);
  const [jobs, deliveries, images] = await Promise.all([
    // A job is due when pending and past run_after, or when its lease lapsed (its process died).
    backlog(
      ctx.db
        .selectFrom('generations')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('run_after', '<=', now)]),
            eb.and([eb('status', '=', 'processing'), eb('lease_until', '<', now)]),
          ]),
        )
        .select((eb) => {
          const dueAt = eb
            .case()
            .when('status', '=', 'pending')
            .then(eb.ref('run_after'))
            .else(eb.ref('lease_until'))
            .end();
          return [
            eb.fn.countAll<number>().as('due'),
            eb.fn.sum<number>(eb.case().when(dueAt, '<=', cut).then(1).else(0).end()).as('late'),
            eb.fn.min(dueAt).as('oldest'),
          ];
        })
        .executeTakeFirst(),
    ),
    backlog(
      ctx.db
        .selectFrom('webhook_deliveries')
        .where('status', 'in', ['pending', 'retrying'])
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .select((eb) => [
          eb.fn.countAll<number>().as('due'),
          eb.fn.sum<number>(eb.case().when('next_attempt_at', '<=', cut).then(1).else(0).end()).as('late'),
          eb.fn.min('next_attempt_at').as('oldest'),
        ])
        .executeTakeFirst(),
    ),
    backlog(
      ctx.db
        .selectFrom('generation_blob_deletions')
        .where('due_at', '<=', now)
        .select((eb) => [
          eb.fn.countAll<number>().as('due'),
          eb.fn.sum<number>(eb.case().when('due_at', '<=', cut).then(1).else(0).end()).as('late'),
          eb.fn.min('due_at').as('oldest'),
        ])
        .executeTakeFirst(),
    ),
  ]);
  return [
    check('Generation jobs', 'a server or `tollgate worker`', jobs, now),
    check('Webhook deliveries', 'a server', deliveries, now),
    // The images of deleted generations, removed from the blob store after the row.
    check('Image removal', 'a server or `tollgate worker`', images, now),
  ];
}
