import type { Context } from '../../context.js';
import { checkRegisterInput, normaliseEmail, type RegisterInput, type Registered } from '../accounts/account-input.js';
import { createVerification, sendVerificationMail } from '../accounts/email-verification.js';
import { issueTokens } from '../accounts/issue-tokens.js';
import { inTransaction } from '../accounts/join-transaction.js';
import { lockAccount } from '../accounts/lock-account.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { uuidv7 } from '../../lib/ids.js';
import { Conflict, Forbidden, LimitReached } from '../errors.js';
import { endUserData } from '../events/event-data.js';
import { TIERS } from '../plans/tiers.js';
import type { Principal } from '../principal.js';
import { getProject } from '../projects/get-project.js';
import { recordChange } from '../events/record-change.js';

export const END_USER_LIMIT_MESSAGE =
  'Maximum number of end users reached for this project on your subscription tier. Upgrade to add more users.';

type RegisterCtx = Pick<Context, 'db' | 'clock' | 'keys' | 'config' | 'mailer' | 'log' | 'passwords'>;

/**
 * A developer registers an end user into one of their own projects (a foreign one is 404).
 * The email is unique within the project. The owner's tier caps end users per project:
 * counted and inserted under the owner's account lock, so parallel sign-ups cannot pass it.
 * The new user gets a session at once (register.mdx); it only works once the account is active.
 */
export async function registerEndUser(
  ctx: RegisterCtx,
  principal: Principal,
  projectId: string,
  input: RegisterInput,
): Promise<Registered> {
  if (principal.kind !== 'developer')
    throw Forbidden('developer_required', 'Registering an end user requires a valid X-Developer-Key.');
  checkRegisterInput(input);
  const project = await getProject(ctx, principal, projectId);
  const email = input.email.trim();
  const passwordHash = await ctx.passwords.hash(input.password);
  const isActive = !ctx.config.requireEmailVerification;
  const now = ctx.clock.now();
  const id = uuidv7(now.getTime());
  try {
    const done = await inTransaction(ctx, async (tx, trx) => {
      await lockAccount(trx, principal.userId);
      const max = TIERS[principal.tier].maxEndUsersPerProject;
      if (max !== null) {
        const { n } = await tx.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('project_id', '=', project.id)
          .where('role', '=', 'end_user')
          .executeTakeFirstOrThrow();
        if (Number(n) >= max) throw LimitReached('end_user_limit', END_USER_LIMIT_MESSAGE);
      }
      await tx.db
        .insertInto('users')
        .values({
          id,
          email,
          email_scope: project.id,
          email_lower: normaliseEmail(email),
          password_hash: passwordHash,
          full_name: input.fullName,
          role: 'end_user',
          project_id: project.id,
          tier: 'free_starter',
          is_active: isActive,
          email_verified_at: null,
          created_at: now,
        })
        .execute();
      await recordChange(trx, ctx, principal, {
        type: 'end_user.registered',
        project,
        target: { type: 'end_user', id },
        data: endUserData({
          id,
          email,
          fullName: input.fullName,
          projectId: project.id,
          isActive,
          createdAt: now.toISOString(),
        }),
        changedFields: ['email', 'password', ...(input.fullName ? ['full_name'] : [])],
      });
      // A new account: the first sign-in generation.
      const tokens = await issueTokens(tx, { id, projectId: project.id, signInGeneration: 0 });
      const token = isActive ? null : await createVerification(tx, id);
      return { tokens, token };
    });
    if (done.token) await sendVerificationMail(ctx, { id, email }, done.token);
    return {
      id,
      email,
      fullName: input.fullName,
      role: 'end_user',
      isActive,
      createdAt: now.toISOString(),
      projectId: project.id,
      provisioning: null,
      tokens: done.tokens,
    };
  } catch (err) {
    if (isUniqueViolation(err, 'email')) throw Conflict('email', 'email_taken', 'Email already registered');
    throw err;
  }
}
