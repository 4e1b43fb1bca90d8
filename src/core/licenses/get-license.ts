import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import type { LicensesTable } from '../../db/schema/licenses.js';
import { isUuid } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { toLicense, type License } from './license.js';
import { projectInScope } from '../projects/project-in-scope.js';

/** The license row in this project, or NotFound (a license of another project is not found). */
export async function findLicenseRow(
  db: Kysely<Database> | Transaction<Database>,
  projectId: string,
  licenseId: string,
): Promise<Selectable<LicensesTable>> {
  const row = isUuid(licenseId)
    ? await db
        .selectFrom('licenses')
        .selectAll()
        .where('id', '=', licenseId)
        .where('project_id', '=', projectId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw NotFound('license');
  return row;
}

/** A runtime identifier the license has been used from (recorded by the runtime check). */
export interface LicenseIdentifier {
  identifier: string;
  baseDomain: string;
  firstSeenAt: string;
  lastSeenAt: string;
  count: number;
}

/** How many identifiers a show answer carries, most recently seen first. */
export const SHOWN_IDENTIFIERS = 100;

/** The license and where it has been used from. */
export async function getLicense(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
): Promise<{ license: License; identifiers: LicenseIdentifier[] }> {
  const project = await projectInScope(ctx, principal, projectId);
  const row = await findLicenseRow(ctx.db, project.id, licenseId);
  const seen = await ctx.db
    .selectFrom('license_identifiers')
    .select(['identifier', 'base_domain', 'first_seen_at', 'last_seen_at', 'use_count'])
    .where('license_id', '=', row.id)
    .orderBy('last_seen_at', 'desc')
    .orderBy('identifier')
    .limit(SHOWN_IDENTIFIERS)
    .execute();
  return {
    license: toLicense(row, ctx.clock.now()),
    identifiers: seen.map((r) => ({
      identifier: r.identifier,
      baseDomain: r.base_domain,
      firstSeenAt: toIso(r.first_seen_at),
      lastSeenAt: toIso(r.last_seen_at),
      count: Number(r.use_count),
    })),
  };
}
