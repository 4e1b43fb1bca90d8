import { Type, type TSchema } from '@sinclair/typebox';
import type { Domain } from '../../core/domains/domain.js';
import type { Injectable } from '../../core/injectables/injectable.js';
import type { KeyRecord } from '../../core/keys/key-record.js';
import type { License } from '../../core/licenses/license.js';
import type { Project } from '../../core/projects/project.js';
import { webhookWarning } from '../../core/webhooks/webhook-endpoint.js';
import { DeliveryStatus } from '../webhook-schemas.js';

/** Response schemas are allowlists: a field not named here never reaches the page. */
export const N = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Ok = Type.Object({ ok: Type.Boolean() });
export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const ProjectParams = Type.Object({ projectId: Type.String({ maxLength: 64 }) });
export const ProjectItemParams = Type.Object({
  projectId: Type.String({ maxLength: 64 }),
  id: Type.String({ maxLength: 64 }),
});
export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
  perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
};
export const pageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: N(Type.String()) });

export const ProjectSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  description: N(Type.String()),
  defaultRedirectUrl: N(Type.String()),
  webhookUrl: N(Type.String()),
  logoUrl: N(Type.String()),
  hasWebhookSecret: Type.Boolean(),
  webhookWarning: N(Type.String()),
  webhookDisabledAt: N(Type.String()),
  meta: N(Type.Record(Type.String(), Type.Unknown())),
  isActive: Type.Boolean(),
  hasPaid: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: N(Type.String()),
});
export const projectBody = (p: Project) => ({
  id: p.id,
  name: p.name,
  slug: p.slug,
  description: p.description,
  defaultRedirectUrl: p.defaultRedirectUrl,
  webhookUrl: p.webhookUrl,
  logoUrl: p.logoUrl,
  hasWebhookSecret: p.hasWebhookSecret,
  webhookWarning: webhookWarning(p),
  webhookDisabledAt: p.webhookDisabledAt,
  meta: p.meta,
  isActive: p.isActive,
  hasPaid: p.hasPaid,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export const KeyRecordSchema = Type.Object({
  id: Type.String(),
  name: N(Type.String()),
  keyPrefix: Type.String(),
  isActive: Type.Boolean(),
  lastUsedAt: N(Type.String()),
  createdAt: Type.String(),
});
export const keyBody = (k: KeyRecord) => ({
  id: k.id,
  name: k.name,
  keyPrefix: k.keyPrefix,
  isActive: k.isActive,
  lastUsedAt: k.lastUsedAt,
  createdAt: k.createdAt,
});

export const LicenseSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  maskedKey: Type.String(),
  status: Type.String(),
  expiresAt: N(Type.String()),
  domainId: N(Type.String()),
  maxDomains: N(Type.Integer()),
  maxSubdomainsPerDomain: N(Type.Integer()),
  maxUsagePerDay: N(Type.Integer()),
  allowedIps: N(Type.String()),
  allowedCountries: N(Type.String()),
  isTestLicense: Type.Boolean(),
  maxDevices: N(Type.Integer()),
  heartbeatInterval: N(Type.Integer()),
  componentMatch: Type.String(),
  revokedAt: N(Type.String()),
  createdAt: Type.String(),
});
export const licenseBody = (l: License) => ({
  id: l.id,
  title: l.title,
  maskedKey: l.maskedKey,
  status: l.status,
  expiresAt: l.expiresAt,
  domainId: l.domainId,
  maxDomains: l.maxDomains,
  maxSubdomainsPerDomain: l.maxSubdomainsPerDomain,
  maxUsagePerDay: l.maxUsagePerDay,
  allowedIps: l.allowedIps,
  allowedCountries: l.allowedCountries,
  isTestLicense: l.isTestLicense,
  maxDevices: l.maxDevices,
  heartbeatInterval: l.heartbeatInterval,
  componentMatch: l.componentMatch,
  revokedAt: l.revokedAt,
  createdAt: l.createdAt,
});

export const DomainSchema = Type.Object({
  id: Type.String(),
  domain: Type.String(),
  environment: Type.String(),
  isPrimary: Type.Boolean(),
  isVerified: Type.Boolean(),
  isActive: Type.Boolean(),
  hasPaid: Type.Boolean(),
  createdAt: Type.String(),
});
export const domainBody = (d: Domain) => ({
  id: d.id,
  domain: d.domain,
  environment: d.environment,
  isPrimary: d.isPrimary,
  isVerified: d.isVerified,
  isActive: d.isActive,
  hasPaid: d.hasPaid,
  createdAt: d.createdAt,
});

/** No content and no secret: after upload an injectable is shown by its hash only. */
export const InjectableSchema = Type.Object({
  id: Type.String(),
  title: N(Type.String()),
  slug: Type.String(),
  type: Type.String(),
  mode: Type.String(),
  targetPath: N(Type.String()),
  contentHash: Type.String(),
  onlyIfPaid: Type.Boolean(),
  isActive: Type.Boolean(),
  createdAt: Type.String(),
});
export const injectableBody = (i: Injectable) => ({
  id: i.id,
  title: i.title,
  slug: i.slug,
  type: i.type,
  mode: i.mode,
  targetPath: i.targetPath,
  contentHash: i.contentHash,
  onlyIfPaid: i.onlyIfPaid,
  isActive: i.isActive,
  createdAt: i.createdAt,
});

/** A webhook delivery; the endpoint's URL and sealed secret stay on the server. */
export const DeliverySchema = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  event: Type.String(),
  status: DeliveryStatus,
  attempts: Type.Integer(),
  lastStatusCode: N(Type.Integer()),
  lastError: N(Type.String()),
  nextAttemptAt: N(Type.String()),
  deliveredAt: N(Type.String()),
  createdAt: Type.String(),
});
/** One logged attempt: the status code, how long it took, the first KB of the answer, the error. */
export const AttemptSchema = Type.Object({
  attemptedAt: Type.String(),
  statusCode: N(Type.Integer()),
  durationMs: Type.Integer(),
  responseBody: N(Type.String()),
  error: N(Type.String()),
});

export const AuditEntrySchema = Type.Object({
  id: Type.String(),
  createdAt: Type.String(),
  actorType: Type.String(),
  actorId: N(Type.String()),
  keyPrefix: N(Type.String()),
  action: Type.String(),
  targetType: Type.String(),
  targetId: N(Type.String()),
  projectId: N(Type.String()),
  ip: N(Type.String()),
  requestId: N(Type.String()),
  changedFields: Type.Array(Type.String()),
});
