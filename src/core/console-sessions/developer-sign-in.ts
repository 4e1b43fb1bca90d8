import type { Context } from '../../context.js';
import { login } from '../accounts/login.js';
import type { TokenPair } from '../accounts/issue-tokens.js';
import { Unauthenticated } from '../errors.js';

/**
 * A developer signs in to the console with their password: a global login, then the account
 * it was for, which must be a developer's. Operators have no password (they hold operator
 * keys) and login() refuses them already; the role is checked again to stay safe.
 */
export async function developerSignIn(
  ctx: Pick<Context, 'db' | 'clock' | 'keys' | 'config' | 'passwords'>,
  input: { email: string; password: string },
): Promise<{ userId: string; tokens: TokenPair }> {
  const tokens = await login(ctx, { email: input.email, password: input.password, projectId: null });
  const user = await ctx.db
    .selectFrom('users')
    .select(['id', 'role'])
    .where('email_scope', '=', 'global')
    .where('email_lower', '=', input.email.trim().toLowerCase())
    .executeTakeFirstOrThrow();
  if (user.role !== 'developer') throw Unauthenticated('bad_credentials', 'Incorrect email or password');
  return { userId: user.id, tokens };
}
