import { ERROR_CODES } from '../core/error-codes.js';
import { statusTable } from './framework-errors.js';

/* The error-code catalogue (core/error-codes.ts) as a section of the OpenAPI document's description. */

const STATUS = statusTable(0);

function statusOf(kind: (typeof ERROR_CODES)[keyof typeof ERROR_CODES]['kind']): string {
  if (kind === 'conflict') return '400 devkit, 422 devpayr, 409 console';
  if (kind === 'malformed') return '400 (413 too large, 415 media type)';
  if (kind === 'internal') return '500';
  return String(STATUS[kind]);
}

/** A Markdown table: code, HTTP status, meaning. */
export function errorCodeTable(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, { kind, meaning }]) => `| \`${code}\` | ${statusOf(kind)} | ${meaning.replace(/\|/g, '\\|')} |`,
  );
  return [
    '## Error codes',
    '',
    'Every refusal has one of these codes (the console shows it as `error.code`). The devkit face answers `{"detail": ...}` and the DevPayr face its error envelope; the status is the same on every face, but for a uniqueness conflict.',
    '',
    '| code | status | meaning |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}
