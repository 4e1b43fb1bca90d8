import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { listProjectGenerations } from '../../core/generations/find-generations.js';
import type { Generation } from '../../core/generations/generation.js';
import { imageUrl } from '../../core/generations/image-access.js';
import { generationUsage } from '../../core/generations/quota.js';
import { deleteProjectGeneration, setProjectGenerationPublic } from '../../core/generations/update-generation.js';
import type { App } from '../typed.js';
import { developerOf } from './caller.js';
import { N, Ok, ProjectItemParams, ProjectParams } from './schemas.js';

const STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;

const GenerationSchema = Type.Object({
  id: Type.String(),
  instructions: Type.String(),
  status: Type.String(),
  isPublic: Type.Boolean(),
  error: N(Type.String()),
  /** Same-origin paths (the console's CSP allows only 'self'); signed and expiring for private generations. */
  imageUrl: N(Type.String()),
  thumbnailUrl: N(Type.String()),
  examples: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: N(Type.String()),
});

const UsageSchema = Type.Object({ month: Type.String(), used: Type.Integer(), limit: N(Type.Integer()) });

/**
 * A project's generations for its developer (page 9 of the console): the gallery with paging
 * and a status filter on the server, usage against the month's quota, public toggle, delete.
 */
export function generationRoutes(app: App, ctx: Context): void {
  const dev = { auth: 'consoleDeveloper' as const };
  const devWrite = { auth: 'consoleDeveloper' as const, limit: 'management' as const };

  const body = (g: Generation) => {
    const result = g.status === 'completed' && g.resultKey ? imageUrl(ctx, '', g, 'result') : null;
    return {
      id: g.id,
      instructions: g.instructions,
      status: g.status,
      isPublic: g.isPublic,
      error: g.status === 'failed' ? (g.error ?? 'Generation failed') : null,
      imageUrl: result,
      thumbnailUrl: result ?? (g.examples.length ? imageUrl(ctx, '', g, 'example-0') : null),
      examples: g.examples.length,
      createdAt: g.createdAt,
      updatedAt: g.updatedAt,
    };
  };

  app.get(
    '/console/api/projects/:projectId/generations',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        querystring: Type.Object(
          {
            page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
            perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
            status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(GenerationSchema),
            total: Type.Integer(),
            page: Type.Integer(),
            pageSize: Type.Integer(),
            usage: UsageSchema,
          }),
        },
      },
    },
    async (request) => {
      const p = developerOf(request);
      const page = request.query.page ?? 1;
      const pageSize = request.query.perPage ?? 12;
      const [list, usage] = await Promise.all([
        listProjectGenerations(ctx, p, request.params.projectId, {
          page,
          perPage: pageSize,
          status: request.query.status ?? null,
        }),
        generationUsage(ctx, p),
      ]);
      return { items: list.generations.map(body), total: list.total, page, pageSize, usage };
    },
  );
  app.patch(
    '/console/api/projects/:projectId/generations/:id',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectItemParams,
        body: Type.Object({ isPublic: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: GenerationSchema },
      },
    },
    async (request) =>
      body(
        await setProjectGenerationPublic(
          ctx,
          developerOf(request),
          request.params.projectId,
          request.params.id,
          request.body.isPublic,
        ),
      ),
  );
  app.delete(
    '/console/api/projects/:projectId/generations/:id',
    { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: Ok } } },
    async (request) => {
      await deleteProjectGeneration(ctx, developerOf(request), request.params.projectId, request.params.id);
      return { ok: true };
    },
  );
}
