import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { createDomain } from '../../core/domains/create-domain.js';
import { deleteDomain } from '../../core/domains/delete-domain.js';
import { listDomains } from '../../core/domains/list-domains.js';
import { updateDomain } from '../../core/domains/update-domain.js';
import { DomainSchema, domainBody, Ok, PageQuery, pageOf, ProjectItemParams, ProjectParams } from './schemas.js';
import type { App } from '../typed.js';
import { developerOf, dev, devWrite } from './caller.js';

const Environment = Type.Union([Type.Literal('production'), Type.Literal('staging'), Type.Literal('development')]);

/** A project's allowed domains. */
export function domainRoutes(app: App, ctx: Context): void {
  app.get(
    '/console/api/projects/:projectId/domains',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(DomainSchema) },
      },
    },
    async (request) => {
      const page = await listDomains(ctx, developerOf(request), request.params.projectId, {
        cursor: request.query.cursor ?? null,
        perPage: request.query.perPage,
      });
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
    async (request) =>
      domainBody(await createDomain(ctx, developerOf(request), request.params.projectId, request.body)),
  );
  app.patch(
    '/console/api/projects/:projectId/domains/:id',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectItemParams,
        body: Type.Partial(
          Type.Object({
            domain: Type.String({ maxLength: 255 }),
            environment: Environment,
            isPrimary: Type.Boolean(),
            isVerified: Type.Boolean(),
            isActive: Type.Boolean(),
            hasPaid: Type.Boolean(),
          }),
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: DomainSchema },
      },
    },
    async (request) =>
      domainBody(
        await updateDomain(ctx, developerOf(request), request.params.projectId, request.params.id, request.body),
      ),
  );
  app.delete(
    '/console/api/projects/:projectId/domains/:id',
    { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: Ok } } },
    async (request) => {
      await deleteDomain(ctx, developerOf(request), request.params.projectId, request.params.id);
      return { ok: true };
    },
  );
}
