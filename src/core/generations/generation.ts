import type { Selectable } from 'kysely';
import type { GenerationsTable } from '../../db/schema/generations.js';
import type { GenerationStatus, Tier } from '../../db/schema/index.js';
import { toIso } from '../../lib/time.js';

export const MAX_EXAMPLES = 5;
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const MAX_INSTRUCTIONS = 1000;

/** The wire's messages (cloud-api/generation/create.mdx and issue 10). */
export const GENERATION_MESSAGES = {
  submitted: 'Generation request submitted successfully',
  tooMany: 'Maximum 5 example images allowed',
  format: 'Invalid file format. Supported formats: JPEG, PNG, WebP',
  tooLarge: 'File size exceeds maximum allowed size of 10MB',
  instructionsLength: 'Instructions must be between 1 and 1000 characters',
  invalidJson: 'Invalid JSON format',
  promptMissing: 'Instructions must contain a "prompt" key',
  quota: 'AI generation rate limit exceeded. Try again later.',
  anonymousOff: 'Anonymous generation is disabled on this server',
} as const;

/** Generations of one developer's projects running at once, by tier (create.mdx's table). */
export const CONCURRENCY: Record<Tier, number> = { free_starter: 1, cloud_starter: 3, cloud_premium: 10 };
/** Anonymous generations made without a project share one slot, like a Free Starter developer. */
export const ANONYMOUS_CONCURRENCY = 1;

export interface StoredImage {
  key: string;
  content_type: string;
}

export interface Generation {
  id: string;
  projectId: string | null;
  ownerId: string | null;
  userId: string | null;
  anonymous: boolean;
  instructions: string;
  status: GenerationStatus;
  isPublic: boolean;
  examples: StoredImage[];
  resultKey: string | null;
  error: string | null;
  /** The month whose quota unit it holds, if any. */
  quotaMonth: string | null;
  createdAt: string;
  updatedAt: string | null;
}

export function toGeneration(row: Selectable<GenerationsTable>): Generation {
  return {
    id: row.id,
    projectId: row.project_id,
    ownerId: row.owner_id,
    userId: row.user_id,
    anonymous: Boolean(row.anonymous),
    instructions: row.instructions,
    status: row.status,
    isPublic: Boolean(row.is_public),
    examples: JSON.parse(row.example_images) as StoredImage[],
    resultKey: row.result_key,
    error: row.error,
    quotaMonth: row.quota_month,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/** Every blob a generation holds. */
export function blobKeys(g: Pick<Generation, 'examples' | 'resultKey'>): string[] {
  return [...g.examples.map((e) => e.key), ...(g.resultKey ? [g.resultKey] : [])];
}

export function utcMonth(now: Date): string {
  return now.toISOString().slice(0, 7);
}

export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Seconds until the next UTC month begins (a spent monthly quota's retry_after). */
export function secondsToNextMonth(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

export function secondsToNextDay(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}
