import type { FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { Invalid, invalidField, type FieldError } from '../../core/errors.js';
import { createInjectable } from '../../core/injectables/create-injectable.js';
import { deleteInjectable } from '../../core/injectables/delete-injectable.js';
import { getInjectable } from '../../core/injectables/get-injectable.js';
import { INJECTABLE_MODES, INJECTABLE_TYPES, type Injectable } from '../../core/injectables/injectable.js';
import { MAX_FILE_BYTES, type InjectableInput } from '../../core/injectables/injectable-input.js';
import { listInjectables } from '../../core/injectables/list-injectables.js';
import { updateInjectable } from '../../core/injectables/update-injectable.js';
import type { App, Routes } from '../typed.js';
import { objectBody, refuseUnknownFields } from './body.js';
import { apiKeyHook, ApiKeyHeaders, callerOf, ListEnvelope, ListQuery, Nullable, ok, pageRequest, SuccessEnvelope } from './licenses.js';

const InjectableObject = Type.Object({
  id: Type.String(),
  project_id: Type.String(),
  title: Nullable(Type.String()),
  slug: Type.String(),
  type: Type.String(),
  mode: Type.String(),
  target_path: Nullable(Type.String()),
  content_hash: Type.String(),
  only_if_paid: Type.Boolean(),
  is_active: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Nullable(Type.String()),
});

/** Show adds the delivery form: encrypted and signed with the injectable's secret, both field spellings. */
const InjectableWithContent = Type.Composite([
  InjectableObject,
  Type.Object({
    name: Type.String(),
    path: Nullable(Type.String()),
    encrypted_content: Type.String(),
    content: Type.String({ description: 'The same encrypted string as encrypted_content (clients read either name)' }),
    signature: Type.String(),
  }),
]);

function injectableBody(i: Injectable) {
  return {
    id: i.id,
    project_id: i.projectId,
    title: i.title,
    slug: i.slug,
    type: i.type,
    mode: i.mode,
    target_path: i.targetPath,
    content_hash: i.contentHash,
    only_if_paid: i.onlyIfPaid,
    is_active: i.isActive,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

const InjectableBody = Type.Object({
  title: Type.Optional(Nullable(Type.String())),
  slug: Type.Optional(Nullable(Type.String())),
  type: Type.Optional(Type.Union(INJECTABLE_TYPES.map((t) => Type.Literal(t)))),
  mode: Type.Optional(Type.Union(INJECTABLE_MODES.map((m) => Type.Literal(m)))),
  target_path: Type.Optional(Nullable(Type.String())),
  secret: Type.Optional(Type.String({ description: 'At least 8 characters; required on create and whenever content changes' })),
  only_if_paid: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
  content: Type.Optional(Type.String()),
}, { additionalProperties: false });
const DOCUMENTED_BODY = {
  ...InjectableBody,
  description: 'JSON, or multipart/form-data with the same fields plus `file` (at most 5 MB, type "file" only).',
};

const TEXT_FIELDS = ['title', 'slug', 'type', 'mode', 'target_path', 'secret', 'content'] as const;
const BOOL_FIELDS = ['only_if_paid', 'is_active'] as const;

function boolField(field: string, v: unknown, problems: FieldError[]): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(s)) return true;
  if (['0', 'false', 'off', 'no', ''].includes(s)) return false;
  problems.push({ field, message: `The ${field.replace(/_/g, ' ')} field must be true or false.`, type: 'boolean' });
  return undefined;
}

/**
 * The body as core input, from JSON (schema-checked, but checked here because multipart shares
 * the route) or from multipart form fields, where everything arrives as text.
 */
async function readInjectableInput(request: FastifyRequest): Promise<InjectableInput> {
  const raw: Record<string, unknown> = {};
  let file: Buffer | undefined;
  if (request.isMultipart()) {
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || file !== undefined) {
            await part.toBuffer();
            throw invalidField(part.fieldname, 'Only one upload, named file, is accepted.', 'prohibited');
          }
          file = await part.toBuffer();
        } else {
          raw[part.fieldname] = part.value;
        }
      }
    } catch (err) {
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw invalidField('file', 'The file may not be greater than 5120 kilobytes.', 'too_large');
      throw err;
    }
  } else {
    if (request.validationError) throw request.validationError;
    Object.assign(raw, objectBody(request.body));
  }
  const problems: FieldError[] = [];
  refuseUnknownFields(raw, [...TEXT_FIELDS, ...BOOL_FIELDS], problems);
  const text: Partial<Record<(typeof TEXT_FIELDS)[number], string | null>> = {};
  for (const f of TEXT_FIELDS) {
    const v = raw[f];
    if (v === undefined) continue;
    if (v === null && (f === 'title' || f === 'slug' || f === 'target_path')) text[f] = null;
    else if (typeof v === 'string' && v.includes('\u0000')) problems.push({ field: f, message: `The ${f.replace(/_/g, ' ')} may not contain a NUL character.`, type: 'nul' });
    else if (typeof v === 'string') text[f] = v;
    else problems.push({ field: f, message: `The ${f.replace(/_/g, ' ')} must be a string.`, type: 'string' });
  }
  const bools = Object.fromEntries(BOOL_FIELDS.map((f) => [f, boolField(f, raw[f], problems)]));
  if (problems.length) throw Invalid(problems);
  return {
    title: text.title,
    slug: text.slug === '' ? null : text.slug,
    type: text.type ?? undefined,
    mode: text.mode ?? undefined,
    targetPath: text.target_path,
    secret: text.secret ?? undefined,
    content: text.content ?? undefined,
    file,
    onlyIfPaid: bools.only_if_paid,
    isActive: bools.is_active,
  };
}

