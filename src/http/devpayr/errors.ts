import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { classify, statusTable } from '../framework-errors.js';

/**
 * The only place errors become DevPayr answers: always the envelope
 * `{status: "error", message, data: null, errors}`; 422 maps each field to its messages.
 */
const STATUS = statusTable(422);

export function envelopeError(message: string, errors: Record<string, string[]> | null = null) {
  return { status: 'error' as const, message, data: null, errors };
}

function fieldMap(fields: Array<{ field: string; message: string }>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of fields) (out[f.field] ??= []).push(f.message);
  return out;
}

export function sendDevpayrError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const c = classify(err, request);
  switch (c.kind) {
    case 'domain': {
      const e = c.error;
      if (e.kind === 'rate_limited') reply.header('retry-after', String(e.retryAfterSeconds));
      const errors = e.fields.length ? fieldMap(e.fields) : null;
      const message = e.kind === 'invalid' || e.kind === 'conflict' ? (e.fields[0]?.message ?? e.message) : e.message;
      return reply.code(STATUS[e.kind]).send(envelopeError(message, errors));
    }
    case 'validation': {
      const fields = c.violations.map((v) => ({ field: v.field, message: laravelMessage(v.field, v.type, v.msg) }));
      return reply.code(422).send(envelopeError(fields[0]?.message ?? 'The given data was invalid.', fieldMap(fields)));
    }
    case 'malformed':
      return reply.code(c.status).send(envelopeError(c.message));
    case 'internal':
      return reply.code(500).send(envelopeError(`Server error (request ${request.id}).`));
  }
}

/** Laravel-style wording, which the DevPayr SDKs surface to people. */
function laravelMessage(field: string, type: string, fallback: string): string {
  const name = field.replace(/_/g, ' ');
  if (type === 'value_error.missing') return `The ${name} field is required.`;
  if (type === 'value_error.extra') return `The ${name} field is not allowed.`;
  if (type === 'type_error.string') return `The ${name} must be a string.`;
  if (type === 'type_error.boolean') return `The ${name} field must be true or false.`;
  if (type === 'type_error.integer') return `The ${name} must be an integer.`;
  const max = /at most (\d+)/.exec(fallback);
  if (max) return `The ${name} may not be greater than ${max[1]} characters.`;
  return `The ${name} is invalid: ${fallback}.`;
}

const ErrorEnvelope = Type.Object(
  {
    status: Type.Literal('error'),
    message: Type.String(),
    data: Type.Null(),
    errors: Type.Union([Type.Record(Type.String(), Type.Array(Type.String())), Type.Null()]),
  },
  { description: 'DevPayr error envelope; `errors` maps each invalid field to its messages (422)' },
);

/** The error answers every devpayr route documents (pipeline.ts adds them to each route's schema). */
export const DevpayrErrorSchemas = {
  public: [400, 403, 404, 422, 429],
  protected: [400, 401, 403, 404, 422, 429],
  schema: () => ErrorEnvelope,
};
