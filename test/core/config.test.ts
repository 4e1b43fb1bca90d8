import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_VARS, readEnv, toConfig } from '../../src/config.js';

const README = fs.readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The variable names in the first column of the README's Configuration table. */
function readmeVariables(): string[] {
  const section = README.slice(README.indexOf('## Configuration'), README.indexOf('\n## ', README.indexOf('## Configuration') + 5));
  const names: string[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const first = line.split('|')[1]!;
    for (const m of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.push(m[1]!);
  }
  return names;
}

describe('configuration: one list of variables, and the README table says the same', () => {
  it('toConfig reads no variable outside ENV_VARS', () => {
    const read = new Set<string>();
    const env = new Proxy({} as Record<string, string | undefined>, {
      get: (_t, name) => {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    });
    toConfig(env);
    const known = new Set<string>(ENV_VARS);
    expect([...read].filter((n) => !known.has(n))).toEqual([]);
    // And everything in the list but the tests' own is read by toConfig.
    expect(ENV_VARS.filter((n) => !n.startsWith('TEST_') && !read.has(n))).toEqual([]);
  });

  it('the README Configuration table lists exactly ENV_VARS', () => {
    expect([...readmeVariables()].sort()).toEqual([...ENV_VARS].sort());
  });

  it('readEnv keeps only the listed variables', () => {
    expect(readEnv({ PORT: '1', PATH: '/bin', HOME: '/root', LOG_FORMAT: 'json' })).toEqual({ PORT: '1', LOG_FORMAT: 'json' });
  });

  it('accepts the sqlite: and file: forms of DATABASE_URL, and refuses other schemes', () => {
    expect(toConfig({ DATABASE_URL: 'sqlite:/tmp/a.sqlite' }).database).toMatchObject({ dialect: 'sqlite', sqliteFile: '/tmp/a.sqlite' });
    expect(toConfig({ DATABASE_URL: 'sqlite:///tmp/b.sqlite' }).database.sqliteFile).toBe('/tmp/b.sqlite');
    expect(toConfig({ DATABASE_URL: 'file:/tmp/c.sqlite' }).database.sqliteFile).toBe('/tmp/c.sqlite');
    expect(toConfig({ DATABASE_URL: 'sqlite::memory:' }).database.sqliteFile).toBe(':memory:');
    expect(toConfig({ DATABASE_URL: 'postgresql://u@h/db' }).database.dialect).toBe('postgres');
    expect(() => toConfig({ DATABASE_URL: 'mysql://u@h/db' })).toThrow(/DATABASE_URL/);
  });

  it('HEAP_GROWING_PERCENT: 25 by default, 0 for V8\'s own choice, a negative or fractional value refused', () => {
    expect(toConfig({}).heapGrowingPercent).toBe(25);
    expect(toConfig({ HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(() => toConfig({ HEAP_GROWING_PERCENT: '-5' })).toThrow(/HEAP_GROWING_PERCENT must be an integer >= 0/);
    expect(() => toConfig({ HEAP_GROWING_PERCENT: '2.5' })).toThrow(/HEAP_GROWING_PERCENT/);
  });

  it('refuses a LOG_FORMAT it does not know', () => {
    expect(toConfig({}).logFormat).toBe('auto');
    expect(toConfig({ LOG_FORMAT: 'JSON' }).logFormat).toBe('json');
    expect(() => toConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be one of auto, json, pretty/);
  });
});
