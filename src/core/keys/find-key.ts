import type { Context } from '../../context.js';
import type { KeyKind, Tier } from '../../db/schema/index.js';
import { hashKey } from './secret-key.js';

export interface ResolvedKey {
  id: string;
  kind: KeyKind;
  userId: string;
  projectId: string | null;
  tier: Tier;
  /** The key's display prefix (never the key): what audit entries name. */
  prefix: string;
}

/**
 * The active, unexpired key with this value whose owner account is active, or null.
 * Looked up by its SHA-256, so the presented value is never compared in the clear. The old
 * secret of a rerolled key counts until its overlap ends.
 */
export async function findActiveKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  presented: string,
): Promise<ResolvedKey | null> {
  if (presented.length < 8 || presented.length > 256) return null;
  const hash = hashKey(presented);
  const row = await ctx.db
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.id', 'k.user_id')
    .select([
      'k.id',
      'k.kind',
      'k.user_id',
      'k.project_id',
      'k.is_active',
      'k.expires_at',
      'u.tier',
      'u.is_active as user_active',
      'k.key_prefix',
      'k.key_hash',
      'k.previous_key_expires_at',
    ])
    // Either column is uniquely indexed: one query, two index probes (a rerolled key's old secret, see 022-key-reroll).
    .where((eb) => eb.or([eb('k.key_hash', '=', hash), eb('k.previous_key_hash', '=', hash)]))
    .executeTakeFirst();
  if (!row?.is_active || !row.user_active) return null;
  const now = ctx.clock.now();
  if (row.expires_at && new Date(row.expires_at) <= now) return null;
  // The old secret of a rerolled key works until its overlap ends, on every process, by the clock alone.
  if (row.key_hash !== hash && (!row.previous_key_expires_at || new Date(row.previous_key_expires_at) <= now))
    return null;
  return {
    id: row.id,
    kind: row.kind,
    userId: row.user_id,
    projectId: row.project_id,
    tier: row.tier,
    prefix: row.key_prefix,
  };
}

/** Best-effort, off the request path: a lost update of last_used_at is harmless. */
export function touchKey(ctx: Pick<Context, 'db' | 'clock' | 'log'>, keyId: string): void {
  ctx.db
    .updateTable('api_keys')
    .set({ last_used_at: ctx.clock.now() })
    .where('id', '=', keyId)
    .execute()
    .catch((err: Error) => ctx.log.warn({ err: err.message, keyId }, 'could not record key use'));
}
