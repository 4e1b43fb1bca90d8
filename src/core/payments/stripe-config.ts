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

export interface StripeConfigView {
  id: string;
  project_id: string;
  is_active: boolean;
  has_test_credentials: boolean;
  has_live_credentials: boolean;
  test_secret_key_masked: string | null;
  test_publishable_key_masked: string | null;
  test_webhook_secret_masked: string | null;
  live_secret_key_masked: string | null;
  live_publishable_key_masked: string | null;
  live_webhook_secret_masked: string | null;
  test_configured_at: string | null;
  live_configured_at: string | null;
  created_at: string;
  updated_at: string | null;
}

/** A mode has credentials when Stripe can be called in it: its secret key is set. */
export const hasCredentials = (row: ConfigRow, mode: Mode): boolean => row[`${mode}_secret_key_enc`] !== null;

export function toConfigView(row: ConfigRow): StripeConfigView {
  return {
    id: row.id,
    project_id: row.project_id,
    is_active: Boolean(row.is_active),
    has_test_credentials: hasCredentials(row, 'test'),
    has_live_credentials: hasCredentials(row, 'live'),
    test_secret_key_masked: row.test_secret_key_mask,
    test_publishable_key_masked: row.test_publishable_key_mask,
    test_webhook_secret_masked: row.test_webhook_secret_mask,
    live_secret_key_masked: row.live_secret_key_mask,
    live_publishable_key_masked: row.live_publishable_key_mask,
    live_webhook_secret_masked: row.live_webhook_secret_mask,
    test_configured_at: toIso(row.test_configured_at),
    live_configured_at: toIso(row.live_configured_at),
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
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
  const sealed = row && Boolean(row.is_active) ? row[`${mode}_secret_key_enc`] : null;
  if (!sealed) throw notConfigured(mode);
  return openSecret(ctx.keys.seal, sealed).toString('utf8');
}
