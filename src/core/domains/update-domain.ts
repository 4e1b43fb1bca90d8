import type { Updateable } from 'kysely';
import type { Context } from '../../context.js';
import type { DomainsTable } from '../../db/schema/domains.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { Conflict } from '../errors.js';
import { domainData } from '../events/event-data.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { lockProject } from '../projects/lock-project.js';
import { findDomainRow, toDomain, type Domain } from './domain.js';
import { checkDomainInput, DOMAIN_TAKEN, type DomainInput } from './domain-input.js';
import { recordChange } from '../events/record-change.js';

/** Partial update; promoting to primary demotes the previous one, and a paid flip is an event, all in one transaction. */
export async function updateDomain(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  domainId: string,
  input: DomainInput,
): Promise<Domain> {
  const project = await projectInScope(ctx, principal, projectId);
  const { domain } = checkDomainInput(input, false);
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      // Only a promotion to primary needs the project's lock (see create-domain.ts); the rest is row-local.
      if (input.isPrimary === true) await lockProject(trx, project.id);
      const before = await findDomainRow(trx, project.id, domainId);
      if (domain !== undefined && domain !== before.domain) {
        const taken = await trx
          .selectFrom('domains')
          .select('id')
          .where('project_id', '=', project.id)
          .where('domain', '=', domain)
          .executeTakeFirst();
        if (taken) throw Conflict('domain', 'domain_taken', DOMAIN_TAKEN);
      }
      if (input.isPrimary === true && !before.is_primary) {
        await trx
          .updateTable('domains')
          .set({ is_primary: false, updated_at: now })
          .where('project_id', '=', project.id)
          .where('is_primary', '=', true)
          .execute();
      }
      const changes: Updateable<DomainsTable> = { updated_at: now };
      if (domain !== undefined) changes.domain = domain;
      if (input.environment !== undefined) changes.environment = input.environment;
      if (input.isPrimary !== undefined) changes.is_primary = input.isPrimary;
      if (input.isVerified !== undefined) changes.is_verified = input.isVerified;
      if (input.isActive !== undefined) changes.is_active = input.isActive;
      if (input.hasPaid !== undefined) changes.has_paid = input.hasPaid;
      const row = await trx
        .updateTable('domains')
        .set(changes)
        .where('id', '=', before.id)
        .where('project_id', '=', project.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const fields = Object.keys(changes).filter((k) => k !== 'updated_at');
      await recordChange(trx, ctx, principal, {
        type: 'domain.updated',
        project,
        target: { type: 'domain', id: row.id },
        data: domainData(toDomain(row)),
        changedFields: fields,
      });
      await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: null });
      return toDomain(row);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'domain')) throw Conflict('domain', 'domain_taken', DOMAIN_TAKEN);
    throw err;
  }
}
