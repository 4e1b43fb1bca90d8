import type { FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import { invalidField } from '../../core/errors.js';
import { createInjectable } from '../../core/injectables/create-injectable.js';
import { deleteInjectable } from '../../core/injectables/delete-injectable.js';
import { getInjectable } from '../../core/injectables/get-injectable.js';
import { INJECTABLE_MODES, INJECTABLE_TYPES } from '../../core/injectables/injectable.js';
import { MAX_FILE_BYTES, type InjectableInput } from '../../core/injectables/injectable-input.js';
import { listInjectables } from '../../core/injectables/list-injectables.js';
import { updateInjectable } from '../../core/injectables/update-injectable.js';
import { asApiCaller } from '../auth.js';
import { readSmallForm } from '../multipart.js';
import { Nullable } from '../schemas.js';
import type { App, Routes } from '../typed.js';
import { bodyValidator } from '../validation.js';
import { ApiKeyHeaders, ListEnvelope, ListQuery, ok, pageRequest, SuccessEnvelope } from './envelope.js';
import { injectableBody, InjectableObject } from '../resources.js';

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

/** The one body of create and update, as JSON or as multipart form fields (plus `file`). */
const InjectableBody = Type.Object(
  {
    title: Type.Optional(Nullable(Type.String())),
    slug: Type.Optional(Nullable(Type.String())),
    type: Type.Optional(Type.Union(INJECTABLE_TYPES.map((t) => Type.Literal(t)))),
    mode: Type.Optional(Type.Union(INJECTABLE_MODES.map((m) => Type.Literal(m)))),
    target_path: Type.Optional(Nullable(Type.String())),
    secret: Type.Optional(
      Type.String({ description: 'At least 8 characters; required on create and whenever content changes' }),
    ),
    only_if_paid: Type.Optional(Type.Boolean()),
    is_active: Type.Optional(Type.Boolean()),
    content: Type.Optional(Type.String()),
  },
  {
    additionalProperties: false,
    description: 'JSON, or multipart/form-data with the same fields plus `file` (at most 5 MB, type "file" only).',
  },
);
type InjectableFields = Static<typeof InjectableBody>;
const checkFormFields = bodyValidator(InjectableBody);

/** A form field is text: its Laravel-style spellings of a boolean become the boolean the schema takes. */
function formFields(fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  for (const f of ['only_if_paid', 'is_active']) {
    const v = fields[f]?.trim().toLowerCase();
    if (v === undefined) continue;
    if (['1', 'true', 'on', 'yes'].includes(v)) out[f] = true;
    else if (['0', 'false', 'off', 'no', ''].includes(v)) out[f] = false;
  }
  return out;
}

/** The body as core input: JSON was checked by the route's schema, form fields are checked against the same one here. */
async function readInjectableInput(request: FastifyRequest): Promise<InjectableInput> {
  let body: InjectableFields;
  let file: Buffer | undefined;
  if (request.isMultipart()) {
    const form = await readSmallForm(request, (name, already) => {
      if (name !== 'file' || already > 0)
        throw invalidField(name, 'Only one upload, named file, is accepted.', 'prohibited');
    }).catch((err: { code?: string }) => {
      throw err.code === 'FST_REQ_FILE_TOO_LARGE'
        ? invalidField('file', 'The file may not be greater than 5120 kilobytes.', 'too_large')
        : err;
    });
    const fields = formFields(form.fields);
    checkFormFields(fields);
    body = fields as InjectableFields;
    file = form.files.get('file');
  } else {
    body = request.body as InjectableFields;
  }
  return {
    title: body.title,
    slug: body.slug === '' ? null : body.slug,
    type: body.type,
    mode: body.mode,
    targetPath: body.target_path,
    secret: body.secret,
    content: body.content,
    file,
    onlyIfPaid: body.only_if_paid,
    isActive: body.is_active,
  };
}

const ProjectParams = Type.Object({ project: Type.String() });
const InjectableParams = Type.Object({ project: Type.String(), injectable: Type.String() });
/** Room for 5 MB of text content in a JSON body (the app's default limit is 1 MB). */
const JSON_BODY_LIMIT = MAX_FILE_BYTES + 1024 * 1024;

export const injectableRoutes: Routes = (app, ctx) => {
  const tags = ['devpayr: injectables'];
  const config = { auth: 'apiKey', limit: 'management' } as const;

  // Multipart only for these routes: its parser and limits stay inside this plugin's scope.
  void app.register(async (scope: App) => {
    await scope.register(multipart, {
      limits: { fileSize: MAX_FILE_BYTES, files: 2, fields: 20, fieldSize: MAX_FILE_BYTES },
    });

    scope.get(
      '/api/v1/project/:project/injectables',
      {
        config,
        schema: {
          tags,
          summary: 'List injectables (no content)',
          headers: ApiKeyHeaders,
          params: ProjectParams,
          querystring: ListQuery,
          response: { 200: ListEnvelope(InjectableObject) },
        },
      },
      async (request, _reply) => {
        const principal = asApiCaller(request);
        const page = await listInjectables(ctx, principal, request.params.project, pageRequest(request.query));
        return ok('Injectables retrieved.', { data: page.items.map(injectableBody), next_cursor: page.nextCursor });
      },
    );

    scope.post(
      '/api/v1/project/:project/injectables',
      {
        config,
        bodyLimit: JSON_BODY_LIMIT,
        schema: {
          tags,
          consumes: ['application/json', 'multipart/form-data'],
          summary: 'Create an injectable (JSON or multipart)',
          headers: ApiKeyHeaders,
          params: ProjectParams,
          body: InjectableBody,
          response: { 201: SuccessEnvelope(InjectableObject) },
        },
      },
      async (request, reply) => {
        const principal = asApiCaller(request);
        const injectable = await createInjectable(
          ctx,
          principal,
          request.params.project,
          await readInjectableInput(request),
        );
        return reply.code(201).send(ok('Injectable created.', injectableBody(injectable)));
      },
    );

    scope.get(
      '/api/v1/project/:project/injectables/:injectable',
      {
        config,
        schema: {
          tags,
          summary: 'Show an injectable with its content in delivery form',
          headers: ApiKeyHeaders,
          params: InjectableParams,
          response: { 200: SuccessEnvelope(InjectableWithContent) },
        },
      },
      async (request, _reply) => {
        const principal = asApiCaller(request);
        const { injectable, delivered } = await getInjectable(
          ctx,
          principal,
          request.params.project,
          request.params.injectable,
        );
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
          config,
          bodyLimit: JSON_BODY_LIMIT,
          schema: {
            tags,
            consumes: ['application/json', 'multipart/form-data'],
            summary: 'Update an injectable (JSON or multipart)',
            headers: ApiKeyHeaders,
            params: InjectableParams,
            body: InjectableBody,
            response: { 200: SuccessEnvelope(InjectableObject) },
          },
        },
        async (request, _reply) => {
          const principal = asApiCaller(request);
          const input = await readInjectableInput(request);
          return ok(
            'Injectable updated.',
            injectableBody(
              await updateInjectable(ctx, principal, request.params.project, request.params.injectable, input),
            ),
          );
        },
      );
    }

    scope.delete(
      '/api/v1/project/:project/injectables/:injectable',
      {
        config,
        schema: {
          tags,
          summary: 'Delete an injectable (200, never 204)',
          headers: ApiKeyHeaders,
          params: InjectableParams,
          response: { 200: SuccessEnvelope(Type.Null()) },
        },
      },
      async (request, _reply) => {
        const principal = asApiCaller(request);
        await deleteInjectable(ctx, principal, request.params.project, request.params.injectable);
        return ok('Injectable deleted.', null);
      },
    );
  });
};
