import type { FastifySchema } from 'fastify';
import { type Static, Type } from '@sinclair/typebox';
import { createDomain } from '../../core/domains/create-domain.js';
import { deleteDomain } from '../../core/domains/delete-domain.js';
import { getDomain } from '../../core/domains/get-domain.js';
import { listDomains } from '../../core/domains/list-domains.js';
import { updateDomain } from '../../core/domains/update-domain.js';
import { createInjectable } from '../../core/injectables/create-injectable.js';
import { deleteInjectable } from '../../core/injectables/delete-injectable.js';
import { getInjectable } from '../../core/injectables/get-injectable.js';
import { INJECTABLE_MODES, INJECTABLE_TYPES } from '../../core/injectables/injectable.js';
import { listInjectables } from '../../core/injectables/list-injectables.js';
import { updateInjectable } from '../../core/injectables/update-injectable.js';
import { createLicense } from '../../core/licenses/create-license.js';
import { MAX_PER_PAGE } from '../../core/licenses/cursor-page.js';
import { deleteLicense } from '../../core/licenses/delete-license.js';
import { getLicense } from '../../core/licenses/get-license.js';
import { listLicenses } from '../../core/licenses/list-licenses.js';
import { reactivateLicense } from '../../core/licenses/reactivate-license.js';
import { revokeLicense } from '../../core/licenses/revoke-license.js';
import { asDeveloper } from '../auth.js';
import type { Routes } from '../typed.js';
import {
  domainBody,
  DomainObject,
  Environment,
  injectableBody,
  InjectableObject,
  licenseBody,
  LicenseObject,
  shownLicenseBody,
  ShownLicenseObject,
} from '../resources.js';
import { DevkitAuthHeaders, Nullable } from './schemas.js';

/*
 * Licenses, domains and injectables for a developer signed in on the devkit face (bearer
 * token + developer key). The cloud-api spec has no such routes; these follow its conventions:
 * snake_case objects without an envelope, FastAPI-style errors, 204 on delete.
 */

const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, default: 20 })),
  cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
});
const pageOf = (q: { limit?: number; cursor?: string }) => ({ perPage: q.limit, cursor: q.cursor ?? null });

const CreatedLicense = Type.Composite([
  LicenseObject,
  Type.Object({ license_key: Type.String({ description: 'The full key: shown in this response only' }) }),
]);
const LicenseCreate = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 255 }),
    expires_at: Type.Optional(Nullable(Type.String({ description: 'A future ISO 8601 date or date-time' }))),
    domain_id: Type.Optional(Nullable(Type.String({ description: "One of this project's domains" }))),
    max_domains: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    max_subdomains_per_domain: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    max_usage_per_day: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    allowed_ips: Type.Optional(Nullable(Type.String({ description: 'Comma-separated IPs or CIDR ranges' }))),
    allowed_countries: Type.Optional(
      Nullable(Type.String({ description: 'Comma-separated two-letter country codes' })),
    ),
    is_test_license: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const domainFlags = {
  environment: Type.Optional(Environment),
  is_primary: Type.Optional(Type.Boolean()),
  is_verified: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
  has_paid: Type.Optional(Type.Boolean()),
};
const DomainCreate = Type.Object(
  { domain: Type.String({ description: 'host name, localhost[:port], IPv4[:port] or [IPv6][:port]' }), ...domainFlags },
  { additionalProperties: false },
);
const DomainUpdate = Type.Object(
  { domain: Type.Optional(Type.String()), ...domainFlags },
  { additionalProperties: false },
);
type DomainBody = {
  domain?: string;
  environment?: Static<typeof Environment>;
  is_primary?: boolean;
  is_verified?: boolean;
  is_active?: boolean;
  has_paid?: boolean;
};
const domainIn = (b: DomainBody) => ({
  domain: b.domain,
  environment: b.environment,
  isPrimary: b.is_primary,
  isVerified: b.is_verified,
  isActive: b.is_active,
  hasPaid: b.has_paid,
});

