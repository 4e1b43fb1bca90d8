import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_VARS, readEnv, toConfig } from '../../src/config.js';

const README = fs.readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The variable names in the first column of the README's Configuration table. */
function readmeVariables(): string[] {
  const section = README.slice(
    README.indexOf('## Configuration'),
    README.indexOf('\n## ', README.indexOf('## Configuration') + 5),
  );
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
    expect(readEnv({ PORT: '1', PATH: '/bin', HOME: '/root', LOG_FORMAT: 'json' })).toEqual({
      PORT: '1',
      LOG_FORMAT: 'json',
    });
  });

  it('accepts the sqlite: and file: forms of DATABASE_URL, and refuses other schemes', () => {
    expect(toConfig({ DATABASE_URL: 'sqlite:/tmp/a.sqlite' }).database).toMatchObject({
      dialect: 'sqlite',
      sqliteFile: '/tmp/a.sqlite',
    });
    expect(toConfig({ DATABASE_URL: 'sqlite:///tmp/b.sqlite' }).database.sqliteFile).toBe('/tmp/b.sqlite');
    expect(toConfig({ DATABASE_URL: 'file:/tmp/c.sqlite' }).database.sqliteFile).toBe('/tmp/c.sqlite');
    expect(toConfig({ DATABASE_URL: 'sqlite::memory:' }).database.sqliteFile).toBe(':memory:');
    expect(toConfig({ DATABASE_URL: 'postgresql://u@h/db' }).database.dialect).toBe('postgres');
    expect(() => toConfig({ DATABASE_URL: 'mysql://u@h/db' })).toThrow(/DATABASE_URL/);
  });

  it("HEAP_GROWING_PERCENT: 25 by default, 0 for V8's own choice, a negative or fractional value refused", () => {
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

describe('configuration: one parser per kind of value', () => {
  /** How often toConfig reads each variable. */
  function reads(env: Record<string, string>): Map<string, number> {
    const counted = new Map<string, number>();
    toConfig(
      new Proxy(env as Record<string, string | undefined>, {
        get: (target, name) => {
          if (typeof name === 'string') counted.set(name, (counted.get(name) ?? 0) + 1);
          return Reflect.get(target, name);
        },
      }),
    );
    return counted;
  }

  it('reads PUBLIC_URL once, with one rule, for the console and the generations alike', () => {
    expect(reads({ PUBLIC_URL: 'https://tollgate.example.com/' }).get('PUBLIC_URL')).toBe(1);
    const config = toConfig({ PUBLIC_URL: 'https://tollgate.example.com/' });
    expect([config.publicUrl, config.generations.publicUrl]).toEqual([
      'https://tollgate.example.com',
      'https://tollgate.example.com',
    ]);
    expect(() => toConfig({ PUBLIC_URL: 'https://tollgate.example.com/base' })).toThrow(/PUBLIC_URL must be an origin/);
    expect(() => toConfig({ PUBLIC_URL: 'tollgate.example.com' })).toThrow(/PUBLIC_URL must be an origin/);
  });

  it('every duration takes a number in the unit its name says, or a number with a unit', () => {
    const spelled = toConfig({
      HTTP_REQUEST_TIMEOUT_SECONDS: '2m',
      ACCESS_TOKEN_EXPIRE_MINUTES: '1h',
      REFRESH_TOKEN_EXPIRE_DAYS: '36h',
      CONSOLE_SESSION_HOURS: '90m',
      GENERATION_POLL_MS: '1s',
      WEBHOOK_TIMEOUT: '1500ms',
    });
    expect(spelled.http.requestTimeoutMs).toBe(120_000);
    expect(spelled.accessTokenTtlSeconds).toBe(3600);
    expect(spelled.refreshTokenTtlSeconds).toBe(36 * 3600);
    expect(spelled.console.absoluteSeconds).toBe(5400);
    expect(spelled.generations.pollMs).toBe(1000);
    expect(spelled.webhooks.timeoutMs).toBe(1500);
    const bare = toConfig({
      HTTP_REQUEST_TIMEOUT_SECONDS: '45',
      ACCESS_TOKEN_EXPIRE_MINUTES: '15',
      GENERATION_POLL_MS: '20',
      CONSOLE_IDLE_MINUTES: '5',
    });
    expect([
      bare.http.requestTimeoutMs,
      bare.accessTokenTtlSeconds,
      bare.generations.pollMs,
      bare.console.idleSeconds,
    ]).toEqual([45_000, 900, 20, 300]);
    // A name without a unit needs one in the value; minimums hold in either spelling.
    expect(() => toConfig({ WEBHOOK_TIMEOUT: '10' })).toThrow(
      /WEBHOOK_TIMEOUT must be a duration such as 500ms, 5s, 30m, 2h or 5d, got "10"/,
    );
    expect(() => toConfig({ GENERATION_POLL_MS: '5ms' })).toThrow(/GENERATION_POLL_MS must be at least 10ms/);
    expect(() => toConfig({ ACCESS_TOKEN_EXPIRE_MINUTES: 'soon' })).toThrow(
      /ACCESS_TOKEN_EXPIRE_MINUTES must be an integer >= 1 \(minutes\) or a duration such as/,
    );
  });

  it("the version is package.json's", () => {
    const pkg = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {
      version: string;
    };
    expect(toConfig({}).version).toBe(pkg.version);
  });
});
