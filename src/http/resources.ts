import { Type } from '@sinclair/typebox';
import type { Domain } from '../core/domains/domain.js';
import { domainData, injectableData, licenseData } from '../core/events/event-data.js';
import type { Injectable } from '../core/injectables/injectable.js';
import type { LicenseIdentifier } from '../core/licenses/get-license.js';
import type { License } from '../core/licenses/license.js';
import { Nullable } from './schemas.js';

/**
 * Licenses, domains and injectables as the Dev Kit and DevPayr faces both show them (the same
 * snake_case objects): one response schema and one body builder each. A body is the
 * allowlist webhooks carry (core/events/event-data.ts) plus what only an owner's answer may
 * show (a license's masked key, an injectable's content hash).
 */

export const Environment = Type.Union([
  Type.Literal('production'),
  Type.Literal('staging'),
  Type.Literal('development'),
]);

const Timestamps = {
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Nullable(Type.String({ format: 'date-time' })),
};

export const LicenseObject = Type.Object({
  id: Type.String({ format: 'uuid' }),
  project_id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired')]),
  key_prefix: Type.String({
    description: 'The first characters of the key, masked; the full key is shown once, on create.',
  }),
  expires_at: Nullable(Type.String({ format: 'date-time' })),
  domain_id: Nullable(Type.String()),
  max_domains: Nullable(Type.Integer()),
  max_subdomains_per_domain: Nullable(Type.Integer()),
  max_usage_per_day: Nullable(Type.Integer()),
  allowed_ips: Nullable(Type.String()),
  allowed_countries: Nullable(Type.String()),
  is_test_license: Type.Boolean(),
  max_devices: Nullable(Type.Integer({ description: 'Devices that may be active at once (null: unlimited)' })),
  heartbeat_interval: Nullable(
    Type.Integer({ description: 'Seconds between device heartbeats; a device silent for two is released' }),
  ),
  component_match: Type.Union([Type.Literal('any'), Type.Literal('all'), Type.Literal('majority')]),
  revoked_at: Nullable(Type.String({ format: 'date-time' })),
  ...Timestamps,
});

/** Where a license has been used from (its identifiers), as a shown license lists them. */
export const LicenseIdentifierObject = Type.Object({
  identifier: Type.String(),
  base_domain: Type.String(),
  first_seen_at: Type.String(),
  last_seen_at: Type.String(),
  count: Type.Integer(),
});

export const ShownLicenseObject = Type.Composite([
  LicenseObject,
  Type.Object({
    identifiers: Type.Array(LicenseIdentifierObject, {
      description: 'Where the license has been used from, most recent first (at most 100)',
    }),
  }),
]);

export const DomainObject = Type.Object({
  id: Type.String({ format: 'uuid' }),
  project_id: Type.String({ format: 'uuid' }),
  domain: Type.String(),
  environment: Environment,
  has_paid: Type.Boolean(),
  is_active: Type.Boolean(),
  is_primary: Type.Boolean(),
  is_verified: Type.Boolean(),
  ...Timestamps,
});

/** No content and no secret: after upload an injectable is shown by its hash only. */
export const InjectableObject = Type.Object({
  id: Type.String({ format: 'uuid' }),
  project_id: Type.String({ format: 'uuid' }),
  title: Nullable(Type.String()),
  slug: Type.String(),
  type: Type.String(),
  mode: Type.String(),
  target_path: Nullable(Type.String()),
  content_hash: Type.String(),
  only_if_paid: Type.Boolean(),
  is_active: Type.Boolean(),
  ...Timestamps,
});

export function licenseBody(l: License) {
  return { ...licenseData(l), key_prefix: l.maskedKey };
}

/** A license with where it has been used from (getLicense's answer). */
export function shownLicenseBody({ license, identifiers }: { license: License; identifiers: LicenseIdentifier[] }) {
  return {
    ...licenseBody(license),
    identifiers: identifiers.map((i) => ({
      identifier: i.identifier,
      base_domain: i.baseDomain,
      first_seen_at: i.firstSeenAt,
      last_seen_at: i.lastSeenAt,
      count: i.count,
    })),
  };
}

export const domainBody = (d: Domain) => domainData(d);

export function injectableBody(i: Injectable) {
  return { ...injectableData(i), content_hash: i.contentHash };
}
