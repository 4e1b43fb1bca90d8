import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { createDomain } from '../../core/domains/create-domain.js';
import { deleteDomain } from '../../core/domains/delete-domain.js';
import { listDomains } from '../../core/domains/list-domains.js';
import { updateDomain } from '../../core/domains/update-domain.js';
import { createInjectable } from '../../core/injectables/create-injectable.js';
import { deleteInjectable } from '../../core/injectables/delete-injectable.js';
import { listInjectables } from '../../core/injectables/list-injectables.js';
import { updateInjectable } from '../../core/injectables/update-injectable.js';
import { createProjectKey } from '../../core/keys/create-project-key.js';
import { listProjectKeys } from '../../core/keys/list-project-keys.js';
import { revokeProjectKey } from '../../core/keys/revoke-project-key.js';
import { createLicense } from '../../core/licenses/create-license.js';
import { deleteLicense } from '../../core/licenses/delete-license.js';
import { getLicense } from '../../core/licenses/get-license.js';
import { listLicenses } from '../../core/licenses/list-licenses.js';
import { reactivateLicense } from '../../core/licenses/reactivate-license.js';
import { revokeLicense } from '../../core/licenses/revoke-license.js';
import { TIERS } from '../../core/plans/tiers.js';
import { createProject } from '../../core/projects/create-project.js';
import { deleteProject } from '../../core/projects/delete-project.js';
import { getProject } from '../../core/projects/get-project.js';
import { listProjects } from '../../core/projects/list-projects.js';
import { updateProject } from '../../core/projects/update-project.js';
import { developerDashboard } from '../../core/stats/dashboard.js';
import type { App } from '../typed.js';
import { developerOf } from './index.js';
import {
  DomainSchema,
  domainBody,
  InjectableSchema,
  injectableBody,
  KeyRecordSchema,
  keyBody,
  LicenseSchema,
  licenseBody,
  N,
  Ok,
  PageQuery,
  pageOf,
  ProjectItemParams,
  ProjectParams,
  ProjectSchema,
  projectBody,
} from './schemas.js';

const Environment = Type.Union([Type.Literal('production'), Type.Literal('staging'), Type.Literal('development')]);
const InjectableFields = {
  title: N(Type.String({ maxLength: 255 })),
  slug: N(Type.String({ maxLength: 255 })),
  type: Type.String({ maxLength: 32 }),
  mode: Type.String({ maxLength: 32 }),
  targetPath: N(Type.String({ maxLength: 1000 })),
  secret: Type.String({ maxLength: 255 }),
  onlyIfPaid: Type.Boolean(),
  content: Type.String({ maxLength: 700_000 }),
};

