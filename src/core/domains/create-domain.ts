import type { Context } from '../../context.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { uuidv7 } from '../../lib/ids.js';
import { lockAccount } from '../accounts/lock-account.js';
import { Conflict } from '../errors.js';
import { recordEvent } from '../events/record-event.js';
import { noteRuntimeChange } from '../licenses/runtime-changes.js';
import { projectInScope } from '../licenses/project-scope.js';
import type { Principal } from '../principal.js';
import { toDomain, type Domain } from './domain.js';
import { checkDomainInput, DOMAIN_TAKEN, type DomainInput } from './domain-input.js';

/**
 * Registers a domain in the project. Uniqueness and "one primary per project" hold under
 * concurrency: both are decided inside one transaction holding the owner's account lock.
 */
export async function createDomain(ctx: Pick<Context, 'db' | 'clock' | 'runtime'>, principal: Principal, projectId: string, input: DomainInput): Promise<Domain> {
  const project = await projectInScope(ctx, principal, projectId);
  const { domain } = checkDomainInput(input, true);
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      await lockAccount(trx, project.ownerId);
      const taken = await trx.selectFrom('domains').select('id').where('project_id', '=', project.id).where('domain', '=', domain!).executeTakeFirst();
      if (taken) throw Conflict('domain', 'domain_taken', DOMAIN_TAKEN);
      if (input.isPrimary) {
        await trx.updateTable('domains').set({ is_primary: false, updated_at: now }).where('project_id', '=', project.id).where('is_primary', '=', true).execute();
      }
      const row = await trx
        .insertInto('domains')
        .values({
          id: uuidv7(now.getTime()),
          project_id: project.id,
          domain: domain!,
          environment: input.environment ?? 'production',
          is_primary: input.isPrimary ?? false,
          is_verified: input.isVerified ?? false,
          is_active: input.isActive ?? true,
          has_paid: input.hasPaid ?? false,
          created_at: now,
          updated_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: null });
      await recordEvent(trx, ctx, {
        ownerId: project.ownerId,
        projectId: project.id,
        type: 'domain.added',
        payload: { domain_id: row.id, project_id: project.id, domain: row.domain, has_paid: Boolean(row.has_paid) },
      });
      return toDomain(row);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'domain')) throw Conflict('domain', 'domain_taken', DOMAIN_TAKEN);
    throw err;
  }
}
