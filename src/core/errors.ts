import type { ErrorCode, NotFoundSubject, UpstreamService } from './error-codes.js';

/**
 * The one closed catalogue of domain errors. Core code throws these; each face maps them
 * to its own status codes and bodies in exactly one place (http/<face>/errors.ts).
 * `code` is stable and machine-readable, one of error-codes.ts (the factories below take no
 * other); `message` is a human default a face may override.
 */
export type ErrorKind =
  | 'invalid' // 422: input breaks a rule (field-level details in `fields`)
  | 'bad_request' // 400: a request the protocol cannot serve (missing runtime domain, bad header)
  | 'unauthenticated' // 401: no credential, or one we do not recognise
  | 'forbidden' // 403: a credential that may not do this
  | 'not_found' // 404: no such record for this caller (foreign ids included)
  | 'conflict' // 409/422: a uniqueness rule
  | 'limit_reached' // 403: a plan limit
  | 'rate_limited' // 429
  | 'too_large' // 413: an upload over its size limit
  | 'upstream'; // 502: a service outside our code (Stripe ...) failed or did not answer in time

export interface FieldError {
  field: string;
  message: string;
  /** Machine-readable kind, e.g. 'too_short', 'taken', 'format'. */
  type: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** One of error-codes.ts; a string, as the runtime face passes its check's outcome (listed there too). */
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const Invalid = (fields: FieldError[], message = 'The given data was invalid.') =>
  new DomainError('invalid', 'invalid', message, fields);
export const invalidField = (field: string, message: string, type = 'value_error') =>
  Invalid([{ field, message, type }], message);
export const BadRequest = (code: ErrorCode, message: string) => new DomainError('bad_request', code, message);
export const Unauthenticated = (code: ErrorCode, message: string) => new DomainError('unauthenticated', code, message);
export const Forbidden = (code: ErrorCode, message: string) => new DomainError('forbidden', code, message);
export const NotFound = (what: NotFoundSubject) =>
  new DomainError('not_found', `${what}_not_found`, `${capitalise(what)} not found`);
export const Conflict = (field: string, code: ErrorCode, message: string) =>
  new DomainError('conflict', code, message, [{ field, message, type: 'taken' }]);
export const LimitReached = (code: ErrorCode, message: string) => new DomainError('limit_reached', code, message);
export const TooLarge = (code: ErrorCode, message: string) => new DomainError('too_large', code, message);
export const RateLimited = (retryAfterSeconds: number) =>
  new DomainError(
    'rate_limited',
    'rate_limited',
    `Rate limit exceeded. Try again in ${retryAfterSeconds} seconds.`,
    [],
    retryAfterSeconds,
  );

/** A service outside our code failed; `message` names it and says what went wrong, never with its secrets. */
export const UpstreamFailed = (service: UpstreamService, message: string) =>
  new DomainError('upstream', `${service.toLowerCase()}_failed`, `${service}: ${message}`);

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, ' ');
}
