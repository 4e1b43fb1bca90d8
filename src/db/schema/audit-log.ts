import type { Timestamp } from './types.js';

/** Who changed what, written in the change's transaction; never holds secret values. */
export interface AuditLogTable {
  id: string;
  created_at: Timestamp;
  owner_id: string | null;
  actor_type: string;
  actor_id: string | null;
  key_prefix: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  project_id: string | null;
  ip: string | null;
  request_id: string | null;
  /** JSON array of field names. */
  changed_fields: string;
}
