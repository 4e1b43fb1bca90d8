import type { Selectable } from 'kysely';
import type { ApiKeysTable } from '../../db/schema/api-keys.js';
import { toIso } from '../../lib/time.js';

/** A key as it may be shown after creation: never the key itself, never its hash. */
export interface KeyRecord {
  id: string;
  name: string | null;
  keyPrefix: string;
  isActive: boolean;
  lastUsedAt: string | null;
  createdAt: string;
}

export function toKeyRecord(row: Selectable<ApiKeysTable>): KeyRecord {
  return { id: row.id, name: row.name, keyPrefix: row.key_prefix, isActive: Boolean(row.is_active), lastUsedAt: toIso(row.last_used_at), createdAt: toIso(row.created_at) };
}
