import { Invalid, type FieldError } from '../errors.js';
import { SLUG_RE } from '../projects/project-input.js';
import { INJECTABLE_MODES, INJECTABLE_TYPES } from './injectable.js';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const SLUG_TAKEN = 'The slug has already been taken.';

/** Fields an injectable is created or updated with; undefined = not given. */
export interface InjectableInput {
  title?: string | null;
  slug?: string | null;
  type?: string;
  mode?: string;
  targetPath?: string | null;
  secret?: string;
  onlyIfPaid?: boolean;
  isActive?: boolean;
  /** Text content (`content`). */
  content?: string;
  /** Uploaded bytes (`file`, multipart). */
  file?: Buffer;
}

/**
 * The body rules: type and mode from the spec's enums, a secret of at least 8 characters on
 * create and whenever the content changes (it is the delivery key, so new content needs it
 * again), content as text or, for type "file", an upload of at most 5 MB.
 */
export function checkInjectableInput(input: InjectableInput, creating: boolean, currentType?: string): void {
  const problems: FieldError[] = [];
  const add = (field: string, message: string, type: string) => problems.push({ field, message, type });
  if (creating && input.type === undefined) add('type', 'The type field is required.', 'missing');
  else if (input.type !== undefined && !(INJECTABLE_TYPES as readonly string[]).includes(input.type))
    add('type', 'The selected type is invalid.', 'enum');
  if (creating && input.mode === undefined) add('mode', 'The mode field is required.', 'missing');
  else if (input.mode !== undefined && !(INJECTABLE_MODES as readonly string[]).includes(input.mode))
    add('mode', 'The selected mode is invalid.', 'enum');
  if (input.title && input.title.length > 255)
    add('title', 'The title may not be greater than 255 characters.', 'too_long');
  if (input.slug !== undefined && input.slug !== null) {
    if (input.slug.length > 255) add('slug', 'The slug may not be greater than 255 characters.', 'too_long');
    else if (!SLUG_RE.test(input.slug))
      add('slug', 'The slug may only contain letters, numbers, dashes and underscores.', 'alpha_dash');
  }
  if (input.targetPath && input.targetPath.length > 1024)
    add('target_path', 'The target path may not be greater than 1024 characters.', 'too_long');

  const type = input.type ?? currentType;
  const contentGiven = input.content !== undefined || input.file !== undefined;
  if (input.content !== undefined && input.file !== undefined)
    add('file', 'Send either content or file, not both.', 'prohibited');
  if (creating && !contentGiven) add('content', 'The content field is required when file is not present.', 'missing');
  if (input.file !== undefined) {
    if (type !== 'file') add('file', 'A file may only be uploaded when the type is file.', 'prohibited');
    else if (input.file.length > MAX_FILE_BYTES)
      add('file', 'The file may not be greater than 5120 kilobytes.', 'too_large');
    else if (input.file.length === 0) add('file', 'The file must not be empty.', 'missing');
  }
  if (input.content !== undefined && Buffer.byteLength(input.content) > MAX_FILE_BYTES) {
    add('content', 'The content may not be greater than 5120 kilobytes.', 'too_large');
  }
  if (input.secret !== undefined) {
    if (input.secret.length < 8) add('secret', 'The secret must be at least 8 characters.', 'too_short');
    else if (input.secret.length > 255) add('secret', 'The secret may not be greater than 255 characters.', 'too_long');
  } else if (creating || contentGiven) {
    add(
      'secret',
      creating ? 'The secret field is required.' : 'The secret field is required when the content changes.',
      'missing',
    );
  }
  if (problems.length) throw Invalid(problems);
}
