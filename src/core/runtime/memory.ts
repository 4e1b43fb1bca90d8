import type { RuntimeChange } from './changes.js';
import type { CheckRecorder, Tally } from './check-recorder.js';
import { expired, retired, type CheckRequest, type Pass, type Verdict } from './rules.js';
import type { LicenseSnapshot } from './snapshot.js';
import type { SnapshotStore } from './snapshot-store.js';

/** A value now, or later: memory answers synchronously whenever it can, and the check costs no microtask then. */
export type Sometime<T> = T | Promise<T>;

/** What memory knows of the license a key names. */
export interface Found {
  /** The license (null: no license has the key). */
  readonly snapshot: LicenseSnapshot | null;
  /**
   * The snapshot's last pass, when this check repeats it: the same identifier, project and
   * action, and the license not expired (nor its key retired) since. The rules need not run: every one of them
   * reads the snapshot (replaced on any change) or these inputs, except the address and
   * daily limits, whose licenses' passes are never remembered.
   */
  readonly repeated: Pass | null;
}

interface Remembered {
  host: string | null;
  projectId: string | null;
  action: string | null;
  pass: Pass;
  tally: Tally;
}

class Lookup implements Found {
  constructor(
    readonly snapshot: LicenseSnapshot | null,
    readonly repeated: Pass | null,
    readonly remembered: Remembered | null,
  ) {}
}

export const NOT_FOUND: Found = new Lookup(null, null, null);

/** The identifier as remembered passes compare it: a malformed one never matches. */
const hostOf = (req: CheckRequest): string | null | undefined =>
  req.identifier === null ? null : req.identifier === 'malformed' ? undefined : req.identifier.host;

/**
 * Caching and counting for the check, behind three calls: lookup (the license a key names,
 * and the pass it may repeat), invalidate (a change), record (the statistics of a check).
 * The snapshots live in the store, the counts in the recorder, and each snapshot's last pass
 * here, keyed by the snapshot object, so that a change, which replaces the snapshot, takes
 * the remembered pass with it.
 */
export class CheckMemory {
  private readonly remembered = new WeakMap<LicenseSnapshot, Remembered>();

  constructor(
    private readonly store: SnapshotStore,
    private readonly recorder: CheckRecorder,
  ) {}

  lookup(keyHash: string, req: CheckRequest, now: Date): Sometime<Found> {
    const known = this.store.peek(keyHash);
    if (known === undefined) return this.store.get(keyHash).then((snap) => this.found(snap, req, now));
    return this.found(known, req, now);
  }

  private found(snap: LicenseSnapshot | null, req: CheckRequest, now: Date): Found {
    if (snap === null) return NOT_FOUND;
    const r = this.remembered.get(snap);
    if (
      r === undefined ||
      r.host !== hostOf(req) ||
      r.projectId !== req.projectId ||
      r.action !== req.action ||
      expired(snap, now) ||
      retired(snap, now)
    ) {
      return new Lookup(snap, null, r ?? null);
    }
    return new Lookup(snap, r.pass, r);
  }

  /**
   * A change that may alter checks: noted by this process before its commit or pushed by
   * another (`seq`: its row, which the feed will read), or a correction this process makes
   * to its own memory (no row: e.g. an identifier it has just registered).
   */
  invalidate(change: RuntimeChange, seq?: number): void {
    if (seq === undefined) this.store.forget(change);
    else this.store.noted(change, seq);
  }

  /** Counts the check; a pass that repeats its snapshot's last is counted through that pass's tally. */
  record(found: Found, req: CheckRequest, verdict: Verdict, now: Date): void {
    const { remembered } = found as Lookup;
    if (verdict === found.repeated && remembered && this.recorder.bump(remembered.tally, now)) return;
    const snap = found.snapshot;
    const projectId = snap?.project.id ?? null;
    const licenseId = snap?.license.id ?? null;
    if (!verdict.valid) {
      const identifier = req.domain?.slice(0, 255) ?? null;
      this.recorder.record({ projectId, licenseId, identifier, outcome: verdict.outcome.toLowerCase(), at: now });
      return;
    }
    // The outcomes as the statistics have always named them (license_check_counts.outcome).
    const record = {
      projectId,
      licenseId,
      identifier: verdict.identifier,
      outcome: verdict.hasPaid ? 'paid' : 'unpaid',
      at: now,
    };
    const seen =
      req.identifier !== null && req.identifier !== 'malformed'
        ? { identifier: req.identifier.host, base: req.identifier.base }
        : null;
    const tally = this.recorder.recordPass(record, seen);
    // A seated license's pass depends on the device headers, which a remembered pass does not compare.
    if (
      snap &&
      snap.license.allowedIps === null &&
      snap.license.maxUsagePerDay === null &&
      snap.license.maxDevices === null
    ) {
      this.remembered.set(snap, {
        host: hostOf(req) ?? null,
        projectId: req.projectId,
        action: req.action,
        pass: verdict,
        tally,
      });
    }
  }
}
