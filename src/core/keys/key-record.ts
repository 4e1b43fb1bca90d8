import type { Selectable } from 'kysely';
import type { ApiKeysTable } from '../../db/schema/api-keys.js';
import { toIso } from '../../lib/time.js';
import type { Principal } from '../principal.js';

/** Developer keys and project API keys are managed by a signed-in developer. */
export type Developer = Extract<Principal, { kind: 'developer' }>;

/** A key as it may be shown after creation: never the key itself, never its hash. */
export interface KeyRecord {
  id: string;
  name: string | null;
  keyPrefix: string;
  projectId: string | null;
  isActive: boolean;
  lastUsedAt: string | null;
  createdAt: string;
}

/** Right after creation: the one time the full key exists outside the caller's hands. */
export type CreatedKey = KeyRecord & { key: string };

export function toKeyRecord(row: Selectable<ApiKeysTable>): KeyRecord {
  return {
    id: row.id,
    name: row.name,
    keyPrefix: row.key_prefix,
    projectId: row.project_id,
    isActive: Boolean(row.is_active),
    lastUsedAt: toIso(row.last_used_at),
    createdAt: toIso(row.created_at),
  };
}
