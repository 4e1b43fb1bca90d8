import { invalidField, type FieldError } from '../../core/errors.js';

/**
 * For bodies a route reads by hand (projects check plan limits before validation; injectables
 * also come as multipart): the body as an object, or a 422 when it is anything else.
 * No body at all reads as an empty one (the PHP client's body-less requests).
 */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidField('body', 'The request body must be a JSON object.', 'object');
  }
  return body as Record<string, unknown>;
}

/** Fields a body may carry: any other is refused by name, never silently dropped. */
export function refuseUnknownFields(body: Record<string, unknown>, allowed: readonly string[], problems: FieldError[]): void {
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) problems.push({ field, message: `The ${field.replace(/_/g, ' ')} field is not allowed.`, type: 'extra' });
  }
}

