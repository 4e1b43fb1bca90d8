import { sql } from 'kysely';
import type { Context } from '../../context.js';
import { UuidBatch } from '../../lib/ids.js';

export interface CheckRecord {
  projectId: string | null;
  licenseId: string | null;
  identifier: string | null;
  outcome: string;
  at: Date;
}

interface CheckCount {
  minute: number;
  projectId: string | null;
  licenseId: string | null;
  identifier: string | null;
  outcome: string;
  count: number;
}

interface SeenIdentifier {
  licenseId: string;
  identifier: string;
  baseDomain: string;
  count: number;
  /** Milliseconds, not Dates: a sighting lives for a minute and is updated by every check, which would otherwise keep a fresh Date alive in it each time. */
  firstAt: number;
  lastAt: number;
}

/** Where a passing check was counted (CheckRecorder.recordPass), so that bump() can count it again without a lookup. */
export interface Tally {
  readonly count: CheckCount;
  readonly seen: SeenIdentifier | null;
  /** The recorder's generation when it was made: any hand-over since makes it stale. */
  readonly generation: number;
}

/** How often the recorder hands rows to the database (a part of what is due each time). */
export const TICK_MS = 5_000;
const MINUTE_MS = 60_000;
const TICKS_PER_MINUTE = MINUTE_MS / TICK_MS;
/**
 * Rows per statement. Each statement is its own short write: on SQLite a write blocks the
 * event loop and holds the one connection, so rows go in pieces with the event loop let
 * through between them, and never in one long transaction.
 */
const ROWS_PER_STATEMENT = 250;

const minuteOf = (ms: number) => ms - (ms % MINUTE_MS);

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Maps nested by each part of a key, so that a lookup hashes the parts (strings whose hash V8 keeps) instead of a joined key built per check. */
type ByOutcome = Map<string, CheckCount>;
type ByIdentifier = Map<string | null, ByOutcome>;
type ByLicense = Map<string | null, ByIdentifier>;
type CountTree = Map<string | null, ByLicense>;
type SeenTree = Map<string, Map<string, SeenIdentifier>>;

/** The map under `key`, made when missing. */
function child<K, V extends Map<unknown, unknown>>(map: Map<K, V>, key: K): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = new Map() as V));
  return v;
}

/**
 * Statistics of runtime checks, kept off the request path.
 *
 * A check adds one to an in-memory counter of the current minute keyed by (project, license,
 * identifier, outcome), and a passing check one to its identifier's sighting (first seen,
 * last seen, use count). A minute's counters are final once the minute is over, so they are
 * handed over to be written as soon as a check or the timer sees a later minute, each
 * exactly once (a check still finishing from a minute already handed over is written as a
 * row of its own; the statistics add rows up). Sightings are handed over when their minute
 * ends too. What is due is trickled out over the following minute, a twelfth every TICK_MS,
 * so the write load is even instead of a burst at each minute: under steady traffic it
 * follows the number of distinct installs, not of requests. flush() (and closing the
 * context, whose RuntimeState owns the recorder) writes everything at once. A crash loses at
 * most the last two minutes of statistics.
 */
