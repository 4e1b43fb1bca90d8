import path from 'node:path';

export type Dialect = 'sqlite' | 'postgres';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: { dialect: Dialect; url: string | null; sqliteFile: string };
  redisUrl: string | null;
  /** Explicit server secret; when null, one is generated into the data directory. */
  secret: string | null;
  operator: { email: string; key: string } | null;
  smtpUrl: string | null;
  mailFrom: string;
  requireEmailVerification: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  rateLimit: boolean;
  logLevel: string;
  /** `auto`: readable lines when stdout is a terminal, JSON otherwise. */
  logFormat: 'auto' | 'json' | 'pretty';
  bodyLimitBytes: number;
  /** Socket limits against idle and slow (slowloris) clients, in milliseconds. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** How often a serving process announces license expiries (license.expired events). */
  expirySweepSeconds: number;
  /** Argon2 memory cost in KiB; lowered only by tests. */
  passwordHashMemoryKib: number;
  /** Where this server is reached from outside (webhook URLs handed to Stripe are built from it). */
  publicUrl: string;
  stripe: {
    /** Where the Stripe client sends its requests; null means Stripe's own API. */
    api: { protocol: 'http' | 'https'; host: string; port: number } | null;
    /** Budget of one operation's Stripe calls, retries included; past it the caller gets a 502. */
    timeoutMs: number;
  };
  version: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/**
 * Every environment variable Tollgate reads: the one list, and the README's Configuration
 * table lists exactly these (a test holds the two together). TEST_* are read by the test
 * harness only, through readEnv like the rest.
 */
export const ENV_VARS = [
  'PORT',
  'HOST',
  'DATA_DIR',
  'DATABASE_URL',
  'REDIS_URL',
  'TOLLGATE_SECRET',
  'TOLLGATE_OPERATOR_EMAIL',
  'TOLLGATE_OPERATOR_KEY',
  'SMTP_URL',
  'MAIL_FROM',
  'REQUIRE_EMAIL_VERIFICATION',
  'ACCESS_TOKEN_EXPIRE_MINUTES',
  'REFRESH_TOKEN_EXPIRE_DAYS',
  'RATE_LIMIT',
  'BODY_LIMIT_BYTES',
  'HTTP_HEADERS_TIMEOUT_SECONDS',
  'HTTP_REQUEST_TIMEOUT_SECONDS',
  'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS',
  'LICENSE_EXPIRY_SWEEP_SECONDS',
  'PASSWORD_HASH_MEMORY_KIB',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'PUBLIC_URL',
  'STRIPE_API_URL',
  'STRIPE_TIMEOUT_MS',
  'TEST_DATABASE_URL',
  'TEST_REDIS_URL',
] as const;

export type EnvVar = (typeof ENV_VARS)[number];

/** Reads the process environment once, keeping only the variables of ENV_VARS; everything else takes a Config. */
export function readEnv(env: Env = process.env): Partial<Record<EnvVar, string>> {
  const picked: Partial<Record<EnvVar, string>> = {};
  for (const name of ENV_VARS) if (env[name] !== undefined) picked[name] = env[name];
  return picked;
}

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${env[name]}"`);
  return raw as T;
}

function bool(env: Env, name: string): boolean | null {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return null;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function httpTimeouts(env: Env): Config['http'] {
  const headers = int(env, 'HTTP_HEADERS_TIMEOUT_SECONDS', 10, 1);
  const request = int(env, 'HTTP_REQUEST_TIMEOUT_SECONDS', 30, 1);
  if (headers > request) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT_SECONDS (${headers}) may not exceed HTTP_REQUEST_TIMEOUT_SECONDS (${request})`);
  }
  return {
    headersTimeoutMs: headers * 1000,
    requestTimeoutMs: request * 1000,
    keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS', 65, 1) * 1000,
  };
}

export function toConfig(env: Env): Config {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const url = env.DATABASE_URL?.trim() || null;
  let dialect: Dialect = 'sqlite';
  if (url) {
    if (/^postgres(ql)?:\/\//.test(url)) dialect = 'postgres';
    else if (!/^(sqlite|file):/.test(url)) {
      throw new ConfigError('DATABASE_URL must start with postgres:// or sqlite: (leave it unset for the embedded SQLite database)');
    }
  }
  const sqliteFile =
    url && dialect === 'sqlite' ? url.replace(/^(sqlite|file):(\/\/)?/, '') : path.join(dataDir, 'tollgate.sqlite');

  const operatorEmail = env.TOLLGATE_OPERATOR_EMAIL?.trim();
  const operatorKey = env.TOLLGATE_OPERATOR_KEY?.trim();
  if (!!operatorEmail !== !!operatorKey) {
    throw new ConfigError('TOLLGATE_OPERATOR_EMAIL and TOLLGATE_OPERATOR_KEY must be set together');
  }
  if (operatorKey && operatorKey.length < 24) {
    throw new ConfigError('TOLLGATE_OPERATOR_KEY must be at least 24 characters long');
  }

  const secret = env.TOLLGATE_SECRET?.trim() || null;
  if (secret && secret.length < 32) throw new ConfigError('TOLLGATE_SECRET must be at least 32 characters long');

  const smtpUrl = env.SMTP_URL?.trim() || null;
  const verification = bool(env, 'REQUIRE_EMAIL_VERIFICATION');

  const port = int(env, 'PORT', 8080);
  return {
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    dataDir,
    database: { dialect, url, sqliteFile },
    redisUrl: env.REDIS_URL?.trim() || null,
    secret,
    operator: operatorEmail && operatorKey ? { email: operatorEmail, key: operatorKey } : null,
    smtpUrl,
    mailFrom: env.MAIL_FROM?.trim() || 'Tollgate <no-reply@localhost>',
    requireEmailVerification: verification ?? smtpUrl !== null,
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_EXPIRE_MINUTES', 30, 1) * 60,
    refreshTokenTtlSeconds: int(env, 'REFRESH_TOKEN_EXPIRE_DAYS', 7, 1) * 86400,
    rateLimit: bool(env, 'RATE_LIMIT') ?? true,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    logFormat: oneOf(env, 'LOG_FORMAT', ['auto', 'json', 'pretty'] as const, 'auto'),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024),
    http: httpTimeouts(env),
    expirySweepSeconds: int(env, 'LICENSE_EXPIRY_SWEEP_SECONDS', 30, 1),
    passwordHashMemoryKib: int(env, 'PASSWORD_HASH_MEMORY_KIB', 19456, 1024),
    publicUrl: publicUrl(env, port),
    stripe: { api: stripeApi(env), timeoutMs: int(env, 'STRIPE_TIMEOUT_MS', 30_000, 100) },
    version: '0.1.0',
  };
}

function publicUrl(env: Env, port: number): string {
  const raw = env.PUBLIC_URL?.trim();
  if (!raw) return `http://localhost:${port}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`PUBLIC_URL must be an http(s) URL, got "${raw}"`);
  return (u.origin + u.pathname).replace(/\/+$/, '');
}

function stripeApi(env: Env): Config['stripe']['api'] {
  const raw = env.STRIPE_API_URL?.trim();
  if (!raw) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`STRIPE_API_URL must be an http(s) URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`STRIPE_API_URL must be an http(s) URL, got "${raw}"`);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  return { protocol, host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : protocol === 'http' ? 80 : 443 };
}
