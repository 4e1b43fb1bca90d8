import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from './types.js';

/** Changes that can alter a runtime check's answer, polled by every process in `seq` order. */
export interface RuntimeChangesTable {
  /** BIGSERIAL on PostgreSQL (arrives as a number, see database.ts), INTEGER PRIMARY KEY on SQLite. */
  seq: ColumnType<number, never, never> & Generated<number>;
  project_id: string;
  /** Null when the change concerns the whole project (its flags, its domains). */
  license_id: string | null;
  /** The key hash of a license this change created (migration 009); null otherwise. */
  key_hash: ColumnType<string | null, string | null | undefined, never>;
  created_at: Timestamp;
}
