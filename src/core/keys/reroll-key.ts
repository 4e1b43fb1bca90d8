import type { Context } from '../../context.js';
import { recordAudit } from '../audit/record-audit.js';
import { recordChange } from '../events/record-change.js';
import { recordEvent } from '../events/record-event.js';
import { isUuid } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import { DomainError } from '../errors.js';
import { getProject } from '../projects/get-project.js';
import { toKeyRecord, type CreatedKey, type Developer } from './key-record.js';
import { rerollColumns } from './overlap.js';
import { API_KEY_PREFIX, newSecretKey } from './secret-key.js';

/** A rerolled key: the new secret (shown once) and until when the old one still works (null: not at all). */
export type RerolledKey = CreatedKey & { previousKeyExpiresAt: string | null };

/** The key's own fields only, never a secret or hash: what the event and its webhook carry. */
const keyData = (k: CreatedKey, previousKeyExpiresAt: string | null) => ({
  id: k.id,
  name: k.name,
  key_prefix: k.keyPrefix,
  project_id: k.projectId,
  previous_key_expires_at: previousKeyExpiresAt,
});

/**
 * A new secret for one of the caller's active keys of `kind` (in `projectId`, for a project
 * key); same id, name and scopes. Owner, kind and project are in the UPDATE's WHERE, so a key
 * of another developer or project answers 404 like an unknown one.
 */
async function rerollKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Developer,
  where: { kind: 'developer' | 'project'; keyId: string; project: { id: string; ownerId: string } | null },
  overlapSeconds: number,
  notFound: () => DomainError,
): Promise<RerolledKey> {
  if (!isUuid(where.keyId)) throw notFound();
  const secret = newSecretKey(API_KEY_PREFIX);
  const now = ctx.clock.now();
  const columns = rerollColumns(secret.hash, secret.prefix, overlapSeconds, now);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('api_keys')
      .set(columns)
      .where('id', '=', where.keyId.toLowerCase())
      .where('user_id', '=', principal.userId)
      .where('kind', '=', where.kind)
      .where('project_id', where.project ? '=' : 'is', where.project?.id ?? null)
      .where('is_active', '=', true)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound();
    const key = { ...toKeyRecord(row), key: secret.key };
    const previousKeyExpiresAt = toIso(row.previous_key_expires_at);
    const data = keyData(key, previousKeyExpiresAt);
    if (where.project) {
      await recordChange(trx, ctx, principal, {
        type: 'project_key.rerolled',
        project: where.project,
        target: { type: 'project_key', id: row.id },
        data,
        changedFields: ['key'],
      });
    } else {
      // A developer key belongs to no project: its event has no webhook endpoint to go to.
      await recordEvent(trx, ctx, { ownerId: principal.userId, projectId: null, type: 'developer_key.rerolled', data });
      await recordAudit(trx, ctx, principal, {
        action: 'developer_key.rerolled',
        targetType: 'developer_key',
        targetId: row.id,
        projectId: null,
        ownerId: principal.userId,
        changedFields: ['key'],
      });
    }
    return { ...key, previousKeyExpiresAt };
  });
}

export function rerollDeveloperKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Developer,
  keyId: string,
  overlapSeconds: number,
): Promise<RerolledKey> {
  const notFound = () => new DomainError('not_found', 'developer_key_not_found', 'Developer key not found');
  return rerollKey(ctx, principal, { kind: 'developer', keyId, project: null }, overlapSeconds, notFound);
}

export async function rerollProjectKey(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Developer,
  projectId: string,
  keyId: string,
  overlapSeconds: number,
): Promise<RerolledKey> {
  const project = await getProject(ctx, principal, projectId);
  const notFound = () => new DomainError('not_found', 'api_key_not_found', 'API key not found');
  return rerollKey(ctx, principal, { kind: 'project', keyId, project }, overlapSeconds, notFound);
}
