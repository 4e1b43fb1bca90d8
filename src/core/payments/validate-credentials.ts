import type { Context } from '../../context.js';
import { Stripe } from '../../lib/stripe.js';
import type { Principal } from '../principal.js';
import { ownedProject } from './owned-project.js';

/**
 * Asks Stripe (the balance, the cheapest authenticated read) whether a secret key works. A key
 * Stripe refuses, or one of the other mode, is `valid: false`; Stripe failing otherwise is a 502.
 */
export async function validateCredentials(
  ctx: Pick<Context, 'db' | 'stripe'>,
  principal: Principal,
  projectId: string,
  input: { secretKey: string; isTestMode: boolean },
): Promise<{ valid: boolean; message: string }> {
  await ownedProject(ctx, principal, projectId);
  const mode = input.isTestMode ? 'test' : 'live';
  if (!new RegExp(`^(sk|rk)_${mode}_`).test(input.secretKey)) {
    return { valid: false, message: `Not a ${mode} mode secret key: expected one starting with sk_${mode}_` };
  }
  return ctx.stripe.call(input.secretKey, async (stripe, opts) => {
    try {
      await stripe.balance.retrieve({}, opts());
      return { valid: true, message: 'Stripe credentials are valid' };
    } catch (err) {
      if (
        err instanceof Stripe.errors.StripeAuthenticationError ||
        err instanceof Stripe.errors.StripePermissionError
      ) {
        return { valid: false, message: err.message };
      }
      throw err;
    }
  });
}
