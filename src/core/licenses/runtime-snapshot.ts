import type { Context } from '../../context.js';
import type { Environment } from '../../db/schema/domains.js';
import { TtlCache } from '../../lib/license-cache.js';
import { hostOfDomain } from '../domains/normalize.js';

/**
 * Everything the runtime check needs about one license key, read in at most three indexed
 * queries and kept per process for SNAPSHOT_TTL_MS. That TTL is the bound on how long a
 * revocation, an expiry change or a paid flag flip made through any process can go unseen by
 * this one, so it stays under the one second the issue allows. Domain changes (a new
 * registered domain, a domain's paid flag) are seen within two TTLs.
 */
export const SNAPSHOT_TTL_MS = 500;
const MAX_SNAPSHOTS = 200_000;
const DOMAINS_TTL_MS = SNAPSHOT_TTL_MS;

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

interface Caches {
  snapshots: TtlCache<LicenseSnapshot | null>;
  /** Domains by project: many licenses share a project, so a miss on a license rarely costs a second query. */
  domains: TtlCache<RuntimeDomain[]>;
  byKeyHash: ReturnType<typeof licenseByKeyHash>;
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

async function loadSnapshot(ctx: Pick<Context, 'db'>, caches: Caches, keyHash: string): Promise<LicenseSnapshot | null> {
  // Compiled once per context: only the parameter changes, and building the query showed up in profiles.
  const query: Caches['byKeyHash'] = { ...caches.byKeyHash, parameters: [keyHash] };
  const { rows } = await ctx.db.executeQuery(query);
  const row = rows[0];
  if (!row) return null;
  const domains = await caches.domains.get(row.project_id, () => loadDomains(ctx, row.project_id));
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

const perContext = new WeakMap<object, Caches>();

/** The snapshot for a key hash, from this process's cache when fresh; null for an unknown key. */
export function licenseSnapshot(ctx: Pick<Context, 'db'>, keyHash: string): Promise<LicenseSnapshot | null> {
  let caches = perContext.get(ctx);
  if (!caches) {
    caches = {
      snapshots: new TtlCache(SNAPSHOT_TTL_MS, MAX_SNAPSHOTS),
      domains: new TtlCache(DOMAINS_TTL_MS, MAX_SNAPSHOTS),
      byKeyHash: licenseByKeyHash(ctx),
    };
    perContext.set(ctx, caches);
  }
  const c = caches;
  return c.snapshots.get(keyHash, () => loadSnapshot(ctx, c, keyHash));
}
