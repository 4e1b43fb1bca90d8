import { sql } from 'kysely';
import { invalidField } from '../errors.js';

/** The longest an old secret may keep working after a reroll (issue 21): 30 days. */
export const MAX_OVERLAP_SECONDS = 30 * 24 * 3600;

/**
 * The columns a reroll sets on a key or license row: the new hash, and the current hash kept
 * as the previous one until the overlap ends. Taken from the row in the same UPDATE (no
 * read-then-write race); with no overlap the old hash is dropped, so it is refused at once.
 * A second reroll during an overlap replaces the previous hash: only the last old key lingers.
 */
export function rerollColumns(newHash: string, newPrefix: string, overlapSeconds: number, now: Date) {
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_OVERLAP_SECONDS) {
    throw invalidField(
      'overlap_seconds',
      `The overlap seconds must be an integer between 0 and ${MAX_OVERLAP_SECONDS}.`,
      'between',
    );
  }
  const overlap = overlapSeconds > 0;
  return {
    key_hash: newHash,
    key_prefix: newPrefix,
    // The row's hash before this UPDATE: SQL reads SET's right-hand sides from the old row.
    previous_key_hash: overlap ? sql<string>`key_hash` : null,
    previous_key_expires_at: overlap ? new Date(now.getTime() + overlapSeconds * 1000) : null,
  };
}
