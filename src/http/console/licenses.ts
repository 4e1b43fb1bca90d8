import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { createLicense } from '../../core/licenses/create-license.js';
import { deleteLicense } from '../../core/licenses/delete-license.js';
import { getLicense } from '../../core/licenses/get-license.js';
import { listLicenses } from '../../core/licenses/list-licenses.js';
import { reactivateLicense } from '../../core/licenses/reactivate-license.js';
import { revokeLicense } from '../../core/licenses/revoke-license.js';
import { LicenseSchema, licenseBody, N, Ok, PageQuery, pageOf, ProjectItemParams, ProjectParams } from './schemas.js';
import type { App } from '../typed.js';
import { developerOf, dev, devWrite } from './caller.js';

/** A project's licenses: the key shown once at creation, then masked; revoke, reactivate, delete. */
export function licenseRoutes(app: App, ctx: Context): void {
  app.get(
    '/console/api/projects/:projectId/licenses',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(
              Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired')]),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(LicenseSchema) },
      },
    },
    async (request) => {
      const page = await listLicenses(
        ctx,
        developerOf(request),
        request.params.projectId,
        { cursor: request.query.cursor ?? null, perPage: request.query.perPage },
        { status: request.query.status ?? null },
      );
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
            componentMatch: Type.Optional(
              Type.Union([Type.Literal('any'), Type.Literal('all'), Type.Literal('majority')]),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ license: LicenseSchema, key: Type.String() }) },
      },
    },
    async (request) => {
      const created = await createLicense(ctx, developerOf(request), request.params.projectId, request.body);
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
            identifiers: Type.Array(
              Type.Object({
                identifier: Type.String(),
                baseDomain: Type.String(),
                firstSeenAt: Type.String(),
                lastSeenAt: Type.String(),
                count: Type.Integer(),
              }),
            ),
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
      async (request) => {
        const p = developerOf(request);
        const { projectId, id } = request.params;
        return licenseBody(
          action === 'revoke'
            ? await revokeLicense(ctx, p, projectId, id)
            : await reactivateLicense(ctx, p, projectId, id),
        );
      },
    );
  }
  app.delete(
    '/console/api/projects/:projectId/licenses/:id',
    { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: Ok } } },
    async (request) => {
      await deleteLicense(ctx, developerOf(request), request.params.projectId, request.params.id);
      return { ok: true };
    },
  );
}
