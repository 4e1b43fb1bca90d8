import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertProjectQuota, createProject } from '../../core/projects/create-project.js';
import { deleteProject } from '../../core/projects/delete-project.js';
import { getProject } from '../../core/projects/get-project.js';
import { listProjects } from '../../core/projects/list-projects.js';
import type { Project } from '../../core/projects/project.js';
import { projectData } from '../../core/events/event-data.js';
import type { ProjectInput } from '../../core/projects/project-input.js';
import { updateProject } from '../../core/projects/update-project.js';
import { Forbidden } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { Routes } from '../typed.js';
import { webhookWarning } from '../../core/webhooks/webhook-endpoint.js';
import { asApiCaller } from '../auth.js';
import { Nullable } from '../schemas.js';
import { ApiKeyHeaders, ListEnvelope, ListQuery, ok, pageRequest, SuccessEnvelope } from './envelope.js';

const ProjectObject = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String(),
  description: Nullable(Type.String()),
  default_redirect_url: Nullable(Type.String()),
  webhook_url: Nullable(Type.String()),
  logo_url: Nullable(Type.String()),
  meta: Nullable(Type.Object({}, { additionalProperties: true })),
  is_active: Type.Boolean(),
  has_paid: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Nullable(Type.String()),
  webhook_warning: Type.Optional(
    Type.String({ description: 'Present while the project has a webhook URL and no secret: deliveries go unsigned' }),
  ),
});

/** The project as the devpayr face shows it: the same allowlist webhooks carry (event-data.ts), plus the unsigned-delivery warning. */
function projectBody(p: Project) {
  const warning = webhookWarning(p);
  return { ...projectData(p), ...(warning ? { webhook_warning: warning } : {}) };
}

const NullableText = (maxLength: number) => Type.Optional(Nullable(Type.String({ maxLength })));
/** Laravel-style booleans, as the PHP and Python clients send them. */
const Flag = Type.Union([Type.Boolean(), Type.Literal(0), Type.Literal(1), Type.Literal('0'), Type.Literal('1')]);

/** The one body of create, update and patch; fields the spec does not list are refused by name. */
const ProjectBody = Type.Object(
  {
    name: NullableText(255),
    slug: NullableText(255),
    description: NullableText(1000),
    default_redirect_url: NullableText(2048),
    webhook_url: NullableText(2048),
    logo_url: NullableText(2048),
    webhook_secret: Type.Optional(
      Nullable(
        Type.String({ maxLength: 255, description: 'Signs webhook deliveries; stored encrypted, never returned' }),
      ),
    ),
    meta: Type.Optional(
      Nullable(
        Type.Object({}, { additionalProperties: true, description: 'A JSON object (or the same as JSON text)' }),
      ),
    ),
    has_paid: Type.Optional(Flag),
  },
  { additionalProperties: false },
);
type ProjectBodyType = Static<typeof ProjectBody>;

/**
 * DevPayr clients send `meta` as an object or as JSON text: text holding a JSON object is read as
 * that object before the schema looks, so every field's problem is reported together.
 */
function readMetaText(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const body = request.body as { meta?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.meta === 'string') {
    try {
      const m: unknown = JSON.parse(body.meta);
      if (m && typeof m === 'object' && !Array.isArray(m)) body.meta = m;
    } catch {
      // left as text: the schema refuses it
    }
  }
  done();
}

function projectInput(b: ProjectBodyType): ProjectInput {
  return {
    name: b.name ?? undefined,
    slug: b.slug,
    description: b.description,
    defaultRedirectUrl: b.default_redirect_url,
    webhookUrl: b.webhook_url,
    logoUrl: b.logo_url,
    webhookSecret: b.webhook_secret,
    meta: b.meta,
    hasPaid: b.has_paid === undefined ? undefined : b.has_paid === true || String(b.has_paid) === '1',
  };
}

/** A project-scoped key names only its own project; anything else is 403 before any lookup. */
function assertInScope(principal: Principal, projectId: string): void {
  if (principal.kind === 'project_key' && principal.projectId !== projectId) {
    throw Forbidden('project_scope', 'This API key is not authorized for this project.');
  }
}

export const devpayrProjectRoutes: Routes = (app, ctx) => {
  const tags = ['devpayr: projects'];
  const config = { auth: 'apiKey', limit: 'management' } as const;
  const Params = Type.Object({ project: Type.String() });
  const one = { 200: SuccessEnvelope(ProjectObject) };

  app.get(
    '/api/v1/projects',
    {
      config,
      schema: {
        tags,
        summary: 'List projects',
        headers: ApiKeyHeaders,
        querystring: ListQuery,
        response: { 200: ListEnvelope(ProjectObject) },
      },
    },
    async (request) => {
      const page = await listProjects(ctx, asApiCaller(request), pageRequest(request.query));
      return ok('Projects retrieved.', { data: page.items.map(projectBody), next_cursor: page.nextCursor });
    },
  );

  app.post(
    '/api/v1/project',
    {
      config,
      // specs/devpayr.md orders the plan limit before validation: a developer at the limit learns that first.
      preValidation: [async (request) => assertProjectQuota(ctx, asApiCaller(request)), readMetaText],
      schema: {
        tags,
        summary: 'Create a project (global key)',
        headers: ApiKeyHeaders,
        body: ProjectBody,
        response: { 201: SuccessEnvelope(ProjectObject) },
      },
    },
    async (request, reply) => {
      const project = await createProject(ctx, asApiCaller(request), projectInput(request.body));
      return reply.code(201).send(ok('Project created.', projectBody(project)));
    },
  );

  app.get(
    '/api/v1/project/:project',
    { config, schema: { tags, summary: 'Show a project', headers: ApiKeyHeaders, params: Params, response: one } },
    async (request) => {
      const principal = asApiCaller(request);
      assertInScope(principal, request.params.project);
      return ok('Project retrieved.', projectBody(await getProject(ctx, principal, request.params.project)));
    },
  );

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1/project/:project',
      config,
      preValidation: readMetaText,
      schema: {
        tags,
        summary: 'Update a project (partial)',
        headers: ApiKeyHeaders,
        params: Params,
        body: ProjectBody,
        response: one,
      },
      handler: async (request) => {
        const principal = asApiCaller(request);
        const { project: id } = request.params as { project: string };
        assertInScope(principal, id);
        return ok(
          'Project updated.',
          projectBody(await updateProject(ctx, principal, id, projectInput(request.body as ProjectBodyType))),
        );
      },
    });
  }

  app.delete(
    '/api/v1/project/:project',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a project',
        headers: ApiKeyHeaders,
        params: Params,
        response: { 200: SuccessEnvelope(Type.Null()) },
      },
    },
    async (request) => {
      const principal = asApiCaller(request);
      assertInScope(principal, request.params.project);
      await deleteProject(ctx, principal, request.params.project);
      return ok('Project deleted.', null);
    },
  );
};
