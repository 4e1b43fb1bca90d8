import type { Context } from '../../src/context.js';
import { signToken } from '../../src/core/accounts/access-tokens.js';
import { createOperator } from '../../src/core/accounts/operators.js';
import { SYSTEM } from '../../src/core/audit/record-audit.js';
import { API_KEY_PREFIX, newSecretKey } from '../../src/core/keys/secret-key.js';
import type { Tier } from '../../src/db/schema/index.js';
import { uuidv7 } from '../../src/lib/ids.js';

let counter = 0;
export function uniqueEmail(label = 'dev'): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${++counter}@example.com`;
}

export const PASSWORD = 'SecurePass123';

export interface SeededOperator {
  userId: string;
  key: string;
  headers: Record<string, string>;
}

export async function seedOperator(ctx: Context): Promise<SeededOperator> {
  const { userId, key } = await createOperator(ctx, SYSTEM, { email: uniqueEmail('ops') });
  return { userId, key, headers: { 'x-operator-key': key } };
}

export interface SeededDeveloper {
  userId: string;
  email: string;
  password: string;
  token: string;
  developerKey: string;
  developerKeyId: string;
  /** Authorization + X-User-Role + X-Developer-Key, as devkit developer routes want. */
  headers: Record<string, string>;
  /** X-API-KEY with the developer key: a global key on the devpayr face. */
  apiKeyHeaders: Record<string, string>;
}

/**
 * An active developer with a password, one developer key and a fresh access token,
 * written through the same tables the register flow writes (no HTTP round trip).
 */
export async function seedDeveloper(
  ctx: Context,
  opts: { tier?: Tier; email?: string } = {},
): Promise<SeededDeveloper> {
  const now = ctx.clock.now();
  const email = opts.email ?? uniqueEmail();
  const userId = uuidv7();
  const key = newSecretKey(API_KEY_PREFIX);
  const keyId = uuidv7();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({
        id: userId,
        email,
        email_scope: 'global',
        email_lower: email.toLowerCase(),
        password_hash: await ctx.passwords.hash(PASSWORD),
        full_name: 'Seeded Developer',
        role: 'developer',
        project_id: null,
        tier: opts.tier ?? 'free_starter',
        is_active: true,
        email_verified_at: now,
        created_at: now,
      })
      .execute();
    await trx
      .insertInto('api_keys')
      .values({
        id: keyId,
        kind: 'developer',
        user_id: userId,
        project_id: null,
        name: 'seed key',
        key_hash: key.hash,
        key_prefix: key.prefix,
        is_active: true,
        created_at: now,
      })
      .execute();
  });
  const token = await signToken(ctx, { sub: userId, type: 'access' }, 3600);
  return {
    userId,
    email,
    password: PASSWORD,
    token,
    developerKey: key.key,
    developerKeyId: keyId,
    headers: { authorization: `Bearer ${token}`, 'x-user-role': 'developer', 'x-developer-key': key.key },
    apiKeyHeaders: { 'x-api-key': key.key },
  };
}
