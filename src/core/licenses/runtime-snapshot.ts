import type { Context } from '../../context.js';
import type { Environment } from '../../db/schema/domains.js';
import { hostOfDomain } from '../domains/normalize.js';
import type { RuntimeChange } from './runtime-changes.js';
import { RuntimeFeed, type FeedListener } from './runtime-feed.js';

/**
 * Everything the runtime check needs about one license key, read in at most three indexed
 * queries and kept in this process until a change to its license or project shows up on the
 * change feed (runtime-feed.ts), which every process polls: a revocation, a paid flag or a
 * domain edit made through any process is seen here within the feed's freshness bound, well
 * under the one second the product promises. MAX_AGE_MS re-reads even unchanged snapshots
 * now and then, for edits made to the database by hand.
 */
const MAX_AGE_MS = 60_000;
/** Unknown keys are remembered briefly: long enough to absorb a burst, short enough not to matter. */
const UNKNOWN_KEY_MS = 1_000;
const MAX_SNAPSHOTS = 200_000;

export interface RuntimeDomain {
  id: string;
  domain: string;
  /** The stored domain without its optional port: identifiers arrive without one. */
  host: string;
  environment: Environment;
  hasPaid: boolean;
  isActive: boolean;
}

export interface LicenseSnapshot {
  license: {
    id: string;
    title: string;
    status: 'active' | 'revoked';
    expiresAt: Date | null;
    domainId: string | null;
    maxDomains: number | null;
    maxSubdomainsPerDomain: number | null;
    maxUsagePerDay: number | null;
    allowedIps: string[] | null;
    allowedCountries: string[] | null;
    isTest: boolean;
  };
  project: { id: string; ownerId: string; hasPaid: boolean; isActive: boolean };
  domains: RuntimeDomain[];
  /** identifier -> base domain, for licenses that register their own identifiers; else null. */
  identifiers: Map<string, string> | null;
}

function list(value: string | null): string[] | null {
  if (!value) return null;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : null;
}

async function loadDomains(ctx: Pick<Context, 'db'>, projectId: string): Promise<RuntimeDomain[]> {
  const rows = await ctx.db
    .selectFrom('domains')
    .select(['id', 'domain', 'environment', 'has_paid', 'is_active'])
    .where('project_id', '=', projectId)
    .execute();
  return rows.map((d) => ({
    id: d.id,
    domain: d.domain,
    host: hostOfDomain(d.domain),
    environment: d.environment,
    hasPaid: Boolean(d.has_paid),
    isActive: Boolean(d.is_active),
  }));
}

function licenseByKeyHash(ctx: Pick<Context, 'db'>) {
  return ctx.db
    .selectFrom('licenses as l')
    .innerJoin('projects as p', 'p.id', 'l.project_id')
    .select([
      'l.id',
      'l.title',
      'l.status',
      'l.expires_at',
      'l.domain_id',
      'l.max_domains',
      'l.max_subdomains_per_domain',
      'l.max_usage_per_day',
      'l.allowed_ips',
      'l.allowed_countries',
      'l.is_test_license',
      'p.id as project_id',
      'p.owner_id',
      'p.has_paid',
      'p.is_active',
    ])
    .where('l.key_hash', '=', '')
    .compile();
}

async function loadSnapshot(ctx: Pick<Context, 'db'>, store: SnapshotStore, keyHash: string): Promise<LicenseSnapshot | null> {
  // Compiled once per context: only the parameter changes, and building the query showed up in profiles.
  const query: typeof store.byKeyHash = { ...store.byKeyHash, parameters: [keyHash] };
  const { rows } = await ctx.db.executeQuery(query);
  const row = rows[0];
  if (!row) return null;
  const domains = await store.domainsOf(row.project_id, () => loadDomains(ctx, row.project_id));
  const selfRegistering = row.domain_id === null && domains.length === 0;
  const identifiers = selfRegistering
    ? new Map(
        (
          await ctx.db
            .selectFrom('license_identifiers')
            .select(['identifier', 'base_domain'])
            .where('license_id', '=', row.id)
            .execute()
        ).map((i) => [i.identifier, i.base_domain] as const),
      )
    : null;
  return {
    license: {
      id: row.id,
      title: row.title,
      status: row.status,
      expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
      domainId: row.domain_id,
      maxDomains: row.max_domains,
      maxSubdomainsPerDomain: row.max_subdomains_per_domain,
      maxUsagePerDay: row.max_usage_per_day,
      allowedIps: list(row.allowed_ips),
      allowedCountries: list(row.allowed_countries),
      isTest: Boolean(row.is_test_license),
    },
    project: { id: row.project_id, ownerId: row.owner_id, hasPaid: Boolean(row.has_paid), isActive: Boolean(row.is_active) },
    domains,
    identifiers,
  };
}

