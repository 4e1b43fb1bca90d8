import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = path.resolve('src/http/console');
const files = () => fs.readdirSync(DIR).filter((f) => f.endsWith('.ts'));

/** The console is a face like the others (issue 19): its files keep the rules DESIGN.md sets for faces. */
describe('the console follows the face rules', () => {
  it('declares its face, so its routes are checked for a credential and answered in its own error format by the pipeline', () => {
    const index = fs.readFileSync(path.join(DIR, 'index.ts'), 'utf8');
    expect(index).toContain("declareFace(app, 'console')");
    expect(index).not.toContain('setErrorHandler');
  });

  it('route files import nothing back from index.ts, and no module is imported at run time', () => {
    for (const f of files()) {
      const src = fs.readFileSync(path.join(DIR, f), 'utf8');
      expect(src, f).not.toMatch(/from '\.\/index\.js'/);
      expect(src, f).not.toMatch(/await import\(/);
    }
  });

  it("no file reads or writes the database itself: data access is the core's", () => {
    for (const f of files())
      expect(fs.readFileSync(path.join(DIR, f), 'utf8'), f).not.toMatch(
        /\.db\b|selectFrom|insertInto|updateTable|deleteFrom/,
      );
  });

  it('no file over 300 lines', () => {
    for (const f of files())
      expect(fs.readFileSync(path.join(DIR, f), 'utf8').split('\n').length, f).toBeLessThanOrEqual(300);
  });
});
