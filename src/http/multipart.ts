import type { FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors.js';
import { BodyParseError, nulError } from './validation.js';

/**
 * Errors while reading a multipart body: our own refusals and the plugin's limit errors (which
 * carry a 4xx status) pass through; anything the parser itself throws (no boundary, a truncated
 * part, a malformed header) is the client's malformed body, a 400 in the face's format.
 */
export function multipartError(err: unknown): unknown {
  if (err instanceof DomainError || err instanceof BodyParseError) return err;
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return err;
  return new BodyParseError('multipart', `The multipart body is malformed: ${(err as Error).message ?? 'unreadable'}.`);
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: Map<string, Buffer>;
}

/**
 * A small multipart form read whole (text fields, and files the caller allows by name, buffered:
 * for small uploads only; large ones are streamed by their route). NUL in a field is refused as in JSON.
 */
export async function readSmallForm(
  request: FastifyRequest,
  onFile: (fieldname: string, already: number) => void,
): Promise<MultipartForm> {
  const form: MultipartForm = { fields: {}, files: new Map() };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        try {
          onFile(part.fieldname, form.files.size);
        } catch (refusal) {
          await part.toBuffer(); // read past it, so the refusal is answered rather than the socket cut
          throw refusal;
        }
        form.files.set(part.fieldname, await part.toBuffer());
      } else {
        const value = String(part.value);
        if (value.includes('\u0000') || part.fieldname.includes('\u0000'))
          throw nulError(part.fieldname.replace(/\u0000/g, ''));
        form.fields[part.fieldname] = value;
      }
    }
  } catch (err) {
    throw multipartError(err);
  }
  return form;
}
