import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { classify, statusTable } from '../framework-errors.js';

/**
 * The only place errors become Dev Kit (FastAPI-style) answers:
 * `{"detail": "..."}`, and 422 `{"detail": [{"loc", "msg", "type"}]}`.
 */
const STATUS = statusTable(400);

export function sendDevkitError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const c = classify(err, request);
  switch (c.kind) {
    case 'domain': {
      const e = c.error;
      if (e.kind === 'invalid') {
        const detail = e.fields.map((f) => ({ loc: ['body', ...f.field.split('.')], msg: f.message, type: f.type }));
        return reply.code(422).send({ detail });
      }
      if (e.kind === 'unauthenticated') reply.header('www-authenticate', 'Bearer');
      if (e.kind === 'rate_limited') {
        reply.header('retry-after', String(e.retryAfterSeconds));
        return reply.code(429).send({ detail: e.message, retry_after: e.retryAfterSeconds });
      }
      return reply.code(STATUS[e.kind]).send({ detail: e.message });
    }
    case 'validation':
      return reply.code(422).send({ detail: c.violations.map((v) => ({ loc: v.loc, msg: v.msg, type: v.type })) });
    case 'malformed':
      // FastAPI answers an undecodable JSON body with 422 and a body-located error.
      if (c.status === 400) {
        return reply.code(422).send({ detail: [{ loc: ['body', 0], msg: c.message, type: 'value_error.jsondecode' }] });
      }
      return reply.code(c.status).send({ detail: c.message });
    case 'internal':
      return reply.code(500).send({ detail: 'Internal Server Error', request_id: request.id });
  }
}

const ErrorBody = Type.Object(
  {
    detail: Type.Union([
      Type.String(),
      Type.Array(
        Type.Object({
          loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
          msg: Type.String(),
          type: Type.String(),
        }),
      ),
    ]),
    retry_after: Type.Optional(Type.Integer({ description: 'Seconds to wait (429)' })),
    request_id: Type.Optional(Type.String({ description: 'Quote it when reporting a 500' })),
  },
  { description: 'FastAPI-style error: a message, or a list of field errors (422)' },
);

/** The error answers every devkit route documents (pipeline.ts adds them to each route's schema). */
export const DevkitErrorSchemas = {
  public: [400, 422, 429],
  protected: [400, 401, 403, 404, 422, 429],
  schema: () => ErrorBody,
};
