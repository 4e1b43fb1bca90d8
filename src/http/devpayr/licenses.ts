import { Type } from '@sinclair/typebox';
import type { ComponentMatch } from '../../db/schema/licenses.js';
import { createLicense } from '../../core/licenses/create-license.js';
import { deleteLicense } from '../../core/licenses/delete-license.js';
import { getLicense } from '../../core/licenses/get-license.js';
import type { LicenseInput } from '../../core/licenses/license-input.js';
import { listLicenses } from '../../core/licenses/list-licenses.js';
import { reactivateLicense } from '../../core/licenses/reactivate-license.js';
import { revokeLicense } from '../../core/licenses/revoke-license.js';
import { rerollLicense } from '../../core/licenses/reroll-license.js';
import { updateLicense } from '../../core/licenses/update-license.js';
import { asApiCaller } from '../auth.js';
import { Nullable, RerollRequest } from '../schemas.js';
import type { Routes } from '../typed.js';
import { ApiKeyHeaders, ListEnvelope, ListQuery, ok, pageRequest, SuccessEnvelope } from './envelope.js';
import { licenseBody, LicenseObject, shownLicenseBody, ShownLicenseObject } from '../resources.js';

/* Licenses of the devpayr face. */

const CreatedLicenseObject = Type.Composite([
  LicenseObject,
  Type.Object({ uuid: Type.String({ description: 'The license key, in full, only in this response.' }) }),
]);
const RerolledLicenseObject = Type.Composite([
  CreatedLicenseObject,
  Type.Object({
    previous_key_expires_at: Nullable(
      Type.String({
        format: 'date-time',
        description: 'Until when the old key still passes the check; null: not at all',
      }),
    ),
  }),
]);

const CommaList = Nullable(Type.Union([Type.String(), Type.Array(Type.String())]));

export const LicenseCreateBody = Type.Object(
  {
    title: Type.String(),
    expires_at: Type.Optional(Nullable(Type.String({ description: 'A future date or date-time (ISO 8601)' }))),
    domain_id: Type.Optional(
      Nullable(Type.String({ description: "Pins the license to one of this project's domains" })),
    ),
    max_domains: Type.Optional(Nullable(Type.Integer())),
    max_subdomains_per_domain: Type.Optional(Nullable(Type.Integer())),
    max_usage_per_day: Type.Optional(Nullable(Type.Integer())),
    allowed_ips: Type.Optional(CommaList),
    allowed_countries: Type.Optional(CommaList),
    is_test_license: Type.Optional(Type.Boolean()),
    max_devices: Type.Optional(
      Nullable(Type.Integer({ description: 'Devices that may be active at once (null: unlimited)' })),
    ),
    heartbeat_interval: Type.Optional(
      Nullable(Type.Integer({ description: 'Seconds between device heartbeats (null: none)' })),
    ),
    component_match: Type.Optional(Type.Union([Type.Literal('any'), Type.Literal('all'), Type.Literal('majority')])),
  },
  { additionalProperties: false },
);

type CommaValue = string | string[] | null | undefined;
const joined = (v: CommaValue) => (Array.isArray(v) ? v.join(',') : v);

export const LicenseUpdateBody = Type.Partial(LicenseCreateBody, { additionalProperties: false });

export function licenseInput(b: {
  title?: string;
  expires_at?: string | null;
  domain_id?: string | null;
  max_domains?: number | null;
  max_subdomains_per_domain?: number | null;
  max_usage_per_day?: number | null;
  allowed_ips?: CommaValue;
  allowed_countries?: CommaValue;
  is_test_license?: boolean;
  max_devices?: number | null;
  heartbeat_interval?: number | null;
  component_match?: ComponentMatch;
}): LicenseInput {
  return {
    title: b.title,
    expiresAt: b.expires_at,
    domainId: b.domain_id,
    maxDomains: b.max_domains,
    maxSubdomainsPerDomain: b.max_subdomains_per_domain,
    maxUsagePerDay: b.max_usage_per_day,
    allowedIps: joined(b.allowed_ips),
    allowedCountries: joined(b.allowed_countries),
    isTestLicense: b.is_test_license,
    maxDevices: b.max_devices,
    heartbeatInterval: b.heartbeat_interval,
    componentMatch: b.component_match,
  };
}

const ProjectParams = Type.Object({ project: Type.String() });
const LicenseParams = Type.Object({ project: Type.String(), license: Type.String() });
const Deleted = SuccessEnvelope(Type.Null());

