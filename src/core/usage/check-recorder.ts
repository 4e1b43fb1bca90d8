import { sql } from 'kysely';
import type { Context } from '../../context.js';
import { randomBytes } from 'node:crypto';

export interface CheckRecord {
  projectId: string | null;
  licenseId: string | null;
  identifier: string | null;
  outcome: string;
  at: Date;
}

interface SeenIdentifier {
  licenseId: string;
  identifier: string;
  baseDomain: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

interface DayCount {
  licenseId: string;
  day: string;
  count: number;
}

/** UUID v7 ids for one flush from one draw of randomness (one draw per row showed up in profiles). */
class UuidBatch {
  private readonly pool: Buffer;
  private offset = 0;
  constructor(count: number) {
    this.pool = randomBytes(Math.max(1, count) * 10);
  }
  next(ms: number): string {
    const b = Buffer.alloc(16);
    b.writeUIntBE(ms, 0, 6);
    this.pool.copy(b, 6, this.offset, this.offset + 10);
    this.offset += 10;
    b[6] = (b[6]! & 0x0f) | 0x70;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

// Small, frequent flushes: on SQLite a write blocks the event loop, and a few hundred rows at
// a time keep that pause to a few milliseconds instead of tens at the tail of the latency.
const FLUSH_EVERY_MS = 250;
const FLUSH_AT_ROWS = 400;
const COUNTERS_EVERY_MS = 1000;

/**
 * Statistics of runtime checks, kept off the request path: checks, identifier sightings and
 * per-day counts accumulate in memory and are written in one transaction per second (or
 * sooner under load), and once more when the context closes. Under steady traffic on known
 * identifiers a check therefore adds no write of its own.
 */
export class CheckRecorder {
  private checks: CheckRecord[] = [];
  private seen = new Map<string, SeenIdentifier>();
  private days = new Map<string, DayCount>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private countersWrittenAt = performance.now();

  constructor(private readonly ctx: Pick<Context, 'db' | 'log'>) {}

  record(check: CheckRecord): void {
    this.checks.push(check);
    this.schedule();
  }

  /** A check that passed from `identifier` (batched last_seen/use_count and the day's count). */
  sighting(licenseId: string, identifier: string | null, baseDomain: string | null, at: Date, countDay: boolean): void {
    if (identifier !== null && baseDomain !== null) {
      const key = `${licenseId}\u0000${identifier}`;
      const s = this.seen.get(key);
      if (s) {
        s.count++;
        s.lastAt = at;
      } else this.seen.set(key, { licenseId, identifier, baseDomain, count: 1, firstAt: at, lastAt: at });
    }
    if (countDay) {
      const day = at.toISOString().slice(0, 10);
      const key = `${licenseId}\u0000${day}`;
      const d = this.days.get(key);
      if (d) d.count++;
      else this.days.set(key, { licenseId, day, count: 1 });
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.checks.length >= FLUSH_AT_ROWS) {
      void this.flush(false);
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush(false);
    }, FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Writes what has accumulated; flushes run one after another, never overlapping. Per-license
   * counters (identifiers, days) go at most once a second unless `all`, since each is a row to
   * upsert however many checks it sums.
   */
  flush(all = true): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const checks = this.checks;
    this.checks = [];
    const withCounters = all || performance.now() - this.countersWrittenAt >= COUNTERS_EVERY_MS;
    const seen = withCounters ? [...this.seen.values()] : [];
    const days = withCounters ? [...this.days.values()] : [];
    if (withCounters) {
      this.seen = new Map();
      this.days = new Map();
      this.countersWrittenAt = performance.now();
    } else if (this.seen.size || this.days.size) this.schedule();
    if (!checks.length && !seen.length && !days.length) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      // Let pending requests run between two flushes.
      await new Promise((resolve) => setImmediate(resolve));
      await this.write(checks, seen, days).catch((err: unknown) =>
        this.ctx.log.error({ err, checks: checks.length }, 'writing runtime check statistics failed'),
      );
    });
    return this.flushing;
  }

  private async write(checks: CheckRecord[], seen: SeenIdentifier[], days: DayCount[]): Promise<void> {
    const ids = new UuidBatch(checks.length + seen.length);
    await this.ctx.db.transaction().execute(async (trx) => {
      for (let i = 0; i < checks.length; i += 500) {
        await trx
          .insertInto('license_checks')
          .values(
            checks.slice(i, i + 500).map((c) => ({
              id: ids.next(c.at.getTime()),
              project_id: c.projectId,
              license_id: c.licenseId,
              identifier: c.identifier,
              outcome: c.outcome,
              created_at: c.at,
            })),
          )
          .execute();
      }
      // One multi-row upsert per chunk: a flush costs a few statements however many licenses it covers.
      for (let i = 0; i < seen.length; i += 500) {
        await trx
          .insertInto('license_identifiers')
          .values(
            seen.slice(i, i + 500).map((s) => ({
              id: ids.next(s.firstAt.getTime()),
              license_id: s.licenseId,
              identifier: s.identifier,
              base_domain: s.baseDomain,
              first_seen_at: s.firstAt,
              last_seen_at: s.lastAt,
              use_count: s.count,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['license_id', 'identifier']).doUpdateSet({
              last_seen_at: (eb) => eb.ref('excluded.last_seen_at'),
              use_count: sql<number>`license_identifiers.use_count + excluded.use_count`,
            }),
          )
          .execute();
      }
      for (let i = 0; i < days.length; i += 500) {
        await trx
          .insertInto('license_usage_days')
          .values(days.slice(i, i + 500).map((d) => ({ license_id: d.licenseId, day: d.day, count: d.count })))
          .onConflict((oc) => oc.columns(['license_id', 'day']).doUpdateSet({ count: sql<number>`license_usage_days.count + excluded.count` }))
          .execute();
      }
    });
  }
}

const recorders = new WeakMap<Context, CheckRecorder>();

/** The context's recorder, created on first use; the context's close() flushes it. */
export function checkRecorder(ctx: Context): CheckRecorder {
  let r = recorders.get(ctx);
  if (!r) {
    const created = new CheckRecorder(ctx);
    recorders.set(ctx, created);
    ctx.onClose(() => created.flush());
    r = created;
  }
  return r;
}
