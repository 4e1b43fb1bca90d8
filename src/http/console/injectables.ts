import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { createInjectable } from '../../core/injectables/create-injectable.js';
import { deleteInjectable } from '../../core/injectables/delete-injectable.js';
import { listInjectables } from '../../core/injectables/list-injectables.js';
import { updateInjectable } from '../../core/injectables/update-injectable.js';
import {
  InjectableSchema,
  injectableBody,
  N,
  Ok,
  PageQuery,
  pageOf,
  ProjectItemParams,
  ProjectParams,
} from './schemas.js';
import type { App } from '../typed.js';
import { developerOf, dev, devWrite } from './caller.js';

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

/** A project's injectables: content goes in once and is never shown again (only its hash). */
export function injectableRoutes(app: App, ctx: Context): void {
  // Injectables: content goes in once and is never shown again (only its hash).
  app.get(
    '/console/api/projects/:projectId/injectables',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(InjectableSchema) },
      },
    },
    async (request) => {
      const page = await listInjectables(ctx, developerOf(request), request.params.projectId, {
        cursor: request.query.cursor ?? null,
        perPage: request.query.perPage,
      });
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
    async (request) =>
      injectableBody(await createInjectable(ctx, developerOf(request), request.params.projectId, request.body)),
  );
  // Editing: the content is never sent back to be edited, only replaced (with the delivery secret again).
  app.patch(
    '/console/api/projects/:projectId/injectables/:id',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectItemParams,
        body: Type.Partial(Type.Object({ ...InjectableFields, isActive: Type.Boolean() }), {
          additionalProperties: false,
          minProperties: 1,
        }),
        response: { 200: InjectableSchema },
      },
    },
    async (request) =>
      injectableBody(
        await updateInjectable(ctx, developerOf(request), request.params.projectId, request.params.id, request.body),
      ),
  );
  app.delete(
    '/console/api/projects/:projectId/injectables/:id',
    { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: Ok } } },
    async (request) => {
      await deleteInjectable(ctx, developerOf(request), request.params.projectId, request.params.id);
      return { ok: true };
    },
  );
}
