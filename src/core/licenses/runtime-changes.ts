import type { Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';

export interface RuntimeChange {
  projectId: string;
  /** The one license concerned; null when the whole project is (its flags, its domains). */
  licenseId: string | null;
}

/**
 * Marks, in the caller's transaction, that runtime checks of a project (or of one license)
 * may now answer differently. Every process's change feed (runtime-feed.ts) sees the row
 * within its poll interval and drops the cached snapshots concerned, so the mark exists
 * exactly when the change does and no cache outlives it by more than that interval.
 */
export async function noteRuntimeChange(trx: Transaction<Database>, ctx: Pick<Context, 'clock'>, change: RuntimeChange): Promise<void> {
  await trx
    .insertInto('runtime_changes')
    .values({ project_id: change.projectId, license_id: change.licenseId, created_at: ctx.clock.now() })
    .execute();
}
