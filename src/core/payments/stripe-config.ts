import type { Selectable } from 'kysely';
import type { Context } from '../../context.js';
import type { StripeConfigsTable } from '../../db/schema/stripe.js';
import { openSecret } from '../../lib/crypto.js';
import { toIso } from '../../lib/time.js';
import { DomainError } from '../errors.js';

export type Mode = 'test' | 'live';
export const modeOf = (isTestMode: boolean): Mode => (isTestMode ? 'test' : 'live');

export type ConfigRow = Selectable<StripeConfigsTable>;

/** The six credentials of a configuration, by their wire names. */
export const CREDENTIALS = [
  'test_secret_key',
  'test_publishable_key',
  'test_webhook_secret',
  'live_secret_key',
  'live_publishable_key',
  'live_webhook_secret',
] as const;
export type CredentialName = (typeof CREDENTIALS)[number];

/** What each credential must start with (Stripe's own prefixes; restricted keys `rk_` allowed as secret keys). */
export const CREDENTIAL_FORMAT: Record<CredentialName, RegExp> = {
  test_secret_key: /^(sk|rk)_test_[A-Za-z0-9_]{8,240}$/,
  test_publishable_key: /^pk_test_[A-Za-z0-9_]{8,240}$/,
  test_webhook_secret: /^whsec_[A-Za-z0-9_+/=]{8,240}$/,
  live_secret_key: /^(sk|rk)_live_[A-Za-z0-9_]{8,240}$/,
  live_publishable_key: /^pk_live_[A-Za-z0-9_]{8,240}$/,
  live_webhook_secret: /^whsec_[A-Za-z0-9_+/=]{8,240}$/,
};

/** `sk_test_...aBcD`: Stripe's prefix and the last four characters, as the reference shows. */
export function maskCredential(value: string): string {
  const prefix = /^(sk_test_|sk_live_|rk_test_|rk_live_|pk_test_|pk_live_|whsec_)/.exec(value)?.[1] ?? '';
  return `${prefix}...${value.slice(-4)}`;
}

/** One mode's credentials as they may be shown: masked, never opened. */
export interface ModeCredentials {
  /** Stripe can be called in this mode: its secret key is set. */
  hasCredentials: boolean;
  secretKeyMask: string | null;
  publishableKeyMask: string | null;
  webhookSecretMask: string | null;
  configuredAt: string | null;
}

/** A project's Stripe configuration as the core hands it to the faces. */
export interface StripeConfig {
  id: string;
  projectId: string;
  isActive: boolean;
  test: ModeCredentials;
  live: ModeCredentials;
  createdAt: string;
  updatedAt: string | null;
}

/** A mode has credentials when Stripe can be called in it: its secret key is set. */
export const hasCredentials = (row: ConfigRow, mode: Mode): boolean => row[`${mode}_secret_key_enc`] !== null;

export function toStripeConfig(row: ConfigRow): StripeConfig {
  const mode = (m: Mode): ModeCredentials => ({
    hasCredentials: hasCredentials(row, m),
    secretKeyMask: row[`${m}_secret_key_mask`],
    publishableKeyMask: row[`${m}_publishable_key_mask`],
    webhookSecretMask: row[`${m}_webhook_secret_mask`],
    configuredAt: toIso(row[`${m}_configured_at`]),
  });
  return {
    id: row.id,
    projectId: row.project_id,
    isActive: Boolean(row.is_active),
    test: mode('test'),
    live: mode('live'),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

export const notConfigured = (mode: Mode) =>
  new DomainError('not_found', 'stripe_not_configured', `Stripe is not configured for this project in ${mode} mode`);

/** The active configuration's secret key for a mode, opened; NotFound when the mode is not set up. */
export async function secretKeyFor(ctx: Pick<Context, 'db' | 'keys'>, projectId: string, mode: Mode): Promise<string> {
  const row = await ctx.db
    .selectFrom('stripe_configs')
    .select(['is_active', 'test_secret_key_enc', 'live_secret_key_enc'])
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  const sealed = row?.is_active ? row[`${mode}_secret_key_enc`] : null;
  if (!sealed) throw notConfigured(mode);
  return openSecret(ctx.keys.seal, sealed).toString('utf8');
}
