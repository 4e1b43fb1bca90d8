import { DomainError, type FieldError } from '../core/errors.js';

/**
 * The core names a field by its own name (`webhook_url`, `file`); a route whose caller sends it
 * under another (`url`, `content_base64`) declares the mapping in its config (`fieldNames`), and
 * its refusals name the field the caller sent (pipeline.ts applies it, before the face words it).
 */
export type FieldNames = Readonly<Record<string, string>>;

export function renameFields(err: unknown, names: FieldNames): unknown {
  if (!(err instanceof DomainError) || !err.fields.some((f) => Object.hasOwn(names, f.field))) return err;
  const fields = err.fields.map((f) => (Object.hasOwn(names, f.field) ? { ...f, field: names[f.field]! } : f));
  return new DomainError(err.kind, err.code, err.message, fields, err.retryAfterSeconds);
}

/** A field sent under none of its names: each is named, so the caller finds the one it knows. */
export function missingUnderAnyName(names: readonly string[]): FieldError[] {
  return names.map((field) => ({ field, message: 'field required', type: 'value_error.missing' }));
}
