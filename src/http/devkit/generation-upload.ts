import type { FastifyRequest } from 'fastify';
import type { Context } from '../../context.js';
import { DomainError, Invalid, invalidField } from '../../core/errors.js';
import { GENERATION_MESSAGES, MAX_EXAMPLES, type StoredImage } from '../../core/generations/generation.js';
import { receiveImage } from '../../core/generations/receive-image.js';
import { missingUnderAnyName, renameFields } from '../field-names.js';
import { multipartError } from '../multipart.js';

/** The reference page's name and the OpenAPI document's: both are taken. */
const FILE_FIELDS = ['example_images', 'files'];
/** No image under either name: both are named, the reference page's first (its documented answer). */
const noImages = () => Invalid(missingUnderAnyName(FILE_FIELDS));

export interface ReceivedUpload {
  instructions: string | undefined;
  examples: StoredImage[];
}

/**
 * Reads a multipart create: each image in `files` (the OpenAPI name) or `example_images`
 * (the reference page's) is streamed straight into the store as it arrives; `instructions`
 * is a text field. A refusal of an image names the field it came in. The first refusal is remembered and the rest of the body drained (a
 * client mid-upload gets an answer, not a reset); then the stored images are deleted and
 * the refusal thrown.
 */
export async function receiveUpload(
  ctx: Pick<Context, 'blobs'>,
  request: FastifyRequest,
  id: string,
): Promise<ReceivedUpload> {
  if (!request.isMultipart()) throw noImages();
  const examples: StoredImage[] = [];
  let instructions: string | undefined;
  let refusal: unknown = null;
  let files = 0;
  let parserError: unknown = null;
  try {
    const parts = request.parts()[Symbol.asyncIterator]();
    let next = parts.next();
    for (;;) {
      const { value: part, done } = await next;
      if (done) break;
      // Asked for at once: a body that breaks off mid-file rejects this (the file stream
      // itself may never end then), and the file being stored is torn down with it.
      next = parts.next();
      next.catch((err: Error) => {
        parserError ??= err;
        if (part.type === 'file' && !part.file.readableEnded) part.file.destroy(err);
      });
      if (part.type === 'file') {
        const known = FILE_FIELDS.includes(part.fieldname);
        if (refusal || !known || ++files > MAX_EXAMPLES) {
          part.file.resume();
          if (!refusal && !known)
            refusal = invalidField(part.fieldname, `Unknown field "${part.fieldname}"`, 'value_error.extra');
          else if (!refusal)
            refusal = invalidField(part.fieldname, GENERATION_MESSAGES.tooMany, 'value_error.list.max_items');
          continue;
        }
        try {
          examples.push(await receiveImage(ctx.blobs, `generations/${id}/example-${examples.length}`, part.file));
        } catch (err) {
          refusal = renameFields(err, { files: part.fieldname });
        }
      } else if (part.fieldname === 'instructions') {
        if (part.valueTruncated)
          refusal ??= invalidField(
            'instructions',
            GENERATION_MESSAGES.instructionsLength,
            'value_error.any_str.length',
          );
        if (typeof part.value !== 'string')
          refusal ??= invalidField('instructions', 'Instructions must be text', 'type_error.str');
        else if (part.value.includes('\u0000'))
          refusal ??= invalidField(
            'instructions',
            'The instructions field contains a NUL character, which is not allowed.',
            'value_error',
          );
        else instructions = part.value;
      } else {
        refusal ??= invalidField(part.fieldname, `Unknown field "${part.fieldname}"`, 'value_error.extra');
      }
    }
  } catch (err) {
    parserError ??= err;
  }
  // A body the parser could not read is malformed (400), whatever the image being stored made of it.
  if (parserError && !(parserError instanceof DomainError)) refusal = multipartError(parserError);
  if (!refusal && examples.length === 0) refusal = noImages();
  if (refusal) {
    await ctx.blobs.delete(examples.map((e) => e.key)).catch(() => {});
    throw refusal;
  }
  return { instructions, examples };
}
