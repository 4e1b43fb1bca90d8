import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Registration } from './rules.js';
import type { LicenseSnapshot } from './snapshot.js';

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
): Promise<Registration> {
  const { license } = snap;
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx): Promise<Registration> => {
    let lock = trx.selectFrom('licenses').select('id').where('id', '=', license.id);
    if (ctx.dialect === 'postgres') lock = lock.forUpdate();
    await lock.executeTakeFirst();
    const rows = await trx
      .selectFrom('license_identifiers')
      .select(['identifier', 'base_domain'])
      .where('license_id', '=', license.id)
      .execute();
    const known = new Map(rows.map((r) => [r.identifier, r.base_domain] as const));
    if (known.has(identifier)) return { ok: true };
    const bases = new Set(known.values());
    if (!bases.has(baseDomain) && license.maxDomains !== null && bases.size >= license.maxDomains) {
      return {
        ok: false,
        code: 'domain_limit',
        message: `This license has reached its limit of ${license.maxDomains} domain(s).`,
      };
    }
    // The base domain itself is not one of its subdomains.
    const subdomainsUsed = [...known.entries()].filter(([id, b]) => b === baseDomain && id !== b).length;
    if (
      identifier !== baseDomain &&
      license.maxSubdomainsPerDomain !== null &&
      subdomainsUsed >= license.maxSubdomainsPerDomain
    ) {
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
    return { ok: true };
  });
}