const ProjectParams = Type.Object({ project: Type.String() });
const InjectableParams = Type.Object({ project: Type.String(), injectable: Type.String() });
/** Room for 5 MB of text content in a JSON body (the app's default limit is 1 MB). */
const JSON_BODY_LIMIT = MAX_FILE_BYTES + 1024 * 1024;

export const injectableRoutes: Routes = (app, ctx) => {
  const tags = ['devpayr: injectables'];
  const security = [{ apiKey: [] }];
  const auth = apiKeyHook(ctx);

  // Multipart only for these routes: its parser and limits stay inside this plugin's scope.
  void app.register(async (scope: App) => {
    await scope.register(multipart, { limits: { fileSize: MAX_FILE_BYTES, files: 2, fields: 20, fieldSize: MAX_FILE_BYTES } });

    scope.get(
      '/api/v1/project/:project/injectables',
      { preValidation: auth, schema: { tags, security, summary: 'List injectables (no content)', headers: ApiKeyHeaders, params: ProjectParams, querystring: ListQuery, response: { 200: ListEnvelope(InjectableObject) } } },
      async (request, reply) => {
        const principal = callerOf(request);
        const page = await listInjectables(ctx, principal, request.params.project, pageRequest(request.query));
        return ok('Injectables retrieved.', { data: page.items.map(injectableBody), next_cursor: page.nextCursor });
      },
    );

    scope.post(
      '/api/v1/project/:project/injectables',
      {
        preValidation: auth,
        bodyLimit: JSON_BODY_LIMIT,
        attachValidation: true,
        schema: { tags, security, consumes: ['application/json', 'multipart/form-data'], summary: 'Create an injectable (JSON or multipart)', headers: ApiKeyHeaders, params: ProjectParams, body: DOCUMENTED_BODY, response: { 201: SuccessEnvelope(InjectableObject) } },
      },
      async (request, reply) => {
        const principal = callerOf(request);
        const injectable = await createInjectable(ctx, principal, request.params.project, await readInjectableInput(request));
        return reply.code(201).send(ok('Injectable created.', injectableBody(injectable)));
      },
    );

    scope.get(
      '/api/v1/project/:project/injectables/:injectable',
      { preValidation: auth, schema: { tags, security, summary: 'Show an injectable with its content in delivery form', headers: ApiKeyHeaders, params: InjectableParams, response: { 200: SuccessEnvelope(InjectableWithContent) } } },
      async (request, reply) => {
        const principal = callerOf(request);
        const { injectable, delivered } = await getInjectable(ctx, principal, request.params.project, request.params.injectable);
        return ok('Injectable retrieved.', {
          ...injectableBody(injectable),
          name: delivered.name,
          path: delivered.path,
          encrypted_content: delivered.encrypted_content,
          content: delivered.content,
          signature: delivered.signature,
          content_hash: delivered.content_hash,
        });
      },
    );

    for (const method of ['put', 'patch'] as const) {
      scope[method](
        '/api/v1/project/:project/injectables/:injectable',
        {
          preValidation: auth,
        bodyLimit: JSON_BODY_LIMIT,
          attachValidation: true,
          schema: { tags, security, consumes: ['application/json', 'multipart/form-data'], summary: 'Update an injectable (JSON or multipart)', headers: ApiKeyHeaders, params: InjectableParams, body: DOCUMENTED_BODY, response: { 200: SuccessEnvelope(InjectableObject) } },
        },
        async (request, reply) => {
          const principal = callerOf(request);
          const input = await readInjectableInput(request);
          return ok('Injectable updated.', injectableBody(await updateInjectable(ctx, principal, request.params.project, request.params.injectable, input)));
        },
      );
    }

    scope.delete(
      '/api/v1/project/:project/injectables/:injectable',
      { preValidation: auth, schema: { tags, security, summary: 'Delete an injectable (200, never 204)', headers: ApiKeyHeaders, params: InjectableParams, response: { 200: SuccessEnvelope(Type.Null()) } } },
      async (request, reply) => {
        const principal = callerOf(request);
        await deleteInjectable(ctx, principal, request.params.project, request.params.injectable);
        return ok('Injectable deleted.', null);
      },
    );
  });
};
