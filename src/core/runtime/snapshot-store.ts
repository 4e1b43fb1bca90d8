import type { Context } from '../../context.js';
import type { RuntimeChange } from './changes.js';
import { RuntimeFeed, type FeedListener } from './feed.js';
import { KeyFilter } from './key-filter.js';
import { licenseByKeyHash, loadDomains, loadSnapshot, type LicenseSnapshot, type RuntimeDomain } from './snapshot.js';

/**
 * Snapshots (snapshot.ts) are kept in this process until a change to their license or
 * project shows up: at once for changes this process makes or Redis pushes, else on the change feed
 * (feed.ts), which every process polls, within its freshness bound, well under the
 * one second the product promises. MAX_AGE_MS re-reads even unchanged snapshots now and
 * then, for edits made to the database by hand.
 */
const MAX_AGE_MS = 60_000;
const MAX_SNAPSHOTS = 200_000;
/**
 * A change noted (by this process before its commit, or pushed by another) but not yet read
 * back from the feed is "pending": its project is served from the database meanwhile. One
 * whose row never shows up (its transaction rolled back) stops counting after this long.
 */
const PENDING_MS = 10_000;
/** Key hashes read per query while the key filter is filled. */
const FILTER_PAGE = 5_000;

interface Entry<V> {
  value: V;
  loadedAt: number;
}

type StoreContext = Pick<Context, 'db' | 'log' | 'clock'>;

/**
 * The per-process store (one per Context, see state.ts): snapshots by key hash,
 * domain lists by project, the indexes that let one change drop exactly the snapshots it
 * concerns, and the key filter that refuses unknown keys without a query. Concurrent misses
 * on one key share one load. A load that overlaps an invalidation is answered but not kept,
 * so a snapshot read before a change can never be cached after it.
 */
