import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema/index.js';
import { isUuid } from '../../lib/ids.js';
import { Conflict, invalidField } from '../errors.js';

export const TITLE_TAKEN = 'The title has already been taken.';
export const DOMAIN_NOT_IN_PROJECT = 'The selected domain id is invalid.';

/**
 * What a license body names beyond itself, checked in the writer's transaction: its domain
 * must be one of the project's, its title free in the project (`self`: the license being
 * updated, whose own title is no clash).
 */
export async function checkLicenseRefs(
  trx: Transaction<Database>,
  projectId: string,
  checked: { domainId: string | null; title: string },
  self: string | null,
): Promise<void> {
  if (checked.domainId !== null) {
    const domain = isUuid(checked.domainId)
      ? await trx
          .selectFrom('domains')
          .select('id')
          .where('id', '=', checked.domainId)
          .where('project_id', '=', projectId)
          .executeTakeFirst()
      : undefined;
    if (!domain) throw invalidField('domain_id', DOMAIN_NOT_IN_PROJECT, 'exists');
  }
  let taken = trx
    .selectFrom('licenses')
    .select('id')
    .where('project_id', '=', projectId)
    .where('title', '=', checked.title);
  if (self !== null) taken = taken.where('id', '!=', self);
  if (await taken.executeTakeFirst()) throw Conflict('title', 'license_title_taken', TITLE_TAKEN);
}
