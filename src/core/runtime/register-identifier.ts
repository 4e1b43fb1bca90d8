import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import type { LicenseSnapshot } from './snapshot-store.js';

export type RegisterOutcome = { ok: true } | { ok: false; code: 'domain_limit' | 'subdomain_limit'; message: string };

/**
 * First use of a new identifier by a self-registering license that has limits. The license
 * row is locked (PostgreSQL) or the write lock is held (SQLite) while the limits are counted
 * and the identifier inserted, so concurrent first uses from several processes cannot
 * together exceed max_domains or max_subdomains_per_domain.
 */
export async function registerIdentifier(
  ctx: Pick<Context, 'db' | 'dialect' | 'clock'>,
  snap: LicenseSnapshot,
  identifier: string,
  baseDomain: string,
): Promise<RegisterOutcome> {
  const { license } = snap;
  const now = ctx.clock.now();
  const outcome = await ctx.db.transaction().execute(async (trx): Promise<RegisterOutcome & { known?: Map<string, string> }> => {
    let lock = trx.selectFrom('licenses').select('id').where('id', '=', license.id);
    if (ctx.dialect === 'postgres') lock = lock.forUpdate();
    await lock.executeTakeFirst();
    const rows = await trx
      .selectFrom('license_identifiers')
      .select(['identifier', 'base_domain'])
      .where('license_id', '=', license.id)
      .execute();
    const known = new Map(rows.map((r) => [r.identifier, r.base_domain] as const));
    if (known.has(identifier)) return { ok: true, known };
    const bases = new Set(known.values());
    if (!bases.has(baseDomain) && license.maxDomains !== null && bases.size >= license.maxDomains) {
      return { ok: false, code: 'domain_limit', message: `This license has reached its limit of ${license.maxDomains} domain(s).` };
    }
    // The base domain itself is not one of its subdomains.
    const subdomainsUsed = [...known.entries()].filter(([id, b]) => b === baseDomain && id !== b).length;
    if (identifier !== baseDomain && license.maxSubdomainsPerDomain !== null && subdomainsUsed >= license.maxSubdomainsPerDomain) {
      return {
        ok: false,
        code: 'subdomain_limit',
        message: `This license has reached its limit of ${license.maxSubdomainsPerDomain} subdomain(s) of ${baseDomain}.`,
      };
    }
    await trx
      .insertInto('license_identifiers')
      .values({
        id: uuidv7(),
        license_id: license.id,
        identifier,
        base_domain: baseDomain,
        first_seen_at: now,
        last_seen_at: now,
        use_count: 0,
      })
      .execute();
    known.set(identifier, baseDomain);
    return { ok: true, known };
  });
  if (outcome.known && snap.identifiers) for (const [k, v] of outcome.known) snap.identifiers.set(k, v);
  return outcome.ok ? { ok: true } : { ok: false, code: outcome.code, message: outcome.message };
}
