/**
 * One parser per kind of value the environment holds (integers, choices, booleans,
 * durations, URLs, origins), each naming the variable and what it accepts when it refuses.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

export function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `${name} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}, got "${raw}"`,
    );
  }
  return n;
}

export function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw))
    throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${env[name]}"`);
  return raw as T;
}

export function bool(env: Env, name: string): boolean | null {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return null;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const EXAMPLES = '500ms, 5s, 30m, 2h or 5d';

/** `500ms`, `5s`, `30m`, `2h`, `5d` -> milliseconds. */
export function parseDuration(name: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(raw);
  if (!m) throw new ConfigError(`${name} must be a duration such as ${EXAMPLES}, got "${raw}"`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

/** The unit a variable's name promises for a bare number (…_SECONDS: seconds), if any. */
const NAMED_UNITS: Array<[RegExp, string, string]> = [
  [/_MS$/, 'ms', 'milliseconds'],
  [/_SECONDS$/, 's', 'seconds'],
  [/_MINUTES$/, 'm', 'minutes'],
  [/_HOURS$/, 'h', 'hours'],
  [/_DAYS$/, 'd', 'days'],
];

/**
 * Every duration, in milliseconds. A name with a unit (…_MS, _SECONDS, _MINUTES, _HOURS,
 * _DAYS) takes a bare integer in that unit; every one takes a number with a unit (`90s`,
 * `2h`). `fallback` and `min` are in the name's unit (milliseconds for a name without one),
 * or a string such as `10s`.
 */
export function duration(env: Env, name: string, fallback: number | string, min = 0): number {
  const named = NAMED_UNITS.find(([pattern]) => pattern.test(name));
  const unit = named ? UNITS[named[1]]! : 1;
  const raw = env[name]?.trim();
  if (!raw) return typeof fallback === 'string' ? parseDuration(name, fallback) : fallback * unit;
  if (/^\d+$/.test(raw) && named) {
    if (Number(raw) < min)
      throw new ConfigError(
        `${name} must be an integer >= ${min} (${named[2]}) or a duration such as ${EXAMPLES}, got "${raw}"`,
      );
    return Number(raw) * unit;
  }
  if (named && !/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)\s*$/.test(raw)) {
    throw new ConfigError(
      `${name} must be an integer >= ${min} (${named[2]}) or a duration such as ${EXAMPLES}, got "${raw}"`,
    );
  }
  const ms = parseDuration(name, raw);
  if (ms < min * unit) throw new ConfigError(`${name} must be at least ${min}${named ? named[1] : 'ms'}, got "${raw}"`);
  return ms;
}

/** A comma-separated list of durations (`5s,5m,30m`). */
export function durations(env: Env, name: string, fallback: string): number[] {
  const raw = env[name]?.trim() || fallback;
  return raw.split(',').map((part) => parseDuration(name, part));
}

/** Milliseconds as whole seconds (rounded up: a token never ends early), or as days. */
export const seconds = (ms: number): number => Math.ceil(ms / 1000);
export const days = (ms: number): number => ms / UNITS.d!;

/** A URL with one of `protocols`, or null when unset. `echo: false` keeps the value out of the message (it may hold a password). */
export function urlOf(env: Env, name: string, protocols: string[], example: string, { echo = true } = {}): URL | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = null;
  }
  if (!parsed || !protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must be a URL such as ${example}${echo ? `, got "${raw}"` : ''}`);
  }
  return parsed;
}

/** Scheme and host (and port), nothing after: what browsers send as Origin. */
export const isOrigin = (value: string): boolean => /^https?:\/\/[^/?#\s]+$/.test(value);

/** An origin such as https://tollgate.example.com (a trailing slash is dropped), or null when unset. */
export function origin(env: Env, name: string, example: string): string | null {
  const raw = env[name]?.trim().replace(/\/+$/, '');
  if (!raw) return null;
  if (!isOrigin(raw)) throw new ConfigError(`${name} must be an origin such as ${example} (scheme and host, no path)`);
  return raw;
}
