import type { Context } from '../../context.js';
import type { Environment } from '../../db/schema/domains.js';
import { hostOfDomain } from '../domains/normalize.js';
import type { ComponentMatch } from '../../db/schema/licenses.js';
import type { Component } from '../devices/device.js';
import { IpAllowList } from './allowed-ips.js';

/**
 * Everything the rules (rules.ts) read about one license key, read in at most three indexed
 * queries. A snapshot is never changed once loaded: a change to its license, project or
 * their domains replaces it (snapshot-store.ts).
 */
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
    /** Parsed once here, asked per check. */
    allowedIps: IpAllowList | null;
    allowedCountries: string[] | null;
    isTest: boolean;
    /**
     * When the key this snapshot was loaded by stops working: the end of a reroll's overlap
     * for the license's previous key (022-key-reroll), null for its current key. The rules
     * refuse past it, so every process stops at the same instant with nothing to propagate.
     */
    keyRetiresAt: Date | null;
    /** Null: the license needs no device, and `devices` is not loaded. */
    maxDevices: number | null;
    componentMatch: ComponentMatch;
  };
  project: { id: string; ownerId: string; hasPaid: boolean; isActive: boolean };
  domains: RuntimeDomain[];
  /** identifier -> base domain, for licenses that register their own identifiers within limits; else null. */
  identifiers: ReadonlyMap<string, string> | null;
  /** fingerprint -> components of each active device, for licenses with max_devices; else null. */
  devices: ReadonlyMap<string, readonly Component[] | null> | null;
}

function list(value: string | null): string[] | null {
  if (!value) return null;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : null;
}

export async function loadDomains(ctx: Pick<Context, 'db'>, projectId: string): Promise<RuntimeDomain[]> {
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

/** The license query, compiled once per store: only its parameter changes per load, and building it showed up in profiles. */
export function licenseByKeyHash(ctx: Pick<Context, 'db'>) {
  return (
    ctx.db
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
        'l.key_hash',
        'l.previous_key_expires_at',
        'l.max_devices',
        'l.component_match',
        'p.id as project_id',
        'p.owner_id',
        'p.has_paid',
        'p.is_active',
      ])
      // Both hash columns are uniquely indexed: one query, two index probes.
      .where((eb) => eb.or([eb('l.key_hash', '=', ''), eb('l.previous_key_hash', '=', '')]))
      .compile()
  );
}

/** The snapshot of a key hash (null: no license has it); `domainsOf` may answer the project's domains from memory. */
export async function loadSnapshot(
  ctx: Pick<Context, 'db'>,
  byKeyHash: ReturnType<typeof licenseByKeyHash>,
  keyHash: string,
  domainsOf: (projectId: string) => Promise<RuntimeDomain[]>,
): Promise<LicenseSnapshot | null> {
  const query: typeof byKeyHash = { ...byKeyHash, parameters: [keyHash, keyHash] };
  const { rows } = await ctx.db.executeQuery(query);
  const row = rows[0];
  if (!row) return null;
  const domains = await domainsOf(row.project_id);
  // Only the domain limits read the identifiers a license registered.
  const limited = row.max_domains !== null || row.max_subdomains_per_domain !== null;
  const identifiers =
    limited && row.domain_id === null && domains.length === 0
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
  // Only the seat rule reads the active devices: a license without max_devices costs no query.
  const devices =
    row.max_devices === null
      ? null
      : new Map(
          (
            await ctx.db
              .selectFrom('license_devices')
              .select(['fingerprint', 'components'])
              .where('license_id', '=', row.id)
              .where('status', '=', 'active')
              .execute()
          ).map(
            (d) => [d.fingerprint, d.components === null ? null : (JSON.parse(d.components) as Component[])] as const,
          ),
        );
  const allowed = list(row.allowed_ips);
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
      allowedIps: allowed && IpAllowList.parse(allowed),
      allowedCountries: list(row.allowed_countries),
      isTest: Boolean(row.is_test_license),
      // Found by the previous hash: it retires when the overlap ends (or already has, if unset).
      keyRetiresAt: row.key_hash === keyHash ? null : new Date(row.previous_key_expires_at ?? 0),
      maxDevices: row.max_devices === null ? null : Number(row.max_devices),
      componentMatch: row.component_match,
    },
    project: {
      id: row.project_id,
      ownerId: row.owner_id,
      hasPaid: Boolean(row.has_paid),
      isActive: Boolean(row.is_active),
    },
    domains,
    identifiers,
    devices,
  };
}
