import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.js';
import {
  createGeneration,
  newGenerationId,
  prepareGeneration,
  type GenerationCaller,
} from '../../core/generations/create-generation.js';
import { getGeneration, listGenerations, listPublicGenerations } from '../../core/generations/find-generations.js';
import {
  GENERATION_MESSAGES,
  MAX_EXAMPLES,
  MAX_IMAGE_BYTES,
  type Generation,
} from '../../core/generations/generation.js';
import { imageUrl, readImage } from '../../core/generations/image-access.js';
import { deleteGeneration, setGenerationPublic } from '../../core/generations/update-generation.js';
import { invalidField } from '../../core/errors.js';
import { asEndUser, header } from '../auth.js';
import type { App, Routes } from '../typed.js';
import { Nullable } from './schemas.js';
import { receiveUpload } from './generation-upload.js';

const GenerationResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  instructions: Type.String(),
  status: Type.String({ description: 'pending, processing, completed or failed' }),
  generated_image_url: Nullable(Type.String()),
  is_public: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Nullable(Type.String({ format: 'date-time' })),
  example_images: Type.Array(Type.String()),
});

/** The documented {id, message} plus the whole generation: the Starter Kit reads it as one. */
const GenerationCreateResponse = Type.Composite([Type.Object({ message: Type.String() }), GenerationResponse]);

const GenerationStatusResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.String(),
  generated_image_url: Nullable(Type.String()),
  error: Type.Optional(Type.String()),
});

const GenerationListResponse = Type.Object({
  generations: Type.Array(GenerationResponse),
  total: Type.Integer({ minimum: 0 }),
  page: Type.Integer({ minimum: 1 }),
  per_page: Type.Integer({ minimum: 1, maximum: 100 }),
});

const PageQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
    per_page: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ generation_id: Type.String() });
const ImageParams = Type.Object({ generation_id: Type.String(), name: Type.String() });
const ImageQuery = Type.Object({ expires: Type.Optional(Type.String()), sig: Type.Optional(Type.String()) });
const PublicBody = Type.Object(
  { is_public: Type.Union([Type.Boolean(), Type.String()]) },
  { additionalProperties: false },
);

const EndUserHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <end user access token>' })),
  'x-user-role': Type.Optional(Type.String({ description: 'end_user' })),
  'x-developer-key': Type.Optional(Type.String()),
  'x-project-id': Type.Optional(Type.String()),
  'x-api-key': Type.Optional(Type.String()),
});

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type, X-Project-ID',
  'access-control-max-age': '600',
};

function cors(_request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.headers(CORS_HEADERS);
  done();
}

/** Absolute URLs: the Starter Kit puts them in <img src> on another origin. */
function baseUrl(ctx: Context, request: FastifyRequest): string {
  return ctx.config.generations.publicUrl ?? `${request.protocol}://${request.host}`;
}

function generationBody(ctx: Context, base: string, g: Generation) {
  return {
    id: g.id,
    instructions: g.instructions,
    status: g.status,
    generated_image_url: g.status === 'completed' && g.resultKey ? imageUrl(ctx, base, g, 'result') : null,
    is_public: g.isPublic,
    created_at: g.createdAt,
    updated_at: g.updatedAt,
    example_images: g.examples.map((_e, i) => imageUrl(ctx, base, g, `example-${i}`)),
  };
}

function statusBody(ctx: Context, base: string, g: Generation) {
  const body = generationBody(ctx, base, g);
  return {
    id: g.id,
    status: g.status,
    generated_image_url: body.generated_image_url,
    ...(g.status === 'failed' ? { error: g.error ?? 'Generation failed' } : {}),
  };
}

function parseBool(value: boolean | string): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw invalidField('is_public', 'value could not be parsed to a boolean', 'type_error.bool');
}

