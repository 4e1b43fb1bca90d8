import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { isUuid } from '../../lib/ids.js';
import { lockAccount } from '../accounts/lock-account.js';
import { BadRequest, DomainError, LimitReached, NotFound } from '../errors.js';
import { MAX_ACTIVE_DEVELOPER_KEYS, TIERS } from '../plans/tiers.js';
import type { Principal } from '../principal.js';
import { getProject } from '../projects/get-project.js';
import { toKeyRecord, type KeyRecord } from './key-record.js';
import { API_KEY_PREFIX, newSecretKey } from './secret-key.js';

type Developer = Extract<Principal, { kind: 'developer' }>;
type KeyCtx = Pick<Context, 'db' | 'clock'>;

/**
 * Developer keys and project API keys share one table and one lifecycle; `scope` says which:
 * the developer's own keys, or one of their projects' keys. The active-key limit is counted
 * and the key inserted under the account lock, so parallel creates cannot pass it.
 */
export type KeyScope = { kind: 'developer' } | { kind: 'project'; projectId: string };

export async function createKey(ctx: KeyCtx, principal: Developer, scope: KeyScope, name: string | null): Promise<KeyRecord & { key: string }> {
  const projectId = scope.kind === 'project' ? (await getProject(ctx, principal, scope.projectId)).id : null;
  const max = scope.kind === 'developer' ? MAX_ACTIVE_DEVELOPER_KEYS : TIERS[principal.tier].maxApiKeysPerProject;
  const secret = newSecretKey(API_KEY_PREFIX);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await lockAccount(trx, principal.userId);
    if (max !== null) {
      let q = trx.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', principal.userId).where('kind', '=', scope.kind).where('is_active', '=', true);
      if (projectId) q = q.where('project_id', '=', projectId);
      const { n } = await q.executeTakeFirstOrThrow();
      if (Number(n) >= max) {
        throw scope.kind === 'developer'
          ? LimitReached('developer_key_limit', `Maximum number of developer keys (${max}) reached. Please revoke unused keys.`)
          : LimitReached('api_key_limit', `Maximum number of API keys (${max}) reached for this project on your subscription tier. Revoke unused keys or upgrade.`);
      }
    }
    const row = await trx
      .insertInto('api_keys')
      .values({ id: uuidv7(now.getTime()), kind: scope.kind, user_id: principal.userId, project_id: projectId, name, key_hash: secret.hash, key_prefix: secret.prefix, is_active: true, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...toKeyRecord(row), key: secret.key };
  });
}

export async function listKeys(ctx: KeyCtx, principal: Developer, scope: KeyScope): Promise<KeyRecord[]> {
  let q = ctx.db.selectFrom('api_keys').selectAll().where('user_id', '=', principal.userId).where('kind', '=', scope.kind).orderBy('id', 'desc');
  if (scope.kind === 'project') q = q.where('project_id', '=', (await getProject(ctx, principal, scope.projectId)).id);
  return (await q.execute()).map(toKeyRecord);
}

export async function revokeKey(ctx: KeyCtx, principal: Developer, scope: KeyScope, keyId: string): Promise<void> {
  const notFound = () => (scope.kind === 'developer' ? new DomainError('not_found', 'developer_key_not_found', 'Developer key not found') : NotFound('API key'));
  let q = ctx.db.selectFrom('api_keys').select(['id', 'is_active']).where('user_id', '=', principal.userId).where('kind', '=', scope.kind);
  if (scope.kind === 'project') q = q.where('project_id', '=', (await getProject(ctx, principal, scope.projectId)).id);
  if (!isUuid(keyId)) throw notFound();
  const row = await q.where('id', '=', keyId).executeTakeFirst();
  if (!row) throw notFound();
  if (scope.kind === 'developer' && principal.keyId === keyId) {
    throw BadRequest('key_in_use', 'Cannot revoke the developer key currently being used for authentication');
  }
  const done = await ctx.db
    .updateTable('api_keys')
    .set({ is_active: false, revoked_at: ctx.clock.now() })
    .where('id', '=', row.id)
    .where('is_active', '=', true)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) throw BadRequest('key_inactive', scope.kind === 'developer' ? 'Developer key is already revoked or inactive' : 'API key is already revoked or inactive');
}
