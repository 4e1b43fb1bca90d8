import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { classify, statusTable } from '../framework-errors.js';

/**
 * The only place errors become console answers: `{"error": {"code", "message", "fields"}}`,
 * where `fields` names each input that caused a problem so the page can show the words next
 * to that input.
 */
const STATUS = statusTable(409);

export interface ConsoleErrorBody {
  error: { code: string; message: string; fields: Array<{ field: string; message: string }> };
}

const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
  }),
});
/** The answers declareFace documents on every console route (the console also answers 409 and 413, with the same body). */
export const ConsoleErrorSchemas = {
  public: [400, 422, 429],
  protected: [400, 401, 403, 404, 422, 429],
  schema: () => ErrorBody,
};

export function consoleError(
  code: string,
  message: string,
  fields: Array<{ field: string; message: string }> = [],
): ConsoleErrorBody {
  return { error: { code, message, fields } };
}

/** Input names as the console's forms name them (the core speaks camelCase too). */
function fieldName(loc: Array<string | number>): string {
  return loc.filter((p) => p !== 'body' && p !== 'query' && p !== 'path').join('.') || 'body';
}

export function sendConsoleError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('cache-control', 'no-store');
  const c = classify(err, request);
  switch (c.kind) {
    case 'domain': {
      const e = c.error;
      if (e.kind === 'rate_limited') reply.header('retry-after', String(e.retryAfterSeconds));
      const fields = e.fields.map((f) => ({ field: f.field, message: f.message }));
      return reply.code(STATUS[e.kind]).send(consoleError(e.code, e.message, fields));
    }
    case 'validation': {
      const fields = c.violations.map((v) => ({ field: fieldName(v.loc), message: v.msg }));
      return reply
        .code(422)
        .send(
          consoleError(
            'invalid',
            fields.map((f) => `${f.field}: ${f.message}`).join('; ') || 'The given data was invalid.',
            fields,
          ),
        );
    }
    case 'malformed':
      return reply.code(c.status).send(consoleError('malformed', c.message));
    case 'internal':
      return reply
        .code(500)
        .send(consoleError('internal', `Something went wrong on the server (request ${request.id}).`));
  }
}
