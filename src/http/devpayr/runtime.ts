import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../core/errors.js';
import { deliverableInjectables } from '../../core/injectables/delivery.js';
import { checkLicense, type RuntimeCheck } from '../../core/licenses/check-license.js';
import { projectInScope } from '../../core/licenses/project-scope.js';
import type { Context } from '../../context.js';
import { asApiCaller, header } from '../auth.js';
import type { Routes } from '../typed.js';

/**
 * The runtime face of the devpayr API: what delivered software calls (has-paid, the
 * injectable stream), open to any browser origin, and the vendor's own has-paid lookup.
 */

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'X-LICENSE-KEY, X-Devpayr-Domain, X-Requested-With, Content-Type, Accept',
  'access-control-max-age': '600',
};

/** `type: [string, null]` rather than anyOf: the serializer writes it without validating each branch. */
const NullableString = Type.Unsafe<string | null>({ type: ['string', 'null'] });

const DeliveredInjectable = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  title: NullableString,
  type: Type.String(),
  mode: Type.String(),
  target_path: NullableString,
  path: NullableString,
  encrypted_content: Type.String(),
  content: Type.String(),
  signature: Type.String(),
  content_hash: Type.String(),
});

const Envelope = <T extends ReturnType<typeof Type.Object>>(data: T) =>
  Type.Object({ status: Type.Literal('success'), message: Type.String(), data, errors: Type.Null() });

const HasPaidResponse = Envelope(
  Type.Object({
    has_paid: Type.Boolean(),
    project_id: Type.String(),
    domain: NullableString,
    injectables: Type.Optional(Type.Array(DeliveredInjectable)),
  }),
);

const StreamResponse = Envelope(Type.Object({ has_paid: Type.Boolean(), injectables: Type.Array(DeliveredInjectable) }));

const RuntimeQuery = Type.Object({
  license: Type.Optional(Type.String()),
  action: Type.Optional(Type.String()),
  include: Type.Optional(Type.String()),
  projectId: Type.Optional(Type.String()),
  project_id: Type.Optional(Type.String()),
});

function field(source: unknown, name: string): string | null {
  if (!source || typeof source !== 'object' || Array.isArray(source)) return null;
  const v = (source as Record<string, unknown>)[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** The license key from X-LICENSE-KEY, else `license` in the body, else in the query. */
function runtimeInput(request: FastifyRequest) {
  const query = request.query as Record<string, string | undefined>;
  return {
    licenseKey: header(request, 'x-license-key') || field(request.body, 'license') || field(query, 'license'),
    domain: header(request, 'x-devpayr-domain') ?? null,
    ip: request.ip,
    action: field(query, 'action') ?? field(request.body, 'action'),
    projectId: field(request.body, 'projectId') ?? field(request.body, 'project_id') ?? field(query, 'projectId') ?? field(query, 'project_id'),
  };
}

function wantsInjectables(request: FastifyRequest): boolean {
  const include = field(request.query, 'include') ?? field(request.body, 'include') ?? '';
  return include.split(',').map((s) => s.trim()).includes('injectables');
}

/** A refusal becomes the face's error answer (DevPayr envelope with its message). */
function passOrThrow(check: RuntimeCheck): Extract<RuntimeCheck, { valid: true }> {
  if (check.valid) return check;
  const kind = { 400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 429: 'rate_limited' } as const;
  throw new DomainError(kind[check.status], check.code, check.message, [], check.retryAfterSeconds);
}

function paidMessage(paid: boolean): string {
  return paid ? 'This project has been paid for.' : 'This project has not been paid for.';
}

function cors(_request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.headers(CORS_HEADERS);
  done();
}

async function hasPaid(ctx: Context, request: FastifyRequest) {
  const check = passOrThrow(await checkLicense(ctx, runtimeInput(request)));
  const data = {
    has_paid: check.hasPaid,
    project_id: check.snapshot.project.id,
    domain: check.identifier,
    ...(check.hasPaid && wantsInjectables(request)
      ? { injectables: await deliverableInjectables(ctx, check.snapshot.project.id, true) }
      : {}),
  };
  return { status: 'success' as const, message: paidMessage(check.hasPaid), data, errors: null };
}

export const runtimeRoutes: Routes = (app, ctx) => {
  const tags = ['devpayr: runtime'];

  for (const url of ['/api/v1/project/has-paid', '/api/v1/injectable/stream']) {
    app.options(url, { config: { auth: 'public' }, schema: { hide: true }, onRequest: cors }, async (_request, reply) => reply.code(204).send());
  }

  app.post(
    '/api/v1/project/has-paid',
    {
      config: { auth: 'license' },
      onRequest: cors,
      schema: {
        tags,
        summary: 'Runtime check: is this license valid here, and has its project been paid for?',
        querystring: RuntimeQuery,
        response: { 200: HasPaidResponse },
      },
    },
    async (request) => hasPaid(ctx, request),
  );

  for (const method of ['get', 'post'] as const) {
    app[method](
      '/api/v1/injectable/stream',
      {
        config: { auth: 'license' },
        onRequest: cors,
        schema: {
          tags,
          summary: "The license's project's injectables in delivery form (only_if_paid ones only when paid)",
          querystring: RuntimeQuery,
          response: { 200: StreamResponse },
        },
      },
      async (request) => {
        const check = passOrThrow(await checkLicense(ctx, runtimeInput(request)));
        const injectables = await deliverableInjectables(ctx, check.snapshot.project.id, check.hasPaid);
        return { status: 'success' as const, message: paidMessage(check.hasPaid), data: { has_paid: check.hasPaid, injectables }, errors: null };
      },
    );
  }

  app.get(
    '/api/v1/project/:project/has-paid',
    {
      config: { auth: 'apiKey' },
      schema: {
        tags,
        summary: "The project's paid flag, for the vendor's own tooling",
        params: Type.Object({ project: Type.String() }),
        response: { 200: HasPaidResponse },
      },
    },
    async (request) => {
      const project = await projectInScope(ctx, asApiCaller(request), request.params.project);
      return {
        status: 'success' as const,
        message: paidMessage(project.hasPaid),
        data: { has_paid: project.hasPaid, project_id: project.id, domain: null },
        errors: null,
      };
    },
  );
};
