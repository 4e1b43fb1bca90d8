import { Type } from '@sinclair/typebox';
import { createProject } from '../../core/projects/create-project.js';
import type { Project } from '../../core/projects/project.js';
import { requireDeveloper } from '../auth.js';
import { applyRateLimit } from '../rate-limit.js';
import type { Routes } from '../typed.js';
import { DevkitAuthHeaders, Nullable } from './schemas.js';

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

export const projectRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: projects'];

  app.post(
    '/api/v1/projects/',
    {
      schema: {
        tags,
        summary: 'Create a project',
        headers: DevkitAuthHeaders,
        body: ProjectCreateRequest,
        response: { 201: ProjectResponse },
      },
    },
    async (request, reply) => {
      const principal = await requireDeveloper(ctx, request);
      await applyRateLimit(ctx, reply, 'management', principal.userId, principal.tier);
      const project = await createProject(ctx, principal, {
        name: request.body.name,
        description: request.body.description ?? null,
      });
      return reply.code(201).send(projectBody(project));
    },
  );
};
