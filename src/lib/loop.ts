import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';

/**
 * The one shape of background work (a job loop, the delivery loop, a periodic task): nothing
 * runs before `start`, `wake` asks for a look now instead of at the next tick (a no-op before
 * start and after stop), and `stop` resolves once nothing of it runs any more.
 */
export interface Loop {
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Runs `tick` when started, when woken and every `everyMs`, never twice at once: a wake
 * during a tick runs one more tick after it. A tick that fails is logged; the next one tries
 * again (its work is rows, so nothing is lost). `stop` waits for the tick in progress.
 */
function tickLoop(everyMs: number, tick: () => Promise<void>): Loop {
  let started = false;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;

  const run = (): void => {
    if (!started || stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await tick();
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };

  return {
    start() {
      if (started) return;
      started = true;
      run();
      timer = setInterval(run, everyMs);
      // The loop never holds a process open: serve holds it with its socket, `tollgate worker` with its own timer.
      timer.unref();
    },
    wake: run,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      while (running) await running;
    },
  };
}

export interface PeriodicTask {
  /** What one run does, for the log: "audit log prune", "license expiry sweep". */
  name: string;
  everyMs: number;
  /** One run; returns how many rows it handled (logged when not zero). */
  run: () => Promise<number>;
}

/**
 * Housekeeping (expiry announcements, retention, image cleanup): a run at start (work that
 * fell due while no process ran), then every `everyMs` and on wake. Each task keeps its state
 * in the database, so several processes running it at once is harmless.
 */
export function periodicLoop(log: Logger, task: PeriodicTask): Loop {
  return tickLoop(task.everyMs, async () => {
    try {
      const n = await task.run();
      if (n > 0) log.info({ task: task.name, rows: n }, `${task.name}: ${n} rows`);
    } catch (err) {
      log.warn({ task: task.name, err: (err as Error).message }, `${task.name} failed; will retry`);
    }
  });
}

export interface LeasedWork<T> {
  /** For the log: "webhook delivery", "generation job". */
  name: string;
  /** Items this process handles at once. */
  capacity: number;
  pollMs: number;
  /**
   * Takes up to `limit` due items under a lease held by `owner` (this loop, for its life), so
   * that no other process takes them until the lease lapses (db/claim-leased.ts).
   */
  claim(owner: string, limit: number): Promise<T[]>;
  /**
   * Handles one claimed item and settles it while the lease is still held. `stopping` aborts
   * when the process stops: hand the item back, or finish it soon (within the lease).
   */
  run(item: T, owner: string, stopping: AbortSignal): Promise<void>;
  /** How many items one claim may take (a claim that takes as many asked is followed by another). */
  batch?: number;
}

/**
 * The one loop for work that is rows claimed under a lease (webhook deliveries, generation
 * jobs): when started, woken, an item ends, or every `pollMs`, it claims as many items as it
 * has free slots and runs them side by side. Nothing lives only in memory: a process killed
 * at any point leaves leased rows that another (or this one, restarted) takes once the lease
 * lapses. `stop` stops claiming, aborts the running items and waits for them.
 */
export function leasedLoop<T>(log: Logger, work: LeasedWork<T>): Loop {
  const owner = `${process.pid}-${randomUUID()}`;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const loop = tickLoop(work.pollMs, async () => {
    try {
      for (;;) {
        const free = Math.min(work.capacity - inFlight.size, work.batch ?? Infinity);
        if (free <= 0 || stopping.signal.aborted) return;
        const claimed = await work.claim(owner, free);
        for (const item of claimed) {
          const p: Promise<void> = work
            .run(item, owner, stopping.signal)
            .catch((err: unknown) =>
              log.error({ err, work: work.name }, `${work.name} failed; its lease will lapse and it is tried again`),
            )
            .finally(() => {
              inFlight.delete(p);
              // A slot freed: look for the next item now.
              loop.wake();
            });
          inFlight.add(p);
        }
        if (claimed.length < free) return;
      }
    } catch (err) {
      if (!stopping.signal.aborted)
        log.warn({ err: (err as Error).message, work: work.name }, `claiming ${work.name}s failed; will retry`);
    }
  });

  return {
    start() {
      if (work.capacity > 0) loop.start();
    },
    wake: loop.wake,
    async stop() {
      stopping.abort();
      // The claim in progress may still add items: wait for it, then for every item.
      await loop.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
