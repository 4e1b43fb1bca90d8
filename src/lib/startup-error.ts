/**
 * A failure to start that the user can act on: its message is one line naming the cause and
 * what to do about it, printed as it is (the stack trace only with LOG_LEVEL=debug).
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

const ERRNO_WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'it exists and is not a directory',
  ENOSPC: 'no space left on the device',
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/** The system error code of `err` (or of the first error inside an AggregateError). */
export function errnoOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: unknown[] } | null;
  if (typeof e?.code === 'string') return e.code;
  return Array.isArray(e?.errors) ? errnoOf(e.errors[0]) : undefined;
}

/** A few words for a system error ("connection refused"), else its own first line. */
export function reasonOf(err: unknown): string {
  const code = errnoOf(err);
  if (code && ERRNO_WORDS[code]) return ERRNO_WORDS[code]!;
  return firstLine(err);
}

export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim() || (err instanceof Error ? err.name : 'unknown error');
}