export class CheckRecorder {
  /** The counters of countMinute. */
  private counts: CountTree = new Map();
  private countMinute: number;
  /** Bumped whenever counters or sightings are handed over: a Tally of an older generation is stale. */
  private generation = 0;
  private seen: SeenTree = new Map();
  private countQueue: CheckCount[] = [];
  private seenQueue: SeenIdentifier[] = [];
  private perTick = ROWS_PER_STATEMENT;
  /** The minute whose sightings are being gathered; they are handed over when it ends. */
  private seenMinute: number;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: Pick<Context, 'db' | 'log' | 'clock'>) {
    this.seenMinute = minuteOf(ctx.clock.now().getTime());
    this.countMinute = this.seenMinute;
  }

  record(check: CheckRecord): void {
    this.counted(check);
    this.schedule();
  }

  /** Adds the check to its counter and returns that counter (for a check of a minute already handed over, a row of its own). */
  private counted(check: CheckRecord): CheckCount {
    const minute = minuteOf(check.at.getTime());
    const { projectId, licenseId, identifier, outcome } = check;
    if (minute !== this.countMinute) {
      if (minute < this.countMinute) {
        const late = { minute, projectId, licenseId, identifier, outcome, count: 1 };
        this.countQueue.push(late);
        return late;
      }
      this.handOverCounts();
      this.countMinute = minute;
    }
    const byOutcome = child(child(child(this.counts, projectId), licenseId), identifier);
    let c = byOutcome.get(outcome);
    if (c) c.count++;
    else byOutcome.set(outcome, (c = { minute, projectId, licenseId, identifier, outcome, count: 1 }));
    return c;
  }

  private seenOf(licenseId: string, identifier: string, baseDomain: string, at: Date): SeenIdentifier {
    const byIdentifier = child(this.seen, licenseId);
    const ms = at.getTime();
    let s = byIdentifier.get(identifier);
    if (s) {
      s.count++;
      s.lastAt = ms;
    } else byIdentifier.set(identifier, (s = { licenseId, identifier, baseDomain, count: 1, firstAt: ms, lastAt: ms }));
    return s;
  }

  /**
   * A passing check, recorded (its count, and its sighting when it came from an identifier),
   * with the handles that let bump() count the same check again without a lookup.
   */
  recordPass(check: CheckRecord, seen: { identifier: string; base: string } | null): Tally {
    const count = this.counted(check);
    const sighting =
      seen && check.licenseId !== null ? this.seenOf(check.licenseId, seen.identifier, seen.base, check.at) : null;
    this.schedule();
    return { count, seen: sighting, generation: this.generation };
  }

  /**
   * Counts the check of `tally` once more; false (and nothing counted) once its counter or its
   * sighting has been handed over, or when the check is of another minute than that counter.
   */
  bump(tally: Tally, at: Date): boolean {
    if (tally.generation !== this.generation) return false;
    const minute = minuteOf(at.getTime());
    if (minute !== this.countMinute || tally.count.minute !== minute) return false;
    tally.count.count++;
    if (tally.seen) {
      tally.seen.count++;
      tally.seen.lastAt = at.getTime();
    }
    return true;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** Moves the counters of countMinute to the queue. */
  private handOverCounts(): boolean {
    if (this.counts.size === 0) return false;
    for (const byLicense of this.counts.values())
      for (const byIdentifier of byLicense.values())
        for (const byOutcome of byIdentifier.values()) for (const c of byOutcome.values()) this.countQueue.push(c);
    this.counts = new Map();
    this.generation++;
    return true;
  }

  private handOverSeen(): boolean {
    if (this.seen.size === 0) return false;
    for (const byIdentifier of this.seen.values()) for (const seen of byIdentifier.values()) this.seenQueue.push(seen);
    this.seen = new Map();
    this.generation++;
    return true;
  }

  /** Hands over what has become due, and writes this tick's share of the queue (the timer's work; callable by tests). */
  tick(): Promise<void> {
    const thisMinute = minuteOf(this.ctx.clock.now().getTime());
    let handed = false;
    if (thisMinute > this.countMinute) handed = this.handOverCounts();
    if (thisMinute > this.seenMinute) {
      this.seenMinute = thisMinute;
      handed = this.handOverSeen() || handed;
    }
    const queued = this.countQueue.length + this.seenQueue.length;
    if (handed) this.perTick = Math.max(ROWS_PER_STATEMENT, Math.ceil(queued / TICKS_PER_MINUTE));
    if (queued === 0) {
      if (!this.counts.size && !this.seen.size && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
      return this.writing;
    }
    const counts = this.countQueue.splice(0, this.perTick);
    const seen = this.seenQueue.splice(0, this.perTick - counts.length);
    return this.enqueueWrite(counts, seen);
  }

  /** Writes everything recorded so far, due or not; resolves when it is in the database. */
  flush(): Promise<void> {
    this.handOverCounts();
    this.handOverSeen();
    const counts = this.countQueue;
    const seen = this.seenQueue;
    this.countQueue = [];
    this.seenQueue = [];
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    return this.enqueueWrite(counts, seen);
  }

  /** Writes run one after another, never overlapping. */
  private enqueueWrite(counts: CheckCount[], seen: SeenIdentifier[]): Promise<void> {
    if (!counts.length && !seen.length) return this.writing;
    this.writing = this.writing.then(() =>
      this.write(counts, seen).catch((err: unknown) =>
        this.ctx.log.error({ err, rows: counts.length + seen.length }, 'writing runtime check statistics failed'),
      ),
    );
    return this.writing;
  }

  private async write(counts: CheckCount[], seen: SeenIdentifier[]): Promise<void> {
    for (let i = 0; i < counts.length; i += ROWS_PER_STATEMENT) {
      await yieldToRequests();
      await this.ctx.db
        .insertInto('license_check_counts')
        .values(
          counts.slice(i, i + ROWS_PER_STATEMENT).map((c) => ({
            minute: new Date(c.minute),
            project_id: c.projectId,
            license_id: c.licenseId,
            identifier: c.identifier,
            outcome: c.outcome,
            count: c.count,
          })),
        )
        .execute();
    }
    const ids = new UuidBatch(seen.length);
    for (let i = 0; i < seen.length; i += ROWS_PER_STATEMENT) {
      await yieldToRequests();
      await this.ctx.db
        .insertInto('license_identifiers')
        .values(
          seen.slice(i, i + ROWS_PER_STATEMENT).map((s) => ({
            id: ids.next(s.firstAt),
            license_id: s.licenseId,
            identifier: s.identifier,
            base_domain: s.baseDomain,
            first_seen_at: new Date(s.firstAt),
            last_seen_at: new Date(s.lastAt),
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
  }
}
