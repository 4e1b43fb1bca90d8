import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The guides quote real code. Each fenced block preceded by `<!-- excerpt: FILE -->` must be
 * found in FILE: its parts (split at `// …` lines, which stand for lines left out) appear in
 * the file in order. Whitespace and trailing commas are ignored (indentation, line wrapping),
 * so a reformat does not break a guide, but a renamed function or changed call does.
 */
const root = path.resolve(import.meta.dirname, '../..');
const GUIDES = ['docs/adding-an-operation.md'];

interface Excerpt {
  guide: string;
  file: string;
  parts: string[];
}

/** Whitespace and trailing commas dropped: what a formatter changes, not what the code says. */
const squash = (s: string) => s.replace(/\s+/g, '').replace(/,([)\]}])/g, '$1');

function excerptsOf(guide: string): Excerpt[] {
  const text = fs.readFileSync(path.join(root, guide), 'utf8');
  const found: Excerpt[] = [];
  for (const m of text.matchAll(/<!-- excerpt: (\S+) -->\s*\n\s*```\w*\n([\s\S]*?)\n\s*```/g)) {
    const parts = m[2]!
      .split(/^\s*\/\/ …\s*$/m)
      .map(squash)
      .filter((p) => p !== '');
    found.push({ guide, file: m[1]!, parts });
  }
  return found;
}

describe('the guides quote the code as it is', () => {
  const excerpts = GUIDES.flatMap(excerptsOf);

  it('every guide has excerpts to check', () => {
    for (const guide of GUIDES) expect(excerpts.filter((e) => e.guide === guide).length).toBeGreaterThan(0);
  });

  it.each(excerpts.map((e, i) => [`${e.guide} #${i + 1}: ${e.file}`, e] as const))('%s', (_name, excerpt) => {
    const source = squash(fs.readFileSync(path.join(root, excerpt.file), 'utf8'));
    let from = 0;
    for (const part of excerpt.parts) {
      const at = source.indexOf(part, from);
      expect(
        at,
        `a part of the excerpt of ${excerpt.file} in ${excerpt.guide} is not in the file (in order):\n${part}`,
      ).toBeGreaterThanOrEqual(0);
      from = at + part.length;
    }
  });
});