export const licenseRoutes: Routes = (app, ctx) => {
  const tags = ['devpayr: licenses'];
  const config = { auth: 'apiKey', limit: 'management' } as const;

  app.get(
    '/api/v1/project/:project/licenses',
    {
      config,
      schema: {
        tags,
        summary: 'List licenses (newest first)',
        headers: ApiKeyHeaders,
        params: ProjectParams,
        querystring: ListQuery,
        response: { 200: ListEnvelope(LicenseObject) },
      },
    },
    async (request, _reply) => {
      const principal = asApiCaller(request);
      const page = await listLicenses(ctx, principal, request.params.project, pageRequest(request.query));
      return ok('Licenses retrieved.', { data: page.items.map(licenseBody), next_cursor: page.nextCursor });
    },
  );

  app.post(
    '/api/v1/project/:project/licenses',
    {
      config,
      schema: {
        tags,
        summary: 'Create a license (the key is returned once, as uuid)',
        headers: ApiKeyHeaders,
        params: ProjectParams,
        body: LicenseCreateBody,
        response: { 201: SuccessEnvelope(CreatedLicenseObject) },
      },
    },
    async (request, reply) => {
      const principal = asApiCaller(request);
      const { license, key } = await createLicense(ctx, principal, request.params.project, licenseInput(request.body));
      return reply
        .code(201)
        .send(ok('License created. Copy the key now: it is not shown again.', { ...licenseBody(license), uuid: key }));
    },
  );

  app.get(
    '/api/v1/project/:project/licenses/:license',
    {
      config,
      schema: {
        tags,
        summary: 'Show a license and the identifiers it was used from',
        headers: ApiKeyHeaders,
        params: LicenseParams,
        response: { 200: SuccessEnvelope(ShownLicenseObject) },
      },
    },
    async (request, _reply) => {
      const principal = asApiCaller(request);
      const { license, identifiers } = await getLicense(ctx, principal, request.params.project, request.params.license);
      return ok('License retrieved.', shownLicenseBody({ license, identifiers }));
    },
  );

  app.patch(
    '/api/v1/project/:project/licenses/:license',
    {
      config,
      schema: {
        tags,
        summary: 'Change any writable field of a license; the others keep their values',
        headers: ApiKeyHeaders,
        params: LicenseParams,
        body: LicenseUpdateBody,
        response: { 200: SuccessEnvelope(LicenseObject) },
      },
    },
    async (request) => {
      const principal = asApiCaller(request);
      return ok(
        'License updated.',
        licenseBody(
          await updateLicense(
            ctx,
            principal,
            request.params.project,
            request.params.license,
            licenseInput(request.body),
          ),
        ),
      );
    },
  );

  app.delete(
    '/api/v1/project/:project/licenses/:license',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a license (200, never 204)',
        headers: ApiKeyHeaders,
        params: LicenseParams,
        response: { 200: Deleted },
      },
    },
    async (request, _reply) => {
      const principal = asApiCaller(request);
      await deleteLicense(ctx, principal, request.params.project, request.params.license);
      return ok('License deleted.', null);
    },
  );

  app.post(
    '/api/v1/project/:project/licenses/:license/revoke',
    {
      config,
      schema: {
        tags,
        summary: 'Revoke an active license (otherwise 403)',
        headers: ApiKeyHeaders,
        params: LicenseParams,
        response: { 200: SuccessEnvelope(LicenseObject) },
      },
    },
    async (request, _reply) => {
      const principal = asApiCaller(request);
      return ok(
        'License revoked.',
        licenseBody(await revokeLicense(ctx, principal, request.params.project, request.params.license)),
      );
    },
  );

  app.post(
    '/api/v1/project/:project/licenses/:license/reroll',
    {
      config,
      schema: {
        tags,
        summary: 'Give a license a new key (returned once, as uuid); the old key works for overlap_seconds more',
        headers: ApiKeyHeaders,
        params: LicenseParams,
        body: RerollRequest,
        response: { 200: SuccessEnvelope(RerolledLicenseObject) },
      },
    },
    async (request) => {
      const { project, license: licenseId } = request.params;
      const r = await rerollLicense(ctx, asApiCaller(request), project, licenseId, request.body.overlap_seconds);
      return ok('License key rerolled. Copy the key now: it is not shown again.', {
        ...licenseBody(r.license),
        uuid: r.key,
        previous_key_expires_at: r.previousKeyExpiresAt,
      });
    },
  );

  app.post(
    '/api/v1/project/:project/licenses/:license/reactivate',
    {
      config,
      schema: {
        tags,
        summary: 'Reactivate a revoked, unexpired license (otherwise 403)',
        headers: ApiKeyHeaders,
        params: LicenseParams,
        response: { 200: SuccessEnvelope(LicenseObject) },
      },
    },
    async (request, _reply) => {
      const principal = asApiCaller(request);
      return ok(
        'License reactivated.',
        licenseBody(await reactivateLicense(ctx, principal, request.params.project, request.params.license)),
      );
    },
  );
};
