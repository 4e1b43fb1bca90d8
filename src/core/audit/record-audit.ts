import type { Kysely, Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Principal } from '../principal.js';

/** Who made a change: a caller resolved by a face (or the CLI), or the server itself. */
export type Actor = Principal | { kind: 'system' };

export const SYSTEM: Actor = { kind: 'system' };

export const ACTOR_TYPES = ['operator', 'developer', 'developer_key', 'project_key', 'end_user', 'system'] as const;
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

/** The request a principal came with (absent for the CLI and the server's own work). */
function originOf(actor: Actor): { ip: string | null; requestId: string | null } {
  const origin = actor.kind === 'system' ? undefined : actor.origin;
  return { ip: origin?.ip ?? null, requestId: origin?.requestId ?? null };
}

function keyPrefixOf(actor: Actor): string | null {
  return actor.kind === 'system' || actor.kind === 'end_user' ? null : (actor.keyPrefix ?? null);
}

export function actorType(actor: Actor): ActorType {
  if (actor.kind === 'developer') return actor.keyId ? 'developer_key' : 'developer';
  return actor.kind;
}

function actorId(actor: Actor): string | null {
  return actor.kind === 'system' ? null : actor.userId;
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
