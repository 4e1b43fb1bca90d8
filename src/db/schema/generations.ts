import type { Bool, NullableTimestamp, Timestamp } from './types.js';

export type GenerationStatus = 'pending' | 'processing' | 'completed' | 'failed';

/** A generation request and its durable job (see migration 005). */
export interface GenerationsTable {
  id: string;
  project_id: string | null;
  owner_id: string | null;
  user_id: string | null;
  anonymous: Bool;
  instructions: string;
  prompt: string;
  status: GenerationStatus;
  is_public: Bool;
  /** JSON array of {key, content_type}. */
  example_images: string;
  result_key: string | null;
  result_content_type: string | null;
  error: string | null;
  attempts: number;
  run_after: Timestamp;
  lease_until: NullableTimestamp;
  lease_token: string | null;
  quota_month: string | null;
  provider: string;
  enqueued_at: Timestamp;
  started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
  /** JSON {id, status, output, error} of a verified provider callback (migration 013); null when none. */
  provider_callback: string | null;
}

/** Images of a deleted generation still to be removed from the blob store (migration 013). */
export interface GenerationBlobDeletionsTable {
  generation_id: string;
  example_images: string;
  result_key: string | null;
  attempts: number;
  due_at: Timestamp;
  created_at: Timestamp;
}

export interface GenerationUsageTable {
  owner_id: string;
  month: string;
  used: number;
}

export interface AnonymousGenerationUsageTable {
  /** SHA-256 of the client IP under the server key: counted without storing the address. */
  client: string;
  day: string;
  used: number;
}
