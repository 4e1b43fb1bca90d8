import type { FastifyError, FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors.js';
import { BodyParseError, violations, type Violation } from './validation.js';

/**
 * What went wrong, in face-neutral terms; each face turns this into its own body.
 * Domain errors, schema violations, body parsing, framework 4xx, and everything else (500).
 */
export type Classified =
  | { kind: 'domain'; error: DomainError }
  | { kind: 'validation'; violations: Violation[] }
  | { kind: 'malformed'; status: number; message: string }
  | { kind: 'internal' };

const PART: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

export function classify(err: unknown, request: FastifyRequest): Classified {
  if (err instanceof DomainError) return { kind: 'domain', error: err };
  if (err instanceof BodyParseError) return { kind: 'malformed', status: 400, message: err.message };
  const fe = err as FastifyError;
  if (fe && Array.isArray(fe.validation)) {
    return {
      kind: 'validation',
      violations: violations(fe.validation as never, PART[fe.validationContext ?? 'body'] ?? 'body'),
    };
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const messages: Record<string, string> = {
      FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large.',
      FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported media type; send application/json.',
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Request body size did not match Content-Length.',
      FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty.',
      FST_ERR_MAX_PARAM_LENGTH: 'A path segment is too long.',
      FST_ERR_BAD_URL: 'The URL is malformed.',
    };
    return { kind: 'malformed', status, message: messages[fe.code] ?? fe.message ?? 'Bad request.' };
  }
  request.log.error({ err }, 'unhandled error');
  return { kind: 'internal' };
}

/**
 * The HTTP status of each kind of domain error, the same on every face but for `conflict`,
 * which each face answers as its protocol does (Dev Kit 400, DevPayr 422, console 409).
 */
export function statusTable(conflict: number): Record<DomainError['kind'], number> {
  return {
    invalid: 422,
    bad_request: 400,
    unauthenticated: 401,
    forbidden: 403,
    not_found: 404,
    conflict,
    limit_reached: 403,
    rate_limited: 429,
    too_large: 413,
    upstream: 502,
  };
}