const DeliveredInjectable = Type.Composite([
  InjectableObject,
  Type.Object({
    encrypted_content: Type.String({ description: 'The DevPayr delivery form, keyed with the injectable secret' }),
    signature: Type.String(),
  }),
]);
const injectableFields = {
  title: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  slug: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  mode: Type.Optional(Type.Union(INJECTABLE_MODES.map((m) => Type.Literal(m)))),
  target_path: Type.Optional(Nullable(Type.String())),
  secret: Type.Optional(
    Type.String({ minLength: 8, maxLength: 255, description: 'Required on create and whenever content changes' }),
  ),
  only_if_paid: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
  content: Type.Optional(Type.String({ description: 'Text content' })),
  content_base64: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9+/]*={0,2}$',
      description: 'Binary content (type "file"), base64, at most 5 MB decoded',
    }),
  ),
};
const InjectableType = Type.Union(INJECTABLE_TYPES.map((t) => Type.Literal(t)));
const InjectableMode = Type.Union(INJECTABLE_MODES.map((m) => Type.Literal(m)));
/** What the core requires on create (type, mode, secret) is required here too, so /docs says what is enforced. */
const InjectableCreate = Type.Object(
  {
    ...injectableFields,
    type: InjectableType,
    mode: InjectableMode,
    secret: Type.String({ minLength: 8, maxLength: 255, description: 'The delivery key' }),
  },
  { additionalProperties: false },
);
const InjectableUpdate = Type.Object(
  { ...injectableFields, type: Type.Optional(InjectableType) },
  { additionalProperties: false },
);
type InjectableBody = {
  title?: string | null;
  slug?: string | null;
  type?: string;
  mode?: string;
  target_path?: string | null;
  secret?: string;
  only_if_paid?: boolean;
  is_active?: boolean;
  content?: string;
  content_base64?: string;
};
const injectableIn = (b: InjectableBody) => ({
  title: b.title,
  slug: b.slug,
  type: b.type,
  mode: b.mode,
  targetPath: b.target_path,
  secret: b.secret,
  onlyIfPaid: b.only_if_paid,
  isActive: b.is_active,
  content: b.content,
  file: b.content_base64 === undefined ? undefined : Buffer.from(b.content_base64, 'base64'),
});

const P = Type.Object({ project_id: Type.String() });
const PL = Type.Object({ project_id: Type.String(), license_id: Type.String() });
const PD = Type.Object({ project_id: Type.String(), domain_id: Type.String() });
const PI = Type.Object({ project_id: Type.String(), injectable_id: Type.String() });
/** Room for 5 MB of content, base64-encoded, in a JSON body (the app's default limit is 1 MB). */
const INJECTABLE_BODY_LIMIT = 8 * 1024 * 1024;

