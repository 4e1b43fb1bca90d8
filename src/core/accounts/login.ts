import type { Context } from '../../context.js';
import { BadRequest, Unauthenticated } from '../errors.js';
import { issueTokens, type TokenPair } from './issue-tokens.js';
import { normaliseEmail } from './account-input.js';

/**
 * Password login: global for developers and operators, project-scoped for end users
 * (cloud-api/auth/login.mdx): the email is looked up in the scope the caller names, so an end
 * user of one project cannot sign in to another. Unknown email and wrong password answer
 * alike and take alike time (a dummy hash is verified when there is no account).
 */
export async function login(
  ctx: Pick<Context, 'db' | 'clock' | 'keys' | 'config' | 'passwords'>,
  input: { email: string; password: string; projectId: string | null },
): Promise<TokenPair> {
  const row = await ctx.db
    .selectFrom('users')
    .select(['id', 'role', 'project_id', 'password_hash', 'is_active', 'email_verified_at', 'sign_in_generation'])
    .where('email_scope', '=', input.projectId ?? 'global')
    .where('email_lower', '=', normaliseEmail(input.email))
    .executeTakeFirst();
  const ok = await ctx.passwords.verify(row?.password_hash ?? null, input.password);
  const roleFits = row && (input.projectId ? row.role === 'end_user' : row.role !== 'end_user');
  if (!row || !ok || !roleFits) throw Unauthenticated('bad_credentials', 'Incorrect email or password');
  // The password was right, so saying why the account cannot sign in reveals nothing new.
  if (!row.is_active) {
    if (!row.email_verified_at) throw BadRequest('not_activated', 'Account not activated');
    throw Unauthenticated('bad_credentials', 'Incorrect email or password');
  }
  return issueTokens(ctx, { id: row.id, projectId: row.project_id, signInGeneration: Number(row.sign_in_generation) });
}
