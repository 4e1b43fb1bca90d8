import fs from 'node:fs';
import { expect, it } from 'vitest';

/** The verifiers the README shows are the ones the tests run, character for character. */
it('the README shows the shipped verifiers as they are, each at most 40 lines', () => {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const name of ['verify-answer.mjs', 'verify-license-file.mjs']) {
    const code = fs.readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');
    expect(code.trimEnd().split('\n').length, name).toBeLessThanOrEqual(40);
    expect(readme, name).toContain(`\`\`\`js\n${code}\`\`\``);
    expect(code, name).not.toMatch(/from '(?!node:)/);
  }
});
