import type { Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { uuidv7 } from '../../lib/ids.js';
import { recordAudit, type Actor } from '../audit/record-audit.js';
import { Conflict, invalidField } from '../errors.js';
import { hashKey, newSecretKey, OPERATOR_KEY_PREFIX } from '../keys/secret-key.js';
import { isEmailAddress, normaliseEmail } from './account-input.js';

type OpCtx = Pick<Context, 'db' | 'clock'>;

/** The users row of a platform operator: global, no password (operators use keys), verified. */
async function insertOperatorUser(
  trx: Transaction<Database>,
  user: { id: string; email: string; fullName: string | null },
  now: Date,
): Promise<void> {
  await trx
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email,
      email_scope: 'global',
      email_lower: normaliseEmail(user.email),
      password_hash: null,
      full_name: user.fullName,
      role: 'platform_operator',
      project_id: null,
      tier: 'cloud_premium',
      is_active: true,
      email_verified_at: now,
      created_at: now,
    })
    .execute();
}

export async function insertOperatorKey(
  trx: Transaction<Database>,
  key: { userId: string; name: string; hash: string; prefix: string },
  now: Date,
): Promise<string> {
  const id = uuidv7(now.getTime());
  await trx
    .insertInto('api_keys')
    .values({
      id,
      kind: 'operator',
      user_id: key.userId,
      project_id: null,
      name: key.name,
      key_hash: key.hash,
      key_prefix: key.prefix,
      is_active: true,
      created_at: now,
    })
    .execute();
  return id;
}

/** Audit entries of operator accounts: about no developer's data, so in no developer's log (owner null). */
export function operatorAudit(
  trx: Transaction<Database>,
  ctx: OpCtx,
  actor: Actor,
  action: string,
  target: { type: string; id: string },
  changedFields: string[],
) {
  return recordAudit(trx, ctx, actor, {
    action,
    targetType: target.type,
    targetId: target.id,
    projectId: null,
    ownerId: null,
    changedFields,
  });
}

/**
 * Creates a platform operator and its first operator key (the key is returned once), with
 * their audit entries in the same transaction; `actor` is who asked (the command line: CLI).
 */
export async function createOperator(
  ctx: OpCtx,
  actor: Actor,
  input: { email: string; fullName?: string | null },
): Promise<{ userId: string; key: string }> {
  const email = input.email.trim();
  if (!isEmailAddress(email)) throw invalidField('email', 'value is not a valid email address', 'value_error.email');
  const secret = newSecretKey(OPERATOR_KEY_PREFIX);
  const now = ctx.clock.now();
  const userId = uuidv7(now.getTime());
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await insertOperatorUser(trx, { id: userId, email, fullName: input.fullName ?? null }, now);
      const keyId = await insertOperatorKey(
        trx,
        { userId, name: 'operator key', hash: secret.hash, prefix: secret.prefix },
        now,
      );
      await operatorAudit(
        trx,
        ctx,
        actor,
        'operator.created',
        { type: 'operator', id: userId },
        input.fullName ? ['email', 'full_name'] : ['email'],
      );
      await operatorAudit(trx, ctx, actor, 'operator_key.created', { type: 'operator_key', id: keyId }, ['name']);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw Conflict('email', 'email_taken', 'Email already registered');
    throw err;
  }
  return { userId, key: secret.key };
}

/**
 * Start-up bootstrap from TOLLGATE_OPERATOR_EMAIL / TOLLGATE_OPERATOR_KEY: makes sure that
 * operator exists and that key is one of its active keys. Idempotent; safe on every start.
 * What it changes is audited as `actor`'s (the server's start-up: SYSTEM); an unchanged start writes nothing.
 */
export async function ensureOperator(
  ctx: OpCtx,
  actor: Actor,
  email: string,
  key: string,
): Promise<'created' | 'updated' | 'unchanged'> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    let outcome: 'created' | 'updated' | 'unchanged' = 'unchanged';
    let user = await trx
      .selectFrom('users')
      .select(['id', 'role'])
      .where('email_scope', '=', 'global')
      .where('email_lower', '=', normaliseEmail(email))
      .executeTakeFirst();
    if (user && user.role !== 'platform_operator') {
      throw Conflict('email', 'email_taken', `${email} belongs to an account that is not an operator`);
    }
    if (!user) {
      user = { id: uuidv7(now.getTime()), role: 'platform_operator' };
      await insertOperatorUser(trx, { id: user.id, email: email.trim(), fullName: null }, now);
      await operatorAudit(trx, ctx, actor, 'operator.created', { type: 'operator', id: user.id }, ['email']);
      outcome = 'created';
    }
    const hash = hashKey(key);
    const existing = await trx
      .selectFrom('api_keys')
      .select(['id', 'user_id', 'is_active'])
      .where('key_hash', '=', hash)
      .executeTakeFirst();
    if (existing && existing.user_id !== user.id)
      throw Conflict('key', 'key_taken', 'TOLLGATE_OPERATOR_KEY is already in use by another account');
    if (!existing) {
      const keyId = await insertOperatorKey(
        trx,
        { userId: user.id, name: 'from TOLLGATE_OPERATOR_KEY', hash, prefix: key.slice(0, 8) },
        now,
      );
      await operatorAudit(trx, ctx, actor, 'operator_key.created', { type: 'operator_key', id: keyId }, ['name']);
      if (outcome === 'unchanged') outcome = 'updated';
    } else if (!existing.is_active) {
      await trx
        .updateTable('api_keys')
        .set({ is_active: true, revoked_at: null })
        .where('id', '=', existing.id)
        .execute();
      await operatorAudit(trx, ctx, actor, 'operator_key.reactivated', { type: 'operator_key', id: existing.id }, [
        'is_active',
      ]);
      if (outcome === 'unchanged') outcome = 'updated';
    }
    return outcome;
  });
}

/** Whether any platform operator exists (start-up says how to create the first one only when none does). */
export async function hasOperator(ctx: Pick<Context, 'db'>): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'platform_operator')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
