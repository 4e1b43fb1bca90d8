import type { ApiKeysTable } from './api-keys.js';
import type { ConsoleSessionsTable, InstanceSettingsTable } from './console-sessions.js';
import type { AuditLogTable } from './audit-log.js';
import type { LicenseDeviceChangesTable, LicenseDevicesTable } from './devices.js';
import type { DomainsTable } from './domains.js';
import type { EmailVerificationsTable } from './email-verifications.js';
import type { EventsTable } from './events.js';
import type {
  AnonymousGenerationUsageTable,
  GenerationBlobDeletionsTable,
  GenerationsTable,
  GenerationUsageTable,
} from './generations.js';
import type { InjectablesTable } from './injectables.js';
import type { LicenseCheckCountsTable } from './license-checks.js';
import type { LicenseIdentifiersTable, LicensesTable, LicenseUsageDaysTable } from './licenses.js';
import type { ProjectsTable } from './projects.js';
import type { RefreshTokensTable } from './refresh-tokens.js';
import type { RuntimeChangesTable } from './runtime-changes.js';
import type { LicenseCheckoutsTable, SigningKeysTable } from './signing-keys.js';
import type {
  StripeConfigsTable,
  StripeCustomersTable,
  StripeEventsTable,
  StripePaymentsTable,
  StripeSubscriptionsTable,
} from './stripe.js';
import type { UsersTable } from './users.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable } from './webhook-deliveries.js';

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
  generations: GenerationsTable;
  generation_usage: GenerationUsageTable;
  anonymous_generation_usage: AnonymousGenerationUsageTable;
  generation_blob_deletions: GenerationBlobDeletionsTable;
  console_sessions: ConsoleSessionsTable;
  instance_settings: InstanceSettingsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  audit_log: AuditLogTable;
  stripe_configs: StripeConfigsTable;
  stripe_customers: StripeCustomersTable;
  stripe_subscriptions: StripeSubscriptionsTable;
  stripe_payments: StripePaymentsTable;
  stripe_events: StripeEventsTable;
  signing_keys: SigningKeysTable;
  license_checkouts: LicenseCheckoutsTable;
  license_devices: LicenseDevicesTable;
  license_device_changes: LicenseDeviceChangesTable;
}

export type { Role, Tier } from './users.js';
export type { KeyKind } from './api-keys.js';
export type { Environment } from './domains.js';
export type { GenerationStatus } from './generations.js';
