import type { Context } from '../../context.js';
import type { Principal } from '../principal.js';
import { ownedProject } from './owned-project.js';

/** The two endpoints to paste into Stripe's dashboard, on this server's public address. */
export async function webhookUrls(
  ctx: Pick<Context, 'db' | 'config'>,
  principal: Principal,
  projectId: string,
): Promise<{ test: string; live: string }> {
  const project = await ownedProject(ctx, principal, projectId);
  const base = `${ctx.config.publicUrl ?? `http://localhost:${ctx.config.port}`}/api/v1/payments/stripe/webhooks/${project.id}`;
  return { test: `${base}/test`, live: `${base}/live` };
}
