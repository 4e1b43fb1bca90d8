import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { deliverableInjectables } from '../../core/injectables/delivery.js';
import { projectInScope } from '../../core/projects/project-in-scope.js';
import { checkLicense, type RuntimeCheckInput } from '../../core/runtime/index.js';
import { asApiCaller } from '../auth.js';
import type { Routes } from '../typed.js';
import {
  hasPaidAnswer,
  paidMessage,
  passOrThrow,
  REPLAY,
  runtimeInput,
  wantsInjectables,
  type Replayable,
} from './has-paid.js';

/**
 * The runtime face of the devpayr API: what delivered software calls (has-paid, the
 * injectable stream), open to any browser origin (CORS in ../cors.ts), and the vendor's own
 * has-paid lookup. The common has-paid call is answered by a fast lane in front of the
 * router (runtime-lane.ts); everything else, and every call the lane does not take, goes
 * through the routes here. Both share the input, the check and the answer (has-paid.ts).
 */

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

const StreamResponse = Envelope(
  Type.Object({ has_paid: Type.Boolean(), injectables: Type.Array(DeliveredInjectable) }),
);

const RuntimeQuery = Type.Object({
  license: Type.Optional(Type.String()),
  action: Type.Optional(Type.String()),
  include: Type.Optional(Type.String()),
  projectId: Type.Optional(Type.String()),
  project_id: Type.Optional(Type.String()),
});

function requestInput(request: FastifyRequest): RuntimeCheckInput {
  return runtimeInput(request.headers, request.ip, request.query, request.body);
}

export const runtimeRoutes: Routes = (app, ctx) => {
  const tags = ['devpayr: runtime'];

  app.post(
    '/api/v1/project/has-paid',
    {
      config: { auth: 'license' },
      preParsing: async (request, _reply, payload) => {
        const body = (request.raw as Replayable)[REPLAY];
        return body === undefined ? payload : Readable.from([body]);
      },
      schema: {
        tags,
        summary: 'Runtime check: is this license valid here, and has its project been paid for?',
        querystring: RuntimeQuery,
        response: { 200: HasPaidResponse },
      },
    },
    async (request) => {
      const check = passOrThrow(await checkLicense(ctx, requestInput(request)));
      return hasPaidAnswer(ctx, check, wantsInjectables(request.query, request.body));
    },
  );

  for (const method of ['get', 'post'] as const) {
    app[method](
      '/api/v1/injectable/stream',
      {
        config: { auth: 'license' },
        schema: {
          tags,
          summary: "The license's project's injectables in delivery form (only_if_paid ones only when paid)",
          querystring: RuntimeQuery,
          response: { 200: StreamResponse },
        },
      },
      async (request) => {
        const check = passOrThrow(await checkLicense(ctx, requestInput(request)));
        const injectables = await deliverableInjectables(ctx, check.projectId, check.hasPaid);
        return {
          status: 'success' as const,
          message: paidMessage(check.hasPaid),
          data: { has_paid: check.hasPaid, injectables },
          errors: null,
        };
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
