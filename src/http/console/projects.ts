import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { invalidField } from '../../core/errors.js';
import { createProject } from '../../core/projects/create-project.js';
import { deleteProject } from '../../core/projects/delete-project.js';
import { getProject } from '../../core/projects/get-project.js';
import { listProjects } from '../../core/projects/list-projects.js';
import { updateProject } from '../../core/projects/update-project.js';
import { N, Ok, PageQuery, pageOf, ProjectParams, ProjectSchema, projectBody } from './schemas.js';
import type { App } from '../typed.js';
import { developerOf, dev, devWrite } from './caller.js';

/** The developer's projects: list, create, read, settings, delete (type-to-confirm). */
export function projectRoutes(app: App, ctx: Context): void {
  app.get(
    '/console/api/projects',
    {
      config: dev,
      schema: {
        hide: true,
        querystring: Type.Object(
          { ...PageQuery, search: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(ProjectSchema) },
      },
    },
    async (request) => {
      const page = await listProjects(
        ctx,
        developerOf(request),
        { cursor: request.query.cursor ?? null, perPage: request.query.perPage },
        { search: request.query.search?.trim() || null },
      );
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
        body: Type.Object(
          { name: ProjectFields.name, description: Type.Optional(ProjectFields.description) },
          { additionalProperties: false },
        ),
        response: { 200: ProjectSchema },
      },
    },
    async (request) =>
      projectBody(
        await createProject(ctx, developerOf(request), {
          name: request.body.name,
          description: request.body.description ?? null,
        }),
      ),
  );
  app.get(
    '/console/api/projects/:projectId',
    { config: dev, schema: { hide: true, params: ProjectParams, response: { 200: ProjectSchema } } },
    async (request) => projectBody(await getProject(ctx, developerOf(request), request.params.projectId)),
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
    async (request) =>
      projectBody(await updateProject(ctx, developerOf(request), request.params.projectId, request.body)),
  );
  app.delete(
    '/console/api/projects/:projectId',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        body: Type.Object({ confirm: Type.String({ maxLength: 255 }) }, { additionalProperties: false }),
        response: { 200: Ok },
      },
    },
    async (request) => {
      const p = developerOf(request);
      const project = await getProject(ctx, p, request.params.projectId);
      // Type-to-confirm, checked here too: a stray call cannot delete a project.
      if (request.body.confirm !== project.name) {
        throw invalidField('confirm', 'Type the project name exactly to delete it.', 'mismatch');
      }
      await deleteProject(ctx, p, project.id);
      return { ok: true };
    },
  );
}
