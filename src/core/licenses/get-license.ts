import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import type { LicensesTable } from '../../db/schema/licenses.js';
import { isUuid } from '../../lib/ids.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { toLicense, type License } from './license.js';
import { projectInScope } from './project-scope.js';

/** The license row in this project, or NotFound (a license of another project is not found). */
export async function findLicenseRow(
  db: Kysely<Database> | Transaction<Database>,
  projectId: string,
  licenseId: string,
): Promise<Selectable<LicensesTable>> {
  const row = isUuid(licenseId)
    ? await db.selectFrom('licenses').selectAll().where('id', '=', licenseId).where('project_id', '=', projectId).executeTakeFirst()
    : undefined;
  if (!row) throw NotFound('license');
  return row;
}

export async function getLicense(ctx: Pick<Context, 'db' | 'clock'>, principal: Principal, projectId: string, licenseId: string): Promise<License> {
  const project = await projectInScope(ctx, principal, projectId);
  return toLicense(await findLicenseRow(ctx.db, project.id, licenseId), ctx.clock.now());
}