export const licensingRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: licensing'];
  const config = { auth: 'developer', limit: 'management' } as const;
  const s = <S extends FastifySchema>(summary: string, rest: S) => ({
    config,
    schema: { tags, summary, headers: DevkitAuthHeaders, ...rest },
  });
  const base = '/api/v1/projects/:project_id';

  app.get(
    `${base}/licenses`,
    s('List licenses (newest first)', {
      params: P,
      querystring: PageQuery,
      response: { 200: Type.Object({ licenses: Type.Array(LicenseObject), next_cursor: Nullable(Type.String()) }) },
    }),
    async (req, _reply) => {
      const page = await listLicenses(ctx, asDeveloper(req), req.params.project_id, pageOf(req.query));
      return { licenses: page.items.map(licenseBody), next_cursor: page.nextCursor };
    },
  );
  app.post(
    `${base}/licenses`,
    s('Create a license (the key is shown once)', {
      params: P,
      body: LicenseCreate,
      response: { 201: CreatedLicense },
    }),
    async (req, reply) => {
      const b = req.body;
      const { license, key } = await createLicense(ctx, asDeveloper(req), req.params.project_id, {
        title: b.title,
        expiresAt: b.expires_at,
        domainId: b.domain_id,
        maxDomains: b.max_domains,
        maxSubdomainsPerDomain: b.max_subdomains_per_domain,
        maxUsagePerDay: b.max_usage_per_day,
        allowedIps: b.allowed_ips,
        allowedCountries: b.allowed_countries,
        isTestLicense: b.is_test_license,
      });
      return reply.code(201).send({ ...licenseBody(license), license_key: key });
    },
  );
  app.get(
    `${base}/licenses/:license_id`,
    s('Get a license and the identifiers it was used from', { params: PL, response: { 200: ShownLicenseObject } }),
    async (req, _reply) => {
      const p = req.params;
      const { license, identifiers } = await getLicense(ctx, asDeveloper(req), p.project_id, p.license_id);
      return shownLicenseBody({ license, identifiers });
    },
  );
  app.delete(
    `${base}/licenses/:license_id`,
    s('Delete a license', { params: PL, response: { 204: Type.Null() } }),
    async (req, reply) => {
      const p = req.params;
      await deleteLicense(ctx, asDeveloper(req), p.project_id, p.license_id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    `${base}/licenses/:license_id/revoke`,
    s('Revoke an active license (else 403)', { params: PL, response: { 200: LicenseObject } }),
    async (req, _reply) => {
      const p = req.params;
      return licenseBody(await revokeLicense(ctx, asDeveloper(req), p.project_id, p.license_id));
    },
  );
  app.post(
    `${base}/licenses/:license_id/reactivate`,
    s('Reactivate a revoked, unexpired license (else 403)', { params: PL, response: { 200: LicenseObject } }),
    async (req, _reply) => {
      const p = req.params;
      return licenseBody(await reactivateLicense(ctx, asDeveloper(req), p.project_id, p.license_id));
    },
  );

  app.get(
    `${base}/domains`,
    s('List domains (newest first)', {
      params: P,
      querystring: PageQuery,
      response: { 200: Type.Object({ domains: Type.Array(DomainObject), next_cursor: Nullable(Type.String()) }) },
    }),
    async (req, _reply) => {
      const page = await listDomains(ctx, asDeveloper(req), req.params.project_id, pageOf(req.query));
      return { domains: page.items.map(domainBody), next_cursor: page.nextCursor };
    },
  );
  app.post(
    `${base}/domains`,
    s('Register a domain', { params: P, body: DomainCreate, response: { 201: DomainObject } }),
    async (req, reply) => {
      const d = await createDomain(ctx, asDeveloper(req), req.params.project_id, domainIn(req.body));
      return reply.code(201).send(domainBody(d));
    },
  );
  app.get(
    `${base}/domains/:domain_id`,
    s('Get a domain', { params: PD, response: { 200: DomainObject } }),
    async (req, _reply) => {
      const p = req.params;
      return domainBody(await getDomain(ctx, asDeveloper(req), p.project_id, p.domain_id));
    },
  );
  app.patch(
    `${base}/domains/:domain_id`,
    s('Update a domain (partial)', { params: PD, body: DomainUpdate, response: { 200: DomainObject } }),
    async (req, _reply) => {
      const p = req.params;
      return domainBody(await updateDomain(ctx, asDeveloper(req), p.project_id, p.domain_id, domainIn(req.body)));
    },
  );
  app.delete(
    `${base}/domains/:domain_id`,
    s('Delete a domain', { params: PD, response: { 204: Type.Null() } }),
    async (req, reply) => {
      const p = req.params;
      await deleteDomain(ctx, asDeveloper(req), p.project_id, p.domain_id);
      return reply.code(204).send(null);
    },
  );

  // Binary content comes as content_base64 here (the core's `file`): refusals name it so.
  const withContent = {
    bodyLimit: INJECTABLE_BODY_LIMIT,
    config: { ...config, fieldNames: { file: 'content_base64' } },
  };
  app.get(
    `${base}/injectables`,
    s('List injectables (no content)', {
      params: P,
      querystring: PageQuery,
      response: {
        200: Type.Object({ injectables: Type.Array(InjectableObject), next_cursor: Nullable(Type.String()) }),
      },
    }),
    async (req, _reply) => {
      const page = await listInjectables(ctx, asDeveloper(req), req.params.project_id, pageOf(req.query));
      return { injectables: page.items.map(injectableBody), next_cursor: page.nextCursor };
    },
  );
  app.post(
    `${base}/injectables`,
    {
      ...s('Create an injectable', { params: P, body: InjectableCreate, response: { 201: InjectableObject } }),
      ...withContent,
    },
    async (req, reply) => {
      const i = await createInjectable(ctx, asDeveloper(req), req.params.project_id, injectableIn(req.body));
      return reply.code(201).send(injectableBody(i));
    },
  );
  app.get(
    `${base}/injectables/:injectable_id`,
    s('Get an injectable with its content in delivery form', { params: PI, response: { 200: DeliveredInjectable } }),
    async (req, _reply) => {
      const p = req.params;
      const { injectable, delivered } = await getInjectable(ctx, asDeveloper(req), p.project_id, p.injectable_id);
      return {
        ...injectableBody(injectable),
        encrypted_content: delivered.encrypted_content,
        signature: delivered.signature,
      };
    },
  );
  app.patch(
    `${base}/injectables/:injectable_id`,
    {
      ...s('Update an injectable (partial)', {
        params: PI,
        body: InjectableUpdate,
        response: { 200: InjectableObject },
      }),
      ...withContent,
    },
    async (req, _reply) => {
      const p = req.params;
      return injectableBody(
        await updateInjectable(ctx, asDeveloper(req), p.project_id, p.injectable_id, injectableIn(req.body)),
      );
    },
  );
  app.delete(
    `${base}/injectables/:injectable_id`,
    s('Delete an injectable', { params: PI, response: { 204: Type.Null() } }),
    async (req, reply) => {
      const p = req.params;
      await deleteInjectable(ctx, asDeveloper(req), p.project_id, p.injectable_id);
      return reply.code(204).send(null);
    },
  );
};