export function projectRoutes(app: App, ctx: Context): void {
  const dev = { auth: 'consoleDeveloper' as const };
  // Changes count against the developer's management rate limit, as on the wire faces.
  const devWrite = { auth: 'consoleDeveloper' as const, limit: 'management' as const };
  const manage = async (request: Parameters<typeof developerOf>[0], _reply?: unknown) => developerOf(request);

  // The dashboard in one call (core/stats/dashboard.ts): counts, quota, the 14-day series, instance health.
  app.get(
    '/console/api/dashboard',
    {
      config: dev,
      schema: {
        hide: true,
        response: {
          200: Type.Object({
            tier: Type.Object({ name: Type.String(), label: Type.String(), maxProjects: N(Type.Integer()), maxApiKeysPerProject: N(Type.Integer()) }),
            counts: Type.Object({
              projects: Type.Integer(),
              apiKeys: Type.Integer(),
              endUsers: Type.Integer(),
              licenses: Type.Integer(),
              activeDomains: Type.Integer(),
              injectables: Type.Integer(),
              activeSubscriptions: Type.Integer(),
            }),
            generations: Type.Object({ month: Type.String(), used: Type.Integer(), limit: N(Type.Integer()) }),
            chart: Type.Array(Type.Object({ day: Type.String(), checks: Type.Integer(), generations: Type.Integer() })),
            health: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (request) => developerDashboard(ctx, developerOf(request)),
  );

  // Projects
  app.get(
    '/console/api/projects',
    {
      config: dev,
      schema: { hide: true, querystring: Type.Object({ ...PageQuery, search: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }), response: { 200: pageOf(ProjectSchema) } },
    },
    async (request) => {
      const page = await listProjects(ctx, developerOf(request), { cursor: request.query.cursor ?? null, perPage: request.query.perPage }, { search: request.query.search?.trim() || null });
      return { items: page.items.map(projectBody), nextCursor: page.nextCursor };
    },
  );

  const ProjectFields = {
    name: Type.String({ maxLength: 255 }),
    description: N(Type.String({ maxLength: 2000 })),
    defaultRedirectUrl: N(Type.String({ maxLength: 2000 })),
    webhookUrl: N(Type.String({ maxLength: 2000 })),
    logoUrl: N(Type.String({ maxLength: 2000 })),
    webhookSecret: N(Type.String({ maxLength: 255 })),
    meta: N(Type.Record(Type.String(), Type.Unknown())),
    hasPaid: Type.Boolean(),
    isActive: Type.Boolean(),
  };
  app.post(
    '/console/api/projects',
    {
      config: devWrite,
      schema: {
        hide: true,
        body: Type.Object({ name: ProjectFields.name, description: Type.Optional(ProjectFields.description) }, { additionalProperties: false }),
        response: { 200: ProjectSchema },
      },
    },
    async (request, reply) => projectBody(await createProject(ctx, await manage(request, reply), { name: request.body.name, description: request.body.description ?? null })),
  );
  app.get('/console/api/projects/:projectId', { config: dev, schema: { hide: true, params: ProjectParams, response: { 200: ProjectSchema } } }, async (request) =>
    projectBody(await getProject(ctx, developerOf(request), request.params.projectId)),
  );
  app.patch(
    '/console/api/projects/:projectId',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        body: Type.Partial(Type.Object(ProjectFields), { additionalProperties: false, minProperties: 1 }),
        response: { 200: ProjectSchema },
      },
    },
    async (request, reply) => projectBody(await updateProject(ctx, await manage(request, reply), request.params.projectId, request.body)),
  );
  app.delete(
    '/console/api/projects/:projectId',
    {
      config: devWrite,
      schema: { hide: true, params: ProjectParams, body: Type.Object({ confirm: Type.String({ maxLength: 255 }) }, { additionalProperties: false }), response: { 200: Ok } },
    },
    async (request, reply) => {
      const p = await manage(request, reply);
      const project = await getProject(ctx, p, request.params.projectId);
      // Type-to-confirm, checked here too: a stray call cannot delete a project.
      if (request.body.confirm !== project.name) {
        throw (await import('../../core/errors.js')).invalidField('confirm', 'Type the project name exactly to delete it.', 'mismatch');
      }
      await deleteProject(ctx, p, project.id);
      return { ok: true };
    },
  );

  // Project API keys
  app.get(
    '/console/api/projects/:projectId/keys',
    {
      config: dev,
      schema: { hide: true, params: ProjectParams, response: { 200: Type.Object({ items: Type.Array(KeyRecordSchema), max: N(Type.Integer()) }) } },
    },
    async (request) => {
      const p = developerOf(request);
      return { items: (await listProjectKeys(ctx, p, request.params.projectId)).map(keyBody), max: TIERS[p.tier].maxApiKeysPerProject };
    },
  );
  app.post(
    '/console/api/projects/:projectId/keys',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        body: Type.Object({ name: Type.Optional(N(Type.String({ maxLength: 255 }))) }, { additionalProperties: false }),
        response: { 200: Type.Object({ key: KeyRecordSchema, secret: Type.String() }) },
      },
    },
    async (request, reply) => {
      const created = await createProjectKey(ctx, await manage(request, reply), request.params.projectId, request.body.name?.trim() || null);
      return { key: keyBody(created), secret: created.key };
    },
  );
  app.delete('/console/api/projects/:projectId/keys/:id', { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: Ok } } }, async (request, reply) => {
    await revokeProjectKey(ctx, await manage(request, reply), request.params.projectId, request.params.id);
    return { ok: true };
  });

  // Licenses
  app.get(
    '/console/api/projects/:projectId/licenses',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired')])) }, { additionalProperties: false }),
        response: { 200: pageOf(LicenseSchema) },
      },
    },
    async (request) => {
      const page = await listLicenses(ctx, developerOf(request), request.params.projectId, { cursor: request.query.cursor ?? null, perPage: request.query.perPage }, { status: request.query.status ?? null });
      return { items: page.items.map(licenseBody), nextCursor: page.nextCursor };
    },
  );
  app.post(
    '/console/api/projects/:projectId/licenses',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        body: Type.Object(
          {
            title: Type.String({ maxLength: 255 }),
            expiresAt: Type.Optional(N(Type.String({ maxLength: 40 }))),
            domainId: Type.Optional(N(Type.String({ maxLength: 64 }))),
            maxDomains: Type.Optional(N(Type.Integer())),
            maxSubdomainsPerDomain: Type.Optional(N(Type.Integer())),
            maxUsagePerDay: Type.Optional(N(Type.Integer())),
            allowedIps: Type.Optional(N(Type.String({ maxLength: 2000 }))),
            allowedCountries: Type.Optional(N(Type.String({ maxLength: 2000 }))),
            isTestLicense: Type.Optional(Type.Boolean()),
            maxDevices: Type.Optional(N(Type.Integer())),
            heartbeatInterval: Type.Optional(N(Type.Integer())),
            componentMatch: Type.Optional(Type.Union([Type.Literal('any'), Type.Literal('all'), Type.Literal('majority')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ license: LicenseSchema, key: Type.String() }) },
      },
    },
    async (request, reply) => {
      const created = await createLicense(ctx, await manage(request, reply), request.params.projectId, request.body);
      return { license: licenseBody(created.license), key: created.key };
    },
  );
  app.get(
    '/console/api/projects/:projectId/licenses/:id',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectItemParams,
        response: {
          200: Type.Object({
            license: LicenseSchema,
            identifiers: Type.Array(Type.Object({ identifier: Type.String(), baseDomain: Type.String(), firstSeenAt: Type.String(), lastSeenAt: Type.String(), count: Type.Integer() })),
          }),
        },
      },
    },
    async (request) => {
      const r = await getLicense(ctx, developerOf(request), request.params.projectId, request.params.id);
      return { license: licenseBody(r.license), identifiers: r.identifiers };
    },
  );
  for (const action of ['revoke', 'reactivate'] as const) {
    app.post(
      `/console/api/projects/:projectId/licenses/:id/${action}`,
      { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: LicenseSchema } } },
      async (request, reply) => {
        const p = await manage(request, reply);
        const { projectId, id } = request.params;
        return licenseBody(action === 'revoke' ? await revokeLicense(ctx, p, projectId, id) : await reactivateLicense(ctx, p, projectId, id));
      },
    );
  }
  app.delete('/console/api/projects/:projectId/licenses/:id', { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: Ok } } }, async (request, reply) => {
    await deleteLicense(ctx, await manage(request, reply), request.params.projectId, request.params.id);
    return { ok: true };
  });

  // Domains
  app.get(
    '/console/api/projects/:projectId/domains',
    { config: dev, schema: { hide: true, params: ProjectParams, querystring: Type.Object(PageQuery, { additionalProperties: false }), response: { 200: pageOf(DomainSchema) } } },
    async (request) => {
      const page = await listDomains(ctx, developerOf(request), request.params.projectId, { cursor: request.query.cursor ?? null, perPage: request.query.perPage });
      return { items: page.items.map(domainBody), nextCursor: page.nextCursor };
    },
  );
  app.post(
    '/console/api/projects/:projectId/domains',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        body: Type.Object(
          {
            domain: Type.String({ maxLength: 255 }),
            environment: Type.Optional(Environment),
            isPrimary: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: DomainSchema },
      },
    },
    async (request, reply) => domainBody(await createDomain(ctx, await manage(request, reply), request.params.projectId, request.body)),
  );
  app.patch(
    '/console/api/projects/:projectId/domains/:id',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectItemParams,
        body: Type.Partial(
          Type.Object({ domain: Type.String({ maxLength: 255 }), environment: Environment, isPrimary: Type.Boolean(), isVerified: Type.Boolean(), isActive: Type.Boolean(), hasPaid: Type.Boolean() }),
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: DomainSchema },
      },
    },
    async (request, reply) => domainBody(await updateDomain(ctx, await manage(request, reply), request.params.projectId, request.params.id, request.body)),
  );
  app.delete('/console/api/projects/:projectId/domains/:id', { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: Ok } } }, async (request, reply) => {
    await deleteDomain(ctx, await manage(request, reply), request.params.projectId, request.params.id);
    return { ok: true };
  });

  // Injectables: content goes in once and is never shown again (only its hash).
  app.get(
    '/console/api/projects/:projectId/injectables',
    { config: dev, schema: { hide: true, params: ProjectParams, querystring: Type.Object(PageQuery, { additionalProperties: false }), response: { 200: pageOf(InjectableSchema) } } },
    async (request) => {
      const page = await listInjectables(ctx, developerOf(request), request.params.projectId, { cursor: request.query.cursor ?? null, perPage: request.query.perPage });
      return { items: page.items.map(injectableBody), nextCursor: page.nextCursor };
    },
  );
  app.post(
    '/console/api/projects/:projectId/injectables',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        body: Type.Object(
          {
            title: Type.Optional(InjectableFields.title),
            slug: Type.Optional(InjectableFields.slug),
            type: InjectableFields.type,
            mode: InjectableFields.mode,
            targetPath: Type.Optional(InjectableFields.targetPath),
            secret: InjectableFields.secret,
            onlyIfPaid: Type.Optional(InjectableFields.onlyIfPaid),
            content: InjectableFields.content,
          },
          { additionalProperties: false },
        ),
        response: { 200: InjectableSchema },
      },
    },
    async (request, reply) => injectableBody(await createInjectable(ctx, await manage(request, reply), request.params.projectId, request.body)),
  );
  // Editing: the content is never sent back to be edited, only replaced (with the delivery secret again).
  app.patch(
    '/console/api/projects/:projectId/injectables/:id',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectItemParams,
        body: Type.Partial(Type.Object({ ...InjectableFields, isActive: Type.Boolean() }), { additionalProperties: false, minProperties: 1 }),
        response: { 200: InjectableSchema },
      },
    },
    async (request, reply) => injectableBody(await updateInjectable(ctx, await manage(request, reply), request.params.projectId, request.params.id, request.body)),
  );
  app.delete('/console/api/projects/:projectId/injectables/:id', { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: Ok } } }, async (request, reply) => {
    await deleteInjectable(ctx, await manage(request, reply), request.params.projectId, request.params.id);
    return { ok: true };
  });
}
