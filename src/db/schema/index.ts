import type { ApiKeysTable } from './api-keys.js';
import type { DomainsTable } from './domains.js';
import type { EmailVerificationsTable } from './email-verifications.js';
import type { EventsTable } from './events.js';
import type { InjectablesTable } from './injectables.js';
import type { LicenseCheckCountsTable } from './license-checks.js';
import type { LicenseIdentifiersTable, LicensesTable, LicenseUsageDaysTable } from './licenses.js';
import type { ProjectsTable } from './projects.js';
import type { RefreshTokensTable } from './refresh-tokens.js';
import type { RuntimeChangesTable } from './runtime-changes.js';
import type { StripeConfigsTable, StripeCustomersTable, StripeEventsTable, StripePaymentsTable, StripeSubscriptionsTable } from './stripe.js';
import type { UsersTable } from './users.js';

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  projects: ProjectsTable;
  refresh_tokens: RefreshTokensTable;
  email_verifications: EmailVerificationsTable;
  events: EventsTable;
  domains: DomainsTable;
  licenses: LicensesTable;
  license_identifiers: LicenseIdentifiersTable;
  license_usage_days: LicenseUsageDaysTable;
  injectables: InjectablesTable;
  license_check_counts: LicenseCheckCountsTable;
  runtime_changes: RuntimeChangesTable;
  stripe_configs: StripeConfigsTable;
  stripe_customers: StripeCustomersTable;
  stripe_subscriptions: StripeSubscriptionsTable;
  stripe_payments: StripePaymentsTable;
  stripe_events: StripeEventsTable;
}

export type { Role, Tier } from './users.js';
export type { KeyKind } from './api-keys.js';
export type { Environment } from './domains.js';
