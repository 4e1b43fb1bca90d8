import type { Context } from '../../context.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { uuidv7 } from '../../lib/ids.js';
import { Conflict, Forbidden } from '../errors.js';
import { createDeveloperKey } from '../keys/create-developer-key.js';
import { createProjectKey } from '../keys/create-project-key.js';
import { recordAudit, type Actor } from '../audit/record-audit.js';
import type { Origin, Principal } from '../principal.js';
import { createProject } from '../projects/create-project.js';
import { checkRegisterInput, normaliseEmail, type RegisterInput, type Registered } from './account-input.js';
import { createVerification, sendVerificationMail } from './email-verification.js';
import { inTransaction } from './join-transaction.js';

type RegisterCtx = Pick<Context, 'db' | 'clock' | 'keys' | 'config' | 'mailer' | 'log' | 'passwords'>;

/** "Jane Doe's first project", or from the email's local part when no name was given. */
function firstProjectName(input: RegisterInput, email: string): string {
  const who = input.fullName?.trim() || email.split('@')[0]!;
  return `${who.slice(0, 80)}'s first project`;
}

/**
 * Who registers a developer: an operator, or, where the instance's operator opened sign-up
 * (the console), the new developer themself (`sign_up`, with the request it came with).
 */
export type Registrar = Principal | { kind: 'sign_up'; origin?: Origin };

/**
 * An operator registers a developer (cloud-api/auth/register.mdx). The account, its first
 * project, a developer key and a project API key are written in one transaction: either the
 * developer gets all of it, shown once in `provisioning`, or nothing exists. So is the
 * `developer.registered` audit entry, whose actor is the operator, or for an open sign-up
 * the new developer (actor_type `developer`, actor_id their id). The provisioning's own
 * entries (project.created, developer_key.created, project_key.created) are the new
 * developer's, with the registration's IP and request id.
 */
export async function registerDeveloper(
  ctx: RegisterCtx,
  principal: Registrar,
  input: RegisterInput,
): Promise<Registered> {
  if (principal.kind !== 'operator' && principal.kind !== 'sign_up')
    throw Forbidden('operator_required', 'Registering a developer requires a valid X-Operator-Key.');
  checkRegisterInput(input);
  const email = input.email.trim();
  const passwordHash = await ctx.passwords.hash(input.password);
  const isActive = !ctx.config.requireEmailVerification;

  for (let attempt = 0; ; attempt++) {
    const now = ctx.clock.now();
    const id = uuidv7(now.getTime());
    try {
      const done = await inTransaction(ctx, async (tx) => {
        await tx.db
          .insertInto('users')
          .values({
            id,
            email,
            email_scope: 'global',
            email_lower: normaliseEmail(email),
            password_hash: passwordHash,
            full_name: input.fullName,
            role: 'developer',
            project_id: null,
            tier: 'free_starter',
            is_active: isActive,
            email_verified_at: null,
            created_at: now,
          })
          .execute();
        const origin = principal.origin;
        const actor: Actor =
          principal.kind === 'sign_up'
            ? { kind: 'self', role: 'developer', userId: id, ...(origin ? { origin } : {}) }
            : principal;
        await recordAudit(tx.db, ctx, actor, {
          action: 'developer.registered',
          targetType: 'developer',
          targetId: id,
          projectId: null,
          ownerId: id,
          changedFields: ['email', 'password', ...(input.fullName ? ['full_name'] : [])],
        });
        const developer = {
          kind: 'developer',
          userId: id,
          tier: 'free_starter',
          keyId: null,
          ...(origin ? { origin } : {}),
        } as const;
        const project = await createProject(tx, developer, { name: firstProjectName(input, email) });
        const developerKey = await createDeveloperKey(tx, developer, 'Default developer key');
        const apiKey = await createProjectKey(tx, developer, project.id, 'Default project key');
        const token = isActive ? null : await createVerification(tx, id);
        return { projectId: project.id, developerKey: developerKey.key, apiKey: apiKey.key, token };
      });
      if (done.token) await sendVerificationMail(ctx, { id, email }, done.token);
      return {
        id,
        email,
        fullName: input.fullName,
        role: 'developer',
        isActive,
        createdAt: now.toISOString(),
        projectId: null,
        provisioning: { projectId: done.projectId, developerKey: done.developerKey, apiKey: done.apiKey },
        tokens: null,
      };
    } catch (err) {
      if (isUniqueViolation(err, 'email')) throw Conflict('email', 'email_taken', 'Email already registered');
      // Another project took the generated slug between check and insert; on PostgreSQL that
      // aborts the whole transaction, so the whole registration is tried again.
      if (attempt < 2 && (isUniqueViolation(err, 'slug') || (err as { code?: string }).code === '25P02')) continue;
      throw err;
    }
  }
}
