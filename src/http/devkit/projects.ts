import { Type } from '@sinclair/typebox';
import { createProject } from '../../core/projects/create-project.js';
import { deleteProject } from '../../core/projects/delete-project.js';
import { getProject } from '../../core/projects/get-project.js';
import { listProjects } from '../../core/projects/list-projects.js';
import { updateProject } from '../../core/projects/update-project.js';
import type { Principal } from '../../core/principal.js';
import type { Project } from '../../core/projects/project.js';
import { asDeveloper } from '../auth.js';
import type { Routes } from '../typed.js';
import { DevkitAuthHeaders, Nullable, ProjectIdParams } from './schemas.js';

export const ProjectResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Nullable(Type.String()),
  owner_id: Type.String({ format: 'uuid' }),
  is_active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Nullable(Type.String({ format: 'date-time' })),
});

export function projectBody(p: Project) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    owner_id: p.ownerId,
    is_active: p.isActive,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

const ProjectCreateRequest = Type.Object(
  {
    name: Type.String({ minLength: 3, maxLength: 100 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  { additionalProperties: false },
);

const ProjectUpdateRequest = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 100 }))),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  { additionalProperties: false },
);

/** All of a developer's projects (the devkit list is not paged): walk the core's cursor pages. */
async function allProjects(ctx: Parameters<Routes>[1], principal: Principal): Promise<Project[]> {
  const out: Project[] = [];
  let cursor: string | null = null;
  do {
    const page = await listProjects(ctx, principal, { perPage: 50, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Every devkit path is served with and without its trailing slash (trailing-slash.ts); this one is shared with DevPayr. */
const NO_SLASH =
  'Also at `/api/v1/projects` (no trailing slash). There `GET` is this list only for a request with devkit credentials ' +
  '(`Authorization` or `X-Developer-Key`) and no `X-API-KEY`; otherwise it is the DevPayr list (`X-API-KEY`).';

export const projectRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: projects'];
  const config = { auth: 'developer', limit: 'management' } as const;

  app.get(
    '/api/v1/projects/',
    {
      config,
      schema: {
        tags,
        summary: 'List your projects',
        description: NO_SLASH,
        headers: DevkitAuthHeaders,
        response: { 200: Type.Array(ProjectResponse) },
      },
    },
    async (request) => (await allProjects(ctx, asDeveloper(request))).map(projectBody),
  );

  app.get(
    '/api/v1/projects/:project_id',
    {
      config,
      schema: {
        tags,
        summary: 'Get a project',
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        response: { 200: ProjectResponse },
      },
    },
    async (request) => projectBody(await getProject(ctx, asDeveloper(request), request.params.project_id)),
  );

  app.put(
    '/api/v1/projects/:project_id',
    {
      config,
      schema: {
        tags,
        summary: 'Update a project',
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        body: ProjectUpdateRequest,
        response: { 200: ProjectResponse },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const project = await updateProject(ctx, asDeveloper(request), request.params.project_id, {
        name: body.name ?? undefined,
        description: body.description === undefined ? undefined : body.description,
      });
      return projectBody(project);
    },
  );

  app.delete(
    '/api/v1/projects/:project_id',
    { config, schema: { tags, summary: 'Delete a project', headers: DevkitAuthHeaders, params: ProjectIdParams } },
    async (request, reply) => {
      await deleteProject(ctx, asDeveloper(request), request.params.project_id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/projects/',
    {
      config,
      schema: {
        tags,
        summary: 'Create a project',
        description: NO_SLASH,
        headers: DevkitAuthHeaders,
        body: ProjectCreateRequest,
        response: { 201: ProjectResponse },
      },
    },
    async (request, reply) => {
      const project = await createProject(ctx, asDeveloper(request), {
        name: request.body.name,
        description: request.body.description ?? null,
      });
      return reply.code(201).send(projectBody(project));
    },
  );
};
