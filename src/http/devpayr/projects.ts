import { Type } from '@sinclair/typebox';
import { assertProjectQuota, createProject } from '../../core/projects/create-project.js';
import { deleteProject } from '../../core/projects/delete-project.js';
import { getProject } from '../../core/projects/get-project.js';
import { listProjects } from '../../core/projects/list-projects.js';
import type { Project } from '../../core/projects/project.js';
import type { ProjectInput } from '../../core/projects/project-input.js';
import { updateProject } from '../../core/projects/update-project.js';
import { Forbidden, Invalid, type FieldError } from '../../core/errors.js';
import type { Principal } from '../../core/principal.js';
import type { Routes } from '../typed.js';
import { objectBody, refuseUnknownFields } from './body.js';
import { ApiKeyHeaders, apiKeyHook, callerOf, ListEnvelope, ListQuery, Nullable, ok, pageRequest, SuccessEnvelope } from './licenses.js';

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
});

function projectBody(p: Project) {
  return {
    id: p.id,
    name: p.name,
    slug: p.slug,
    description: p.description,
    default_redirect_url: p.defaultRedirectUrl,
    webhook_url: p.webhookUrl,
    logo_url: p.logoUrl,
    meta: p.meta,
    is_active: p.isActive,
    has_paid: p.hasPaid,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

const STRING_FIELDS = ['name', 'slug', 'description', 'default_redirect_url', 'webhook_url', 'logo_url', 'webhook_secret'] as const;

const PROJECT_FIELDS = [...STRING_FIELDS, 'meta', 'has_paid'] as const;

/**
 * The body read by hand, after the plan-limit check (the spec orders limits before validation).
 * Fields the spec does not list are refused by name rather than dropped: a client that sends
 * `is_active: false` learns it did nothing.
 */
function readProjectBody(body: unknown): ProjectInput {
  const b = objectBody(body);
  const problems: FieldError[] = [];
  refuseUnknownFields(b, PROJECT_FIELDS, problems);
  const str = (f: string): string | null | undefined => {
    const v = b[f];
    if (v === undefined || v === null) return v as null | undefined;
    if (typeof v !== 'string') {
      problems.push({ field: f, message: `The ${f.replace(/_/g, ' ')} must be a string.`, type: 'string' });
      return undefined;
    }
    return v;
  };
  const values = Object.fromEntries(STRING_FIELDS.map((f) => [f, str(f)])) as Record<(typeof STRING_FIELDS)[number], string | null | undefined>;
  let meta: Record<string, unknown> | null | undefined;
  if (b.meta !== undefined && b.meta !== null) {
    let m: unknown = b.meta;
    if (typeof m === 'string') {
      try {
        m = JSON.parse(m);
      } catch {
        m = undefined;
      }
    }
    if (m && typeof m === 'object' && !Array.isArray(m)) meta = m as Record<string, unknown>;
    else problems.push({ field: 'meta', message: 'The meta must be a JSON object.', type: 'json' });
  } else meta = b.meta as null | undefined;
  let hasPaid: boolean | undefined;
  if (b.has_paid !== undefined) {
    if (typeof b.has_paid === 'boolean') hasPaid = b.has_paid;
    else if (b.has_paid === 0 || b.has_paid === 1 || b.has_paid === '0' || b.has_paid === '1') hasPaid = String(b.has_paid) === '1';
    else problems.push({ field: 'has_paid', message: 'The has paid field must be true or false.', type: 'boolean' });
  }
  if (problems.length) throw Invalid(problems);
  return {
    name: values.name ?? undefined,
    slug: values.slug,
    description: values.description,
    defaultRedirectUrl: values.default_redirect_url,
    webhookUrl: values.webhook_url,
    logoUrl: values.logo_url,
    webhookSecret: values.webhook_secret,
    meta,
    hasPaid,
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
  const preValidation = apiKeyHook(ctx);
  const Params = Type.Object({ project: Type.String() });
  const one = { 200: SuccessEnvelope(ProjectObject) };

  app.get('/api/v1/projects', { preValidation, schema: { tags, summary: 'List projects', headers: ApiKeyHeaders, querystring: ListQuery, response: { 200: ListEnvelope(ProjectObject) } } }, async (request) => {
    const page = await listProjects(ctx, callerOf(request), pageRequest(request.query));
    return ok('Projects retrieved.', { data: page.items.map(projectBody), next_cursor: page.nextCursor });
  });

  app.post('/api/v1/project', { preValidation, schema: { tags, summary: 'Create a project (global key)', headers: ApiKeyHeaders, response: { 201: SuccessEnvelope(ProjectObject) } } }, async (request, reply) => {
    const principal = callerOf(request);
    await assertProjectQuota(ctx, principal);
    const project = await createProject(ctx, principal, readProjectBody(request.body));
    return reply.code(201).send(ok('Project created.', projectBody(project)));
  });

  app.get('/api/v1/project/:project', { preValidation, schema: { tags, summary: 'Show a project', headers: ApiKeyHeaders, params: Params, response: one } }, async (request) => {
    const principal = callerOf(request);
    assertInScope(principal, request.params.project);
    return ok('Project retrieved.', projectBody(await getProject(ctx, principal, request.params.project)));
  });

  for (const method of ['PUT', 'PATCH'] as const) {
    app.route({
      method,
      url: '/api/v1/project/:project',
      preValidation,
      schema: { tags, summary: 'Update a project (partial)', headers: ApiKeyHeaders, params: Params, response: one },
      handler: async (request) => {
        const principal = callerOf(request);
        const { project: id } = request.params as { project: string };
        assertInScope(principal, id);
        return ok('Project updated.', projectBody(await updateProject(ctx, principal, id, readProjectBody(request.body))));
      },
    });
  }

  app.delete('/api/v1/project/:project', { preValidation, schema: { tags, summary: 'Delete a project', headers: ApiKeyHeaders, params: Params, response: { 200: SuccessEnvelope(Type.Null()) } } }, async (request) => {
    const principal = callerOf(request);
    assertInScope(principal, request.params.project);
    await deleteProject(ctx, principal, request.params.project);
    return ok('Project deleted.', null);
  });
};
