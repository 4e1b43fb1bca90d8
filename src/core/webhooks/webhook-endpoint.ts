import type { Context } from '../../context.js';
import { invalidField } from '../errors.js';
import { endpointProblem } from './endpoint-guard.js';

/** Save-time SSRF check of a webhook URL (null clears it and is always fine). */
export async function assertWebhookEndpoint(ctx: Pick<Context, 'config'>, url: string | null): Promise<void> {
  if (url === null || url === '') return;
  const problem = await endpointProblem(url, ctx.config.webhooks.allowPrivateNetworks);
  if (problem) throw invalidField('webhook_url', problem, 'url');
}

export const WEBHOOK_WARNING =
  "No webhook secret is set: deliveries to this project's webhook URL are sent unsigned, so the receiver cannot tell them from forgeries. Set a webhook secret.";

/** The warning a project's answers carry while it has a webhook URL and no secret. */
export function webhookWarning(p: { webhookUrl: string | null; hasWebhookSecret: boolean }): string | null {
  return p.webhookUrl && !p.hasWebhookSecret ? WEBHOOK_WARNING : null;
}
