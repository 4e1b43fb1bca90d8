import type { Context } from '../../context.js';
import type { Role } from '../../db/schema/index.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { uuidv7 } from '../../lib/ids.js';
import { Conflict, Forbidden, Invalid, LimitReached, NotFound } from '../errors.js';
import { API_KEY_PREFIX, newSecretKey } from '../keys/secret-key.js';
import { TIERS } from '../plans/tiers.js';
import type { Principal } from '../principal.js';
import { createProject } from '../projects/create-project.js';
import { lockAccount } from './lock-account.js';
import { normaliseEmail } from './operators.js';
import { hashPassword, passwordProblems } from './passwords.js';

export interface RegisterInput {
  email: string;
  password: string;
  fullName: string | null;
}

export interface Registered {
  id: string;
  email: string;
  fullName: string | null;
  role: Role;
  isActive: boolean;
  createdAt: string;
  projectId: string | null;
  provisioning: { projectId: string; developerKey: string; apiKey: string } | null;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const END_USER_LIMIT_MESSAGE = 'Maximum number of end users reached for this project on your subscription tier. Upgrade to add more users.';

function checkInput(input: RegisterInput): void {
  const problems = passwordProblems(input.password);
  if (!EMAIL_RE.test(input.email.trim()) || input.email.length > 320) {
    problems.unshift({ field: 'email', message: 'value is not a valid email address', type: 'value_error.email' });
  }
  if (problems.length) throw Invalid(problems);
}

/**
 * Registration as cloud-api/auth/register.mdx decides it: an operator registers a developer
 * (with a first project, a developer key and a project API key, shown once); a developer
 * registers an end user into one of their projects. Everything in one transaction.
 */
export async function register(
  ctx: Pick<Context, 'db' | 'clock' | 'keys' | 'config'>,
  principal: Principal,
  input: RegisterInput,
  projectId: string | null,
): Promise<Registered> {
  checkInput(input);
  const email = input.email.trim();
  const now = ctx.clock.now();
  const passwordHash = await hashPassword(ctx.config, input.password);
  const isActive = !ctx.config.requireEmailVerification;
  const id = uuidv7(now.getTime());
  try {
    if (principal.kind === 'operator') {
      const devKey = newSecretKey(API_KEY_PREFIX);
      const projectKey = newSecretKey(API_KEY_PREFIX);
      await ctx.db
        .insertInto('users')
        .values({ id, email, email_scope: 'global', email_lower: normaliseEmail(email), password_hash: passwordHash, full_name: input.fullName, role: 'developer', project_id: null, tier: 'free_starter', is_active: isActive, email_verified_at: null, created_at: now })
        .execute();
      // createProject runs its own transaction (Kysely does not nest them), so provisioning is
      // made atomic by compensation: if any step fails, deleting the account cascades to all of it.
      try {
        const project = await createProject(ctx, { kind: 'developer', userId: id, tier: 'free_starter', keyId: null }, {
          name: `${input.fullName?.trim() || email.split('@')[0]}'s first project`.slice(0, 100),
        });
        await ctx.db
          .insertInto('api_keys')
          .values([
            { id: uuidv7(), kind: 'developer', user_id: id, project_id: null, name: 'Default developer key', key_hash: devKey.hash, key_prefix: devKey.prefix, is_active: true, created_at: now },
            { id: uuidv7(), kind: 'project', user_id: id, project_id: project.id, name: 'Default project key', key_hash: projectKey.hash, key_prefix: projectKey.prefix, is_active: true, created_at: now },
          ])
          .execute();
        return { id, email, fullName: input.fullName, role: 'developer' as const, isActive, createdAt: now.toISOString(), projectId: null, provisioning: { projectId: project.id, developerKey: devKey.key, apiKey: projectKey.key } };
      } catch (err) {
        await ctx.db.deleteFrom('users').where('id', '=', id).execute();
        throw err;
      }
    }
    if (principal.kind !== 'developer' || !projectId) throw Forbidden('registration_closed', 'Public registration is disabled. Provide X-Operator-Key, or X-Developer-Key with X-Project-ID.');
    return await ctx.db.transaction().execute(async (trx) => {
      await lockAccount(trx, principal.userId);
      const project = await trx.selectFrom('projects').select('id').where('id', '=', projectId).where('owner_id', '=', principal.userId).executeTakeFirst();
      if (!project) throw NotFound('project');
      const max = TIERS[principal.tier].maxEndUsersPerProject;
      if (max !== null) {
        const { n } = await trx.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow();
        if (Number(n) >= max) throw LimitReached('end_user_limit', END_USER_LIMIT_MESSAGE);
      }
      await trx
        .insertInto('users')
        .values({ id, email, email_scope: projectId, email_lower: normaliseEmail(email), password_hash: passwordHash, full_name: input.fullName, role: 'end_user', project_id: projectId, tier: 'free_starter', is_active: isActive, email_verified_at: null, created_at: now })
        .execute();
      return { id, email, fullName: input.fullName, role: 'end_user' as const, isActive, createdAt: now.toISOString(), projectId, provisioning: null };
    });
  } catch (err) {
    if (isUniqueViolation(err, 'email')) throw Conflict('email', 'email_taken', 'Email already registered');
    throw err;
  }
}