export const generationRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: generation'];

  const create = async (request: FastifyRequest, caller: GenerationCaller) => {
    const target = await prepareGeneration(ctx, caller);
    const id = newGenerationId(ctx.clock.now());
    const upload = await receiveUpload(ctx, request, id);
    const g = await createGeneration(ctx, target, { id, ...upload });
    return { message: GENERATION_MESSAGES.submitted, ...generationBody(ctx, baseUrl(ctx, request), g) };
  };
  const anonymous = (request: FastifyRequest): GenerationCaller => ({
    kind: 'anonymous',
    ip: request.ip,
    projectId: header(request, 'x-project-id') || null,
    requestId: request.id,
  });

  // Multipart and form bodies only for these routes: their parsers and limits stay in this scope.
  void app.register(async (scope: App) => {
    await scope.register(multipart, {
      // The parser cuts a file off one byte past the limit and the image gate refuses it with
      // the documented 413; the parser's own "request file too large" error would win otherwise.
      throwFileSizeLimit: false,
      limits: {
        fileSize: MAX_IMAGE_BYTES + 1,
        files: MAX_EXAMPLES + 5,
        fields: 10,
        fieldSize: 64 * 1024,
        parts: MAX_EXAMPLES + 15,
      },
    });
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_req, body, done) => {
        const form = new URLSearchParams(body as string);
        done(null, Object.fromEntries(form));
      },
    );

    scope.post(
      '/api/v1/generation/generate-v2',
      {
        config: { auth: 'endUser' },
        schema: {
          tags,
          summary: 'Create a generation (multipart: 1–5 images and instructions)',
          consumes: ['multipart/form-data'],
          headers: EndUserHeaders,
          response: { 200: GenerationCreateResponse },
        },
      },
      async (request) => create(request, asEndUser(request)),
    );

    scope.get(
      '/api/v1/generation/generations-v2',
      {
        config: { auth: 'endUser' },
        schema: {
          tags,
          summary: "The end user's generations, newest first",
          headers: EndUserHeaders,
          querystring: PageQuery,
          response: { 200: GenerationListResponse },
        },
      },
      async (request) => {
        const caller = asEndUser(request);
        const page = await listGenerations(ctx, caller, request.query.page, request.query.per_page);
        const base = baseUrl(ctx, request);
        return {
          generations: page.generations.map((g) => generationBody(ctx, base, g)),
          total: page.total,
          page: page.page,
          per_page: page.perPage,
        };
      },
    );

    scope.get(
      '/api/v1/generation/generations-v2/:generation_id/status',
      {
        config: { auth: 'endUser' },
        schema: {
          tags,
          summary: 'Status of one of your generations',
          headers: EndUserHeaders,
          params: IdParams,
          response: { 200: GenerationStatusResponse },
        },
      },
      async (request) => {
        const caller = asEndUser(request);
        return statusBody(ctx, baseUrl(ctx, request), await getGeneration(ctx, caller, request.params.generation_id));
      },
    );

    scope.patch(
      '/api/v1/generation/generations-v2/:generation_id/public',
      {
        config: { auth: 'endUser' },
        schema: {
          tags,
          summary: 'Make one of your generations public or private',
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          headers: EndUserHeaders,
          params: IdParams,
          body: PublicBody,
          response: { 200: Type.Object({ id: Type.String(), is_public: Type.Boolean(), message: Type.String() }) },
        },
      },
      async (request) => {
        const caller = asEndUser(request);
        const g = await setGenerationPublic(
          ctx,
          caller,
          request.params.generation_id,
          parseBool(request.body.is_public),
        );
        return { id: g.id, is_public: g.isPublic, message: `Generation is now ${g.isPublic ? 'public' : 'private'}` };
      },
    );

    scope.delete(
      '/api/v1/generation/generations-v2/:generation_id',
      {
        config: { auth: 'endUser' },
        schema: {
          tags,
          summary: 'Delete one of your generations and its images',
          headers: EndUserHeaders,
          params: IdParams,
          response: { 200: Type.Object({ message: Type.String() }) },
        },
      },
      async (request) => {
        const caller = asEndUser(request);
        await deleteGeneration(ctx, caller, request.params.generation_id);
        return { message: 'Generation deleted successfully' };
      },
    );

    scope.get(
      '/api/v1/generation/public-generations-v2',
      {
        config: { auth: 'public' },
        onRequest: cors,
        schema: {
          tags,
          summary: 'Public generations (of the project in X-Project-ID when sent)',
          querystring: PageQuery,
          response: { 200: GenerationListResponse },
        },
      },
      async (request) => {
        const page = await listPublicGenerations(
          ctx,
          header(request, 'x-project-id') || null,
          request.query.page,
          request.query.per_page,
        );
        const base = baseUrl(ctx, request);
        return {
          generations: page.generations.map((g) => generationBody(ctx, base, g)),
          total: page.total,
          page: page.page,
          per_page: page.perPage,
        };
      },
    );

    // The v2 anonymous routes and the Starter Kit's older paths (under /api/v1 and at the root).
    const anonymousCreate = [
      '/api/v1/generation/generate-anonymous-v2',
      '/api/v1/generation/generate-anonymous',
      '/generation/generate-anonymous',
    ];
    const anonymousStatus = [
      '/api/v1/generation/anonymous-generations-v2/:generation_id/status',
      '/api/v1/generation/anonymous-generations/:generation_id/status',
      '/generation/anonymous-generations/:generation_id/status',
    ];
    // Left out of /docs (served all the same): each repeats a -v2 route, and Swagger UI stopped
    // rendering past the first tag once the document passed 98 paths (issue 22 shrinks it).
    const undocumented = new Set([
      '/generation/generate-anonymous',
      '/generation/anonymous-generations/:generation_id/status',
      '/api/v1/generation/anonymous-generations/:generation_id/status',
    ]);
    for (const url of [...anonymousCreate, ...anonymousStatus, '/api/v1/generation/public-generations-v2']) {
      scope.options(
        url,
        { config: { auth: 'public' }, schema: { hide: true }, onRequest: cors },
        async (_request, reply) => reply.code(204).send(),
      );
    }
    for (const url of anonymousCreate) {
      const alias = !url.endsWith('-v2');
      scope.post(
        url,
        {
          config: { auth: 'public' },
          onRequest: cors,
          schema: {
            hide: undocumented.has(url),
            tags,
            summary: alias
              ? 'Anonymous generation (Starter Kit compatibility path)'
              : 'Create an anonymous generation (multipart)',
            consumes: ['multipart/form-data'],
            response: { 200: GenerationCreateResponse },
          },
        },
        async (request) => create(request, anonymous(request)),
      );
    }
    for (const url of anonymousStatus) {
      scope.get(
        url,
        {
          config: { auth: 'public' },
          onRequest: cors,
          schema: {
            hide: undocumented.has(url),
            tags,
            summary: url.includes('-v2')
              ? 'Status of an anonymous generation'
              : 'Anonymous generation status (Starter Kit compatibility path)',
            params: IdParams,
            response: { 200: GenerationStatusResponse },
          },
        },
        async (request) =>
          statusBody(
            ctx,
            baseUrl(ctx, request),
            await getGeneration(ctx, anonymous(request), request.params.generation_id),
          ),
      );
    }

    scope.get(
      '/api/v1/generation/images/:generation_id/:name',
      {
        config: { auth: 'public' },
        onRequest: cors,
        schema: {
          tags,
          summary: 'A generation image (public URL, or signed and expiring for private ones)',
          params: ImageParams,
          querystring: ImageQuery,
        },
      },
      async (request, reply) => {
        const blob = await readImage(ctx, request.params.generation_id, request.params.name, request.query);
        reply.header('content-type', blob.contentType);
        if (blob.bytes) reply.header('content-length', String(blob.bytes));
        reply.header('cache-control', request.query.sig ? 'private, max-age=300' : 'public, max-age=300');
        reply.header('x-content-type-options', 'nosniff');
        return reply.send(blob.body);
      },
    );
  });
};