interface Entry<V> {
  value: V;
  loadedAt: number;
}

/**
 * The per-process store: snapshots by key hash, domain lists by project, and the indexes
 * that let one feed row drop exactly the snapshots it concerns. Concurrent misses on one key
 * share one load. A load that overlaps an invalidation is answered but not kept, so a
 * snapshot read before a change can never be cached after it.
 */
class SnapshotStore implements FeedListener {
  private readonly snapshots = new Map<string, Entry<LicenseSnapshot | null>>();
  private readonly domains = new Map<string, Entry<RuntimeDomain[]>>();
  private readonly loading = new Map<string, Promise<LicenseSnapshot | null>>();
  private readonly byLicense = new Map<string, string>();
  private readonly byProject = new Map<string, Set<string>>();
  /** Bumped by every invalidation; a load that saw it move discards its result. */
  private generation = 0;
  readonly byKeyHash: ReturnType<typeof licenseByKeyHash>;
  readonly feed: RuntimeFeed;
  private readonly started: Promise<void>;

  constructor(private readonly ctx: Context) {
    this.byKeyHash = licenseByKeyHash(ctx);
    this.feed = new RuntimeFeed(ctx, this);
    // The feed logs its own failures; until a poll succeeds, checks read the database.
    this.started = this.feed.start();
    ctx.onClose(() => this.feed.close());
  }

  get(keyHash: string): Promise<LicenseSnapshot | null> {
    const now = performance.now();
    const hit = this.snapshots.get(keyHash);
    if (hit && this.feed.isCurrent(now) && now - hit.loadedAt < (hit.value ? MAX_AGE_MS : UNKNOWN_KEY_MS)) {
      return Promise.resolve(hit.value);
    }
    const pending = this.loading.get(keyHash);
    if (pending) return pending;
    const load = this.load(keyHash).finally(() => this.loading.delete(keyHash));
    this.loading.set(keyHash, load);
    return load;
  }

  private async load(keyHash: string): Promise<LicenseSnapshot | null> {
    await this.started;
    const generation = this.generation;
    const loadedAt = performance.now();
    const keep = this.feed.isCurrent(loadedAt);
    const snap = await loadSnapshot(this.ctx, this, keyHash);
    if (keep && generation === this.generation) this.keep(keyHash, snap, loadedAt);
    return snap;
  }

  async domainsOf(projectId: string, load: () => Promise<RuntimeDomain[]>): Promise<RuntimeDomain[]> {
    const now = performance.now();
    const hit = this.domains.get(projectId);
    if (hit && this.feed.isCurrent(now) && now - hit.loadedAt < MAX_AGE_MS) return hit.value;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) this.domains.set(projectId, { value, loadedAt: now });
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
    this.byLicense.set(snap.license.id, keyHash);
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
    this.byLicense.delete(snap.license.id);
    const keys = this.byProject.get(snap.project.id);
    keys?.delete(keyHash);
    if (keys?.size === 0) this.byProject.delete(snap.project.id);
  }

  changed(change: RuntimeChange): void {
    this.generation++;
    if (change.licenseId !== null) {
      const keyHash = this.byLicense.get(change.licenseId);
      if (keyHash !== undefined) this.drop(keyHash);
      return;
    }
    this.domains.delete(change.projectId);
    for (const keyHash of [...(this.byProject.get(change.projectId) ?? [])]) this.drop(keyHash);
  }

  reset(): void {
    this.generation++;
    this.snapshots.clear();
    this.domains.clear();
    this.byLicense.clear();
    this.byProject.clear();
  }
}

const stores = new WeakMap<object, SnapshotStore>();

function storeOf(ctx: Context): SnapshotStore {
  let store = stores.get(ctx);
  if (!store) stores.set(ctx, (store = new SnapshotStore(ctx)));
  return store;
}

/** The snapshot for a key hash, from this process's store when current; null for an unknown key. */
export function licenseSnapshot(ctx: Context, keyHash: string): Promise<LicenseSnapshot | null> {
  return storeOf(ctx).get(keyHash);
}

/** Reads the change feed now (tests and tools that must not wait for the next poll). */
export function pollRuntimeChanges(ctx: Context): Promise<void> {
  return storeOf(ctx).feed.poll();
}
