import type { Kysely, Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Origin, Principal } from '../principal.js';

/**
 * Who made a change: a caller resolved by a face; an account acting on itself before it holds
 * a credential of ours (signing up, spending a verification token: `self`, shown as that
 * account's role); or no one's account (`system`): the server's own work (`id` null), the
 * command line (`cli`), or a verified call from Stripe (`stripe`); or a caller with no account
 * at all (`anonymous`: the public generation routes), known by its address and request id.
 */
export type Actor =
  | Principal
  | { kind: 'self'; role: 'developer' | 'end_user'; userId: string; origin?: Origin }
  | { kind: 'system'; id?: 'cli' | 'stripe'; origin?: Origin }
  | { kind: 'anonymous'; origin?: Origin };

/** The server's own background work (retries giving up, endpoints disabled, start-up bootstrap). */
export const SYSTEM: Actor = { kind: 'system' };
/** The `tollgate` command line, run by whoever has the server's shell. */
export const CLI: Actor = { kind: 'system', id: 'cli' };

export const ACTOR_TYPES = [
  'operator',
  'developer',
  'developer_key',
  'project_key',
  'end_user',
  'system',
  'anonymous',
] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string | null;
  projectId: string | null;
  /** The developer whose log shows the entry (the owner of what changed). */
  ownerId: string | null;
  /** Names only, never values (a secret's name may appear, its value never). */
  changedFields?: string[];
}

/** The request the actor came with (absent for the CLI and the server's own work). */
function originOf(actor: Actor): { ip: string | null; requestId: string | null } {
  return { ip: actor.origin?.ip ?? null, requestId: actor.origin?.requestId ?? null };
}

function keyPrefixOf(actor: Actor): string | null {
  return actor.kind === 'system' || actor.kind === 'self' || actor.kind === 'end_user' || actor.kind === 'anonymous'
    ? null
    : (actor.keyPrefix ?? null);
}

export function actorType(actor: Actor): ActorType {
  if (actor.kind === 'developer') return actor.keyId ? 'developer_key' : 'developer';
  if (actor.kind === 'self') return actor.role;
  return actor.kind;
}

function actorId(actor: Actor): string | null {
  if (actor.kind === 'anonymous') return null;
  return actor.kind === 'system' ? (actor.id ?? null) : actor.userId;
}

/** Writes the entry in the caller's transaction: it exists exactly when the change does. */
export async function recordAudit(
  trx: Transaction<Database> | Kysely<Database>,
  ctx: Pick<Context, 'clock'>,
  actor: Actor,
  entry: AuditEntry,
): Promise<void> {
  const now = ctx.clock.now();
  const origin = originOf(actor);
  await trx
    .insertInto('audit_log')
    .values({
      id: uuidv7(now.getTime()),
      created_at: now,
      owner_id: entry.ownerId,
      actor_type: actorType(actor),
      actor_id: actorId(actor),
      key_prefix: keyPrefixOf(actor),
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      project_id: entry.projectId,
      ip: origin.ip,
      request_id: origin.requestId,
      changed_fields: JSON.stringify(entry.changedFields ?? []),
    })
    .execute();
}