export class SnapshotStore implements FeedListener {
  private readonly snapshots = new Map<string, Entry<LicenseSnapshot | null>>();
  private readonly domains = new Map<string, Entry<RuntimeDomain[]>>();
  private readonly loading = new Map<string, Promise<LicenseSnapshot | null>>();
  /** license id -> the key hashes its kept snapshots were loaded by (two during a reroll's overlap). */
  private readonly byLicense = new Map<string, Set<string>>();
  private readonly byProject = new Map<string, Set<string>>();
  /** seq -> the pending change's project and when it was noted; see PENDING_MS. */
  private readonly pending = new Map<number, { projectId: string; at: number }>();
  private readonly pendingProjects = new Map<string, number>();
  /** Every license key hash, once filled; until then every key goes to the database. */
  private readonly filter = new KeyFilter();
  private filterReady = false;
  /** Bumped by every invalidation; a load that saw it move discards its result. */
  private generation = 0;
  private readonly byKeyHash: ReturnType<typeof licenseByKeyHash>;
  readonly feed: RuntimeFeed;
  private started: Promise<void> | null = null;
  private filling: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly ctx: StoreContext) {
    this.byKeyHash = licenseByKeyHash(ctx);
    this.feed = new RuntimeFeed(ctx, this);
  }

  /** Starts the feed and fills the key filter (once; the first check does it, or a server at startup). */
  start(): Promise<void> {
    if (!this.started) {
      // The feed logs its own failures; until a poll succeeds, checks read the database.
      this.started = this.feed.start();
      this.filling = this.started.then(() => this.fillFilter());
    }
    return this.started;
  }

  /** Resolves once the key filter has been filled (or has given up). */
  async filled(): Promise<void> {
    await this.start();
    await this.filling;
  }

  /**
   * The snapshot of a key hash; null for a key no license has. Answered from memory while
   * the feed is current: a cached snapshot, or the key filter's "no such key".
   */
  get(keyHash: string): Promise<LicenseSnapshot | null> {
    const now = performance.now();
    if (this.feed.isCurrent(now)) {
      const known = this.fromMemory(keyHash, now);
      return known === undefined ? this.loadShared(keyHash) : Promise.resolve(known);
    }
    // The feed is late (a busy event loop delays its timer): one poll, shared by every check
    // waiting here, makes memory current again, instead of every check reading the database.
    if (!this.started) return this.loadShared(keyHash);
    return this.feed.poll().then(() => {
      const after = performance.now();
      const known = this.feed.isCurrent(after) ? this.fromMemory(keyHash, after) : undefined;
      return known === undefined ? this.loadShared(keyHash) : known;
    });
  }

  /**
   * What memory can answer at once, without waiting for anything: the snapshot, null for no
   * such key, or undefined when only get() can tell (not kept, or the feed is late). The
   * runtime check's common case, answered synchronously.
   */
  peek(keyHash: string): LicenseSnapshot | null | undefined {
    const now = performance.now();
    return this.feed.isCurrent(now) ? this.fromMemory(keyHash, now) : undefined;
  }

  /** The answer memory holds while the feed is current: a kept snapshot, or the filter's "no such key". */
  private fromMemory(keyHash: string, now: number): LicenseSnapshot | null | undefined {
    const hit = this.snapshots.get(keyHash);
    if (
      hit &&
      now - hit.loadedAt < MAX_AGE_MS &&
      !(hit.value && this.pendingProjects.size && this.pendingProjects.has(hit.value.project.id))
    ) {
      return hit.value;
    }
    if (!hit && this.filterReady && !this.filter.has(keyHash)) return null;
    return undefined;
  }

  private loadShared(keyHash: string): Promise<LicenseSnapshot | null> {
    const pending = this.loading.get(keyHash);
    if (pending) return pending;
    const load = this.load(keyHash).finally(() => this.loading.delete(keyHash));
    this.loading.set(keyHash, load);
    return load;
  }

  private async load(keyHash: string): Promise<LicenseSnapshot | null> {
    await this.start();
    const generation = this.generation;
    const loadedAt = performance.now();
    const keep = this.feed.isCurrent(loadedAt);
    const snap = await loadSnapshot(this.ctx, this.byKeyHash, keyHash, (projectId) =>
      this.domainsOf(projectId, () => loadDomains(this.ctx, projectId)),
    );
    if (keep && generation === this.generation && !this.isPending(snap)) this.keep(keyHash, snap, loadedAt);
    return snap;
  }

  /** A load's result is not kept while a change it may predate is pending (for an unknown key, any change). */
  private isPending(snap: LicenseSnapshot | null): boolean {
    if (this.pending.size === 0) return false;
    return snap === null || this.pendingProjects.has(snap.project.id);
  }

  private async domainsOf(projectId: string, load: () => Promise<RuntimeDomain[]>): Promise<RuntimeDomain[]> {
    const now = performance.now();
    const hit = this.domains.get(projectId);
    if (hit && this.feed.isCurrent(now) && now - hit.loadedAt < MAX_AGE_MS && !this.pendingProjects.has(projectId))
      return hit.value;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation && !this.pendingProjects.has(projectId))
      this.domains.set(projectId, { value, loadedAt: now });
    return value;
  }

  private keep(keyHash: string, snap: LicenseSnapshot | null, loadedAt: number): void {
    this.drop(keyHash);
    if (this.snapshots.size >= MAX_SNAPSHOTS) {
      // Map order is insertion order: the first key is the oldest kept.
      const oldest = this.snapshots.keys().next().value;
      if (oldest !== undefined) this.drop(oldest);
    }
    this.snapshots.set(keyHash, { value: snap, loadedAt });
    if (!snap) return;
    let hashes = this.byLicense.get(snap.license.id);
    if (!hashes) this.byLicense.set(snap.license.id, (hashes = new Set()));
    hashes.add(keyHash);
    let keys = this.byProject.get(snap.project.id);
    if (!keys) this.byProject.set(snap.project.id, (keys = new Set()));
    keys.add(keyHash);
  }

  private drop(keyHash: string): void {
    const entry = this.snapshots.get(keyHash);
    if (!entry) return;
    this.snapshots.delete(keyHash);
    const snap = entry.value;
    if (!snap) return;
    const hashes = this.byLicense.get(snap.license.id);
    hashes?.delete(keyHash);
    if (hashes?.size === 0) this.byLicense.delete(snap.license.id);
    const keys = this.byProject.get(snap.project.id);
    keys?.delete(keyHash);
    if (keys?.size === 0) this.byProject.delete(snap.project.id);
  }

  /** Drops what a change concerns (this process's own corrections, e.g. an identifier it registered, call it directly). */
  forget(change: RuntimeChange): void {
    this.generation++;
    if (change.keyHash) {
      this.filter.add(change.keyHash);
      this.drop(change.keyHash);
    }
    if (change.licenseId !== null) {
      for (const keyHash of [...(this.byLicense.get(change.licenseId) ?? [])]) this.drop(keyHash);
      return;
    }
    this.domains.delete(change.projectId);
    for (const keyHash of [...(this.byProject.get(change.projectId) ?? [])]) this.drop(keyHash);
  }

  /**
   * A change noted before its commit: by this process (noteRuntimeChange) or pushed by
   * another over Redis. Its project is served from the database until the feed reads `seq`.
   */
  noted(change: RuntimeChange, seq: number): void {
    if (this.feed.seen(seq)) return;
    this.forget(change);
    if (this.pending.has(seq)) return;
    this.pending.set(seq, { projectId: change.projectId, at: performance.now() });
    this.pendingProjects.set(change.projectId, (this.pendingProjects.get(change.projectId) ?? 0) + 1);
  }

  private settle(seq: number): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    const n = this.pendingProjects.get(p.projectId)! - 1;
    if (n > 0) this.pendingProjects.set(p.projectId, n);
    else this.pendingProjects.delete(p.projectId);
  }

  /** The feed read a committed change. */
  changed(change: RuntimeChange, seq: number): void {
    this.forget(change);
    this.settle(seq);
  }

  polled(now: number): void {
    for (const [seq, p] of this.pending) if (now - p.at > PENDING_MS) this.settle(seq);
  }

  reset(): void {
    this.generation++;
    this.snapshots.clear();
    this.domains.clear();
    this.byLicense.clear();
    this.byProject.clear();
  }

  /**
   * Reads every key hash into the filter, a page at a time in key order, letting requests
   * through between pages. Licenses issued meanwhile reach it through the feed, which
   * started first, so none is missed.
   */
  private async fillFilter(): Promise<void> {
    try {
      let after = '';
      for (;;) {
        if (this.closed) return;
        const rows = await this.ctx.db
          .selectFrom('licenses')
          .select(['key_hash', 'previous_key_hash'])
          .where('key_hash', '>', after)
          .orderBy('key_hash')
          .limit(FILTER_PAGE)
          .execute();
        for (const r of rows) {
          this.filter.add(r.key_hash);
          // A rerolled license's old key during (or after) its overlap: its snapshot decides.
          if (r.previous_key_hash !== null) this.filter.add(r.previous_key_hash);
        }
        if (rows.length < FILTER_PAGE) break;
        after = rows[rows.length - 1]!.key_hash;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.filterReady = true;
    } catch (err) {
      // Without the filter every key is read from the database, as before it existed.
      this.ctx.log.warn({ err }, 'runtime key filter could not be filled; unknown keys are read from the database');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.feed.close();
    await this.filling;
  }
}
