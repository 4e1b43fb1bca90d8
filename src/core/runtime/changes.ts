import type { Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';

export interface RuntimeChange {
  projectId: string;
  /** The one license concerned; null when the whole project is (its flags, its domains). */
  licenseId: string | null;
  /** The key hash of a license this change created, so every process's key filter learns it. */
  keyHash?: string | null;
}

/**
 * Marks, in the caller's transaction, that runtime checks of a project (or of one license)
 * may now answer differently. The row is the durable record every process's change feed
 * (feed.ts) reads; besides, this process stops serving the concerned snapshots from
 * memory at once, before the transaction commits (read-your-writes: the change's own answer
 * is never followed by a stale check), and with Redis every other process is told the same
 * (push.ts). Each serves the concerned project from the database until its feed has
 * read the committed row (snapshot-store.ts, "pending").
 */
export async function noteRuntimeChange(
  trx: Transaction<Database>,
  ctx: Pick<Context, 'clock' | 'runtime'>,
  change: RuntimeChange,
): Promise<void> {
  const row = await trx
    .insertInto('runtime_changes')
    .values({
      project_id: change.projectId,
      license_id: change.licenseId,
      key_hash: change.keyHash ?? null,
      created_at: ctx.clock.now(),
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  ctx.runtime.noted(change, Number(row.seq));
}
