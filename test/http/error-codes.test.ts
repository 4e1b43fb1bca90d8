import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/error-codes.js';
import { startServer, type TestServer } from '../support/harness.js';

/**
 * The error-code catalogue (src/core/error-codes.ts, issue 19): every code src/ answers with is
 * listed, every listed code is used, and /docs shows them all. The factories of core/errors.ts
 * take only listed codes (the typecheck refuses others); this scan also covers codes written
 * where the types do not reach (`new DomainError(kind, 'code', ...)`, the console's own, a
 * code carried in a value and thrown later).
 */
const SRC = path.resolve(import.meta.dirname, '../../src');

/** Each way src/ writes an error code, and the code a match makes. */
const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/\b(?:BadRequest|Unauthenticated|Forbidden|LimitReached|TooLarge)\(\s*'([A-Za-z_]+)'/g, (m) => m[1]!],
  [/\bConflict\(\s*'[^']*',\s*'([A-Za-z_]+)'/g, (m) => m[1]!],
  [/\bNotFound\(\s*'([A-Za-z_]+)'/g, (m) => `${m[1]}_not_found`],
  [/\bUpstreamFailed\(\s*'([A-Za-z]+)'/g, (m) => `${m[1]!.toLowerCase()}_failed`],
  [/new DomainError\(\s*'[a-z_]+',\s*'([A-Za-z_]+)'/g, (m) => m[1]!],
  [/\bconsoleError\(\s*'([A-Za-z_]+)'/g, (m) => m[1]!],
  // Codes carried in a value and thrown later (a refusal outcome, a revoke's "already inactive").
  [/\b(?:code|refused):\s*'([A-Za-z_]+)'/g, (m) => m[1]!],
];

function codesIn(text: string): string[] {
  const found: string[] = [];
  for (const [re, code] of PATTERNS) for (const m of text.matchAll(re)) found.push(code(m as RegExpExecArray));
  return found;
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? sourceFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : [],
    );
}

/** Every code src/ uses, with where: the runtime check's refusals are its outcomes, lower-cased. */
function usedCodes(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of sourceFiles(SRC)) {
    if (file.endsWith(path.join('core', 'error-codes.ts'))) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const code of codesIn(text)) used.set(code, path.relative(SRC, file));
  }
  const outcomes = /export type RefusalOutcome =([^;]+);/.exec(
    fs.readFileSync(path.join(SRC, 'core/runtime/rules.ts'), 'utf8'),
  )![1]!;
  for (const m of outcomes.matchAll(/'([A-Z_]+)'/g))
    used.set(m[1]!.toLowerCase(), 'core/runtime/rules.ts (runtime refusals)');
  return used;
}

it('the scan finds each way of writing a code, and a code not listed', () => {
  const sample = [
    "throw Forbidden('made_up_code', 'x')",
    "NotFound('widget')",
    "Conflict('name', 'name_clash', 'x')",
    "new DomainError('forbidden', 'ad_hoc', 'x')",
    "UpstreamFailed('Acme', 'down')",
  ].join('\n');
  expect(codesIn(sample)).toEqual(['made_up_code', 'name_clash', 'widget_not_found', 'acme_failed', 'ad_hoc']);
  expect(codesIn(sample).filter((c) => !(c in ERROR_CODES))).toHaveLength(5);
});

it('every error code src/ uses is in the catalogue', () => {
  const used = usedCodes();
  expect(used.size).toBeGreaterThan(80);
  const unlisted = [...used].filter(([code]) => !(code in ERROR_CODES)).map(([code, where]) => `${code} (${where})`);
  expect(unlisted).toEqual([]);
});

it('every code of the catalogue is used, and says what it means', () => {
  const used = usedCodes();
  expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code))).toEqual([]);
  for (const [code, { meaning }] of Object.entries(ERROR_CODES)) expect(meaning.length, code).toBeGreaterThan(10);
});

let s: TestServer;
beforeAll(async () => {
  s = await startServer('sqlite');
});
afterAll(() => s.close());

it('/docs shows every code with its status and meaning', async () => {
  const doc = (await s.request('GET', '/docs/json')).body as { info: { description: string } };
  const text = doc.info.description;
  expect(text).toContain('## Error codes');
  for (const [code, { meaning }] of Object.entries(ERROR_CODES))
    expect(text, code).toMatch(
      new RegExp(`\\| \`${code}\` \\| [^|]+ \\| ${meaning.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|`),
    );
  expect(text).toContain('| `project_limit` | 403 |');
  expect(text).toContain('| `email_taken` | 400 devkit, 422 devpayr, 409 console |');
  expect(text).toContain('| `file_too_large` | 413 |');
});
