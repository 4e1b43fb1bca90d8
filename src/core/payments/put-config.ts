import type { Context } from '../../context.js';
import { sealSecret } from '../../lib/crypto.js';
import { uuidv7 } from '../../lib/ids.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { Invalid, type FieldError } from '../errors.js';
import type { Principal } from '../principal.js';
import { ownedProject } from './owned-project.js';
import {
  CREDENTIAL_FORMAT,
  CREDENTIALS,
  maskCredential,
  toStripeConfig,
  type CredentialName,
  type StripeConfig,
} from './stripe-config.js';

export type StripeConfigInput = Partial<Record<CredentialName, string | null>>;

const EXPECTED: Record<CredentialName, string> = {
  test_secret_key: 'a Stripe test secret key (sk_test_...)',
  test_publishable_key: 'a Stripe test publishable key (pk_test_...)',
  test_webhook_secret: 'a Stripe webhook signing secret (whsec_...)',
  live_secret_key: 'a Stripe live secret key (sk_live_...)',
  live_publishable_key: 'a Stripe live publishable key (pk_live_...)',
  live_webhook_secret: 'a Stripe webhook signing secret (whsec_...)',
};

/**
 * Creates or updates the project's configuration: only the credentials given change, each
 * sealed with the server's key beside its mask. Saving re-activates a deactivated configuration.
 */
export async function putStripeConfig(
  ctx: Pick<Context, 'db' | 'clock' | 'keys'>,
  principal: Principal,
  projectId: string,
  input: StripeConfigInput,
): Promise<StripeConfig> {
  const project = await ownedProject(ctx, principal, projectId);
  const given = CREDENTIALS.filter((name) => typeof input[name] === 'string');
  const errors: FieldError[] = given
    .filter((name) => !CREDENTIAL_FORMAT[name].test(input[name]!))
    .map((name) => ({
      field: name,
      message: `Invalid key format: expected ${EXPECTED[name]}`,
      type: 'value_error.format',
    }));
  if (errors.length) throw Invalid(errors);

  const now = ctx.clock.now();
  const changes: Record<string, string | Date | boolean> = { is_active: true, updated_at: now };
  for (const name of given) {
    changes[`${name}_enc`] = sealSecret(ctx.keys.seal, input[name]!);
    changes[`${name}_mask`] = maskCredential(input[name]!);
  }
  if (given.some((n) => n.startsWith('test_'))) changes.test_configured_at = now;
  if (given.some((n) => n.startsWith('live_'))) changes.live_configured_at = now;

  const write = () =>
    ctx.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('stripe_configs')
        .set(changes)
        .where('project_id', '=', project.id)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        await trx
          .insertInto('stripe_configs')
          .values({ id: uuidv7(now.getTime()), project_id: project.id, created_at: now, ...changes, is_active: true })
          .execute();
      }
      // The credentials' names, never their values.
      await recordAudit(trx, ctx, principal, {
        action: 'stripe_config.updated',
        targetType: 'stripe_config',
        targetId: project.id,
        projectId: project.id,
        ownerId: project.ownerId,
        changedFields: [...given],
      });
      return trx
        .selectFrom('stripe_configs')
        .selectAll()
        .where('project_id', '=', project.id)
        .executeTakeFirstOrThrow();
    });
  try {
    return toStripeConfig(await write());
  } catch (err) {
    // Two first saves at once: the loser's insert meets the winner's row; its update now applies.
    if (isUniqueViolation(err)) return toStripeConfig(await write());
    throw err;
  }
}
