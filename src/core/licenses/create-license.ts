import { randomUUID } from 'node:crypto';
import type { Context } from '../../context.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { uuidv7 } from '../../lib/ids.js';
import { Conflict } from '../errors.js';
import { licenseData } from '../events/event-data.js';
import { hashKey } from '../keys/secret-key.js';
import type { Principal } from '../principal.js';
import { checkLicenseInput, licenseColumns, type LicenseInput } from './license-input.js';
import { LICENSE_KEY_PREFIX_LENGTH, toLicense, type License } from './license.js';
import { projectInScope } from '../projects/project-in-scope.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import { givenFields, recordChange } from '../events/record-change.js';

import { checkLicenseRefs, TITLE_TAKEN } from './license-refs.js';

export { DOMAIN_NOT_IN_PROJECT, TITLE_TAKEN } from './license-refs.js';

/**
 * Issues a license in the project. The key is a random UUID (122 bits), stored only as its
 * SHA-256 hash plus a display prefix; the caller gets it once, here.
 */
export async function createLicense(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  input: LicenseInput,
): Promise<{ license: License; key: string }> {
  const project = await projectInScope(ctx, principal, projectId);
  const now = ctx.clock.now();
  const checked = checkLicenseInput(input, now);
  const key = randomUUID();
  try {
    const license = await ctx.db.transaction().execute(async (trx) => {
      await checkLicenseRefs(trx, project.id, checked, null);
      const row = await trx
        .insertInto('licenses')
        .values({
          id: uuidv7(now.getTime()),
          project_id: project.id,
          key_hash: hashKey(key),
          key_prefix: key.slice(0, LICENSE_KEY_PREFIX_LENGTH),
          status: 'active',
          ...licenseColumns(checked),
          revoked_at: null,
          created_at: now,
          updated_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      // Every process's key filter learns the new key (an unknown key is refused from memory).
      await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: row.id, keyHash: row.key_hash });
      await recordChange(trx, ctx, principal, {
        type: 'license.created',
        project,
        target: { type: 'license', id: row.id },
        data: licenseData(toLicense(row, now)),
        changedFields: givenFields(input),
      });
      return toLicense(row, now);
    });
    return { license, key };
  } catch (err) {
    // Two creates with one title can both pass the check; the unique constraint decides.
    if (isUniqueViolation(err, 'title')) throw Conflict('title', 'license_title_taken', TITLE_TAKEN);
    throw err;
  }
}
