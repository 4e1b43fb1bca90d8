import { Type } from '@sinclair/typebox';
import { listEndUsers, type ListedUser } from '../../core/end-users/list-users.js';
import { countStats } from '../../core/stats/count-stats.js';
import { asDeveloper } from '../auth.js';
import type { Routes } from '../typed.js';
import { CountStats, DevkitAuthHeaders, Nullable, ProjectIdParams } from './schemas.js';

const GenerationCounts = Type.Object({
  total: Type.Integer(),
  pending: Type.Integer(),
  processing: Type.Integer(),
  completed: Type.Integer(),
  failed: Type.Integer(),
});
const Filters = { search: Type.Optional(Type.String({ maxLength: 200 })), is_active: Type.Optional(Type.Boolean()) };
const Paging = {
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  page_size: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
};
const ProjectUser = {
  id: Type.String(),
  email: Type.String(),
  full_name: Nullable(Type.String()),
  is_active: Type.Boolean(),
  created_at: Type.String(),
  joined_at: Type.String(),
};
const DeveloperUser = Type.Object({ ...ProjectUser, project_id: Type.String(), project_name: Type.String() });
const UsersList = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ users: Type.Array(item), total: Type.Integer(), page: Type.Integer(), page_size: Type.Integer() });

const userBody = (u: ListedUser) => ({
  id: u.id,
  email: u.email,
  full_name: u.fullName,
  is_active: u.isActive,
  created_at: u.createdAt,
  joined_at: u.createdAt,
  project_id: u.projectId,
  project_name: u.projectName,
});

/** Statistics and end-user listings over the developer's projects (projects/*-stats.mdx, list-*-users.mdx). */
export const insightRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: projects'];
  const config = { auth: 'developer', limit: 'management' } as const;

  app.get(
    '/api/v1/projects/stats',
    {
      config,
      schema: {
        tags,
        summary: 'Totals over all your projects',
        headers: DevkitAuthHeaders,
        querystring: Type.Object({ ...Filters, project_id: Type.Optional(Type.String({ format: 'uuid' })) }),
        response: {
          200: Type.Object({
            projects: CountStats,
            users: CountStats,
            api_keys: CountStats,
            generations: GenerationCounts,
          }),
        },
      },
    },
    async (request) => {
      const s = await countStats(ctx, asDeveloper(request), {
        projectId: request.query.project_id,
        search: request.query.search,
        isActive: request.query.is_active,
      });
      return { projects: s.projects, users: s.users, api_keys: s.apiKeys, generations: s.generations };
    },
  );

  app.get(
    '/api/v1/projects/:project_id/stats',
    {
      config,
      schema: {
        tags,
        summary: 'Totals for one project',
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        querystring: Type.Object(Filters),
        response: { 200: Type.Object({ users: CountStats, api_keys: CountStats, generations: GenerationCounts }) },
      },
    },
    async (request) => {
      const s = await countStats(ctx, asDeveloper(request), { projectId: request.params.project_id });
      return { users: s.users, api_keys: s.apiKeys, generations: s.generations };
    },
  );

  app.get(
    '/api/v1/projects/users',
    {
      config,
      schema: {
        tags,
        summary: 'End users across your projects',
        headers: DevkitAuthHeaders,
        querystring: Type.Object({ ...Filters, ...Paging, project_id: Type.Optional(Type.String({ format: 'uuid' })) }),
        response: { 200: UsersList(DeveloperUser) },
      },
    },
    async (request) => {
      const q = request.query;
      const r = await listEndUsers(ctx, asDeveloper(request), {
        page: q.page,
        pageSize: q.page_size,
        search: q.search,
        isActive: q.is_active,
        projectId: q.project_id,
      });
      return { users: r.users.map(userBody), total: r.total, page: q.page, page_size: q.page_size };
    },
  );

  app.get(
    '/api/v1/projects/:project_id/users',
    {
      config,
      schema: {
        tags,
        summary: 'End users of one project',
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        querystring: Type.Object({ ...Filters, ...Paging }),
        response: { 200: UsersList(Type.Object(ProjectUser)) },
      },
    },
    async (request) => {
      const q = request.query;
      const r = await listEndUsers(ctx, asDeveloper(request), {
        page: q.page,
        pageSize: q.page_size,
        search: q.search,
        isActive: q.is_active,
        projectId: request.params.project_id,
      });
      return { users: r.users.map(userBody), total: r.total, page: q.page, page_size: q.page_size };
    },
  );
};
