import net from 'node:net';
import path from 'node:path';
import {
  bool,
  ConfigError,
  days,
  duration,
  durations,
  int,
  isOrigin,
  oneOf,
  origin,
  seconds,
  urlOf,
  type Env,
} from './config-values.js';
import { packageVersion } from './lib/version.js';

export { ConfigError, parseDuration } from './config-values.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  database: { dialect: Dialect; url: string | null; sqliteFile: string };
  redisUrl: string | null;
  /** CORS_ORIGINS: the origins the devkit face allows (comma-separated); null = any origin. */
  corsOrigins: string[] | null;
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
  /** HEAP_GROWING_PERCENT: how far V8 lets the heap grow past live data before a full collection (0: V8's own choice). */
  heapGrowingPercent: number;
  bodyLimitBytes: number;
  /** Socket limits against idle and slow (slowloris) clients, in milliseconds. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** How often a serving process announces license expiries (license.expired events). */
  expirySweepSeconds: number;
  /** LICENSE_CHECKOUTS_PER_DAY: offline license files per license per 24 hours. */
  licenseCheckoutsPerDay: number;
  /** DEVICE_CHANGES_PER_DAY: device activations plus deactivations per license per 24 hours. */
  deviceChangesPerDay: number;
  generations: GenerationConfig;
  /** Argon2 memory cost in KiB; lowered only by tests. */
  passwordHashMemoryKib: number;
  /** Where browsers reach this server (PUBLIC_URL), e.g. https://tollgate.example.com; decides the console cookie and Origin. */
  publicUrl: string | null;
  /** TRUST_PROXY: believe X-Forwarded-For/-Proto from the proxy in front (true, a hop count, or addresses). */
  trustProxy: boolean | number | string;
  console: {
    /** A console session ends after this long without a request. */
    idleSeconds: number;
    /** ... and this long after sign-in, whatever happens. */
    absoluteSeconds: number;
  };
  webhooks: WebhookConfig;
  /** Audit entries older than this are pruned in the background. */
  auditRetentionDays: number;
  /** Finished webhook deliveries (delivered or failed) and their attempt log are pruned this long after their last attempt. */
  webhookLogRetentionDays: number;
  stripe: {
    /** Where the Stripe client sends its requests; null means Stripe's own API. */
    api: { protocol: 'http' | 'https'; host: string; port: number } | null;
    /** Budget of one operation's Stripe calls, retries included; past it the caller gets a 502. */
    timeoutMs: number;
  };
  version: string;
}

export interface WebhookConfig {
  /** Delays before the 2nd, 3rd ... attempt (ms); after the last one fails the delivery is `failed`. */
  retrySchedule: number[];
  /** An attempt not answered (status and first KB) within this is a failure. */
  timeoutMs: number;
  /** An endpoint failing this long without one success is disabled. */
  disableAfterMs: number;
  /** Deliver to loopback, private and link-local addresses (self-hosted set-ups, tests). */
  allowPrivateNetworks: boolean;
  /** How often each process looks for due deliveries. */
  pollMs: number;
}

export type ProviderName = 'local' | 'replicate' | 'openai';

export interface GenerationConfig {
  provider: ProviderName;
  /** webhookWaitMs: with PUBLIC_URL, how long a job waits for Replicate's webhook before it also polls. */
  replicate: { token: string | null; model: string; baseUrl: string; webhookWaitMs: number };
  openai: { apiKey: string | null; baseUrl: string | null; model: string };
  /** Per request to a provider (and per download of its result). */
  providerTimeoutMs: number;
  /** Jobs one process runs at once (GENERATION_CONCURRENCY). */
  concurrency: number;
  leaseSeconds: number;
  maxAttempts: number;
  /** First retry delay; each further attempt doubles it. */
  retryBaseMs: number;
  pollMs: number;
  anonymousPerDay: number;
  /** S3-compatible blob store when S3_BUCKET is set; local files under DATA_DIR otherwise. */
  s3: {
    bucket: string;
    endpoint: string | null;
    region: string;
    accessKeyId: string | null;
    secretAccessKey: string | null;
    forcePathStyle: boolean;
  } | null;
  /** Lifetime of a private image's signed URL. */
  signedUrlSeconds: number;
  /** Base of absolute URLs handed out (image URLs, Replicate webhooks); the request's host when null. */
  publicUrl: string | null;
}

const DEFAULT_REPLICATE_MODEL = 'stability-ai/sdxl:39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b';

function generationConfig(env: Env, publicUrl: string | null): GenerationConfig {
  const provider = (env.GENERATION_PROVIDER?.trim() || 'local') as ProviderName;
  if (!['local', 'replicate', 'openai'].includes(provider)) {
    throw new ConfigError(`GENERATION_PROVIDER must be local, replicate or openai, got "${env.GENERATION_PROVIDER}"`);
  }
  const replicateToken = env.REPLICATE_API_TOKEN?.trim() || null;
  const openaiKey = env.OPENAI_API_KEY?.trim() || null;
  if (provider === 'replicate' && !replicateToken)
    throw new ConfigError('GENERATION_PROVIDER=replicate needs REPLICATE_API_TOKEN');
  if (provider === 'openai' && !openaiKey) throw new ConfigError('GENERATION_PROVIDER=openai needs OPENAI_API_KEY');
  const bucket = env.S3_BUCKET?.trim() || null;
  const s3 = {
    endpoint: env.S3_ENDPOINT?.trim() || null,
    region: env.S3_REGION?.trim() || 'us-east-1',
    accessKeyId: env.S3_ACCESS_KEY_ID?.trim() || null,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY?.trim() || null,
    forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE') ?? Boolean(env.S3_ENDPOINT?.trim()),
  };
  return {
    provider,
    replicate: {
      token: replicateToken,
      model: env.REPLICATE_MODEL?.trim() || DEFAULT_REPLICATE_MODEL,
      baseUrl: env.REPLICATE_BASE_URL?.trim() || 'https://api.replicate.com/v1',
      webhookWaitMs: duration(env, 'REPLICATE_WEBHOOK_WAIT_SECONDS', 60, 0),
    },
    openai: {
      apiKey: openaiKey,
      baseUrl: env.OPENAI_BASE_URL?.trim() || null,
      model: env.OPENAI_IMAGE_MODEL?.trim() || 'gpt-image-1',
    },
    providerTimeoutMs: duration(env, 'GENERATION_PROVIDER_TIMEOUT_SECONDS', 300, 1),
    concurrency: int(env, 'GENERATION_CONCURRENCY', 4, 0),
    leaseSeconds: seconds(duration(env, 'GENERATION_LEASE_SECONDS', 60, 1)),
    maxAttempts: int(env, 'GENERATION_MAX_ATTEMPTS', 3, 1),
    retryBaseMs: duration(env, 'GENERATION_RETRY_BASE_MS', 2000, 0),
    pollMs: duration(env, 'GENERATION_POLL_MS', 500, 10),
    anonymousPerDay: int(env, 'ANONYMOUS_GENERATIONS_PER_DAY', 10, 0),
    s3: bucket ? { bucket, ...s3 } : null,
    signedUrlSeconds: seconds(duration(env, 'GENERATION_URL_TTL_SECONDS', 3600, 1)),
    publicUrl,
  };
}

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
  'LICENSE_CHECKOUTS_PER_DAY',
  'DEVICE_CHANGES_PER_DAY',
  'PASSWORD_HASH_MEMORY_KIB',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'HEAP_GROWING_PERCENT',
  'PUBLIC_URL',
  'STRIPE_API_URL',
  'STRIPE_TIMEOUT_MS',
  'TEST_DATABASE_URL',
  'TEST_REDIS_URL',
  'TRUST_PROXY',
  'CONSOLE_IDLE_MINUTES',
  'CONSOLE_SESSION_HOURS',
  'WEBHOOK_RETRY_SCHEDULE',
  'WEBHOOK_TIMEOUT',
  'WEBHOOK_DISABLE_AFTER',
  'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
  'WEBHOOK_POLL_INTERVAL',
  'AUDIT_RETENTION_DAYS',
  'WEBHOOK_LOG_RETENTION_DAYS',
  'ANONYMOUS_GENERATIONS_PER_DAY',
  'CORS_ORIGINS',
  'GENERATION_CONCURRENCY',
  'GENERATION_LEASE_SECONDS',
  'GENERATION_MAX_ATTEMPTS',
  'GENERATION_POLL_MS',
  'GENERATION_PROVIDER',
  'GENERATION_PROVIDER_TIMEOUT_SECONDS',
  'GENERATION_RETRY_BASE_MS',
  'GENERATION_URL_TTL_SECONDS',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_IMAGE_MODEL',
  'REPLICATE_API_TOKEN',
  'REPLICATE_BASE_URL',
  'REPLICATE_MODEL',
  'REPLICATE_WEBHOOK_WAIT_SECONDS',
  'S3_ACCESS_KEY_ID',
  'S3_BUCKET',
  'S3_ENDPOINT',
  'S3_FORCE_PATH_STYLE',
  'S3_REGION',
  'S3_SECRET_ACCESS_KEY',
] as const;

export type EnvVar = (typeof ENV_VARS)[number];

/** Reads the process environment once, keeping only the variables of ENV_VARS; everything else takes a Config. */
export function readEnv(env: Env = process.env): Partial<Record<EnvVar, string>> {
  const picked: Partial<Record<EnvVar, string>> = {};
  for (const name of ENV_VARS) if (env[name] !== undefined) picked[name] = env[name];
  return picked;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** HOST: an IP address or a host name; a dotted quad that is no IPv4 address (999.1.1.1) is refused here, not at listen. */
function host(env: Env): string {
  const raw = env.HOST?.trim();
  if (!raw) return '0.0.0.0';
  const hostname =
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(raw) && !/^[\d.]+$/.test(raw);
  if (!net.isIP(raw) && !hostname) throw new ConfigError(`HOST must be an IP address or a host name, got "${raw}"`);
  return raw;
}

/** CORS_ORIGINS: `https://a.example, https://b.example`; empty or `*` = any origin. */
function origins(raw: string | undefined): string[] | null {
  const list = (raw ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  if (list.length === 0 || list.includes('*')) return null;
  for (const o of list) {
    if (!isOrigin(o)) throw new ConfigError(`CORS_ORIGINS must list origins like https://app.example.com, got "${o}"`);
  }
  return list;
}

function httpTimeouts(env: Env): Config['http'] {
  const headers = duration(env, 'HTTP_HEADERS_TIMEOUT_SECONDS', 10, 1);
  const request = duration(env, 'HTTP_REQUEST_TIMEOUT_SECONDS', 30, 1);
  if (headers > request) {
    throw new ConfigError(
      `HTTP_HEADERS_TIMEOUT_SECONDS (${headers / 1000}) may not exceed HTTP_REQUEST_TIMEOUT_SECONDS (${request / 1000})`,
    );
  }
  return {
    headersTimeoutMs: headers,
    requestTimeoutMs: request,
    keepAliveTimeoutMs: duration(env, 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS', 65, 1),
  };
}

export function toConfig(env: Env): Config {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const url = env.DATABASE_URL?.trim() || null;
  let dialect: Dialect = 'sqlite';
  if (url) {
    if (/^postgres(ql)?:\/\//.test(url)) dialect = 'postgres';
    else if (!/^(sqlite|file):/.test(url)) {
      throw new ConfigError(
        'DATABASE_URL must start with postgres:// or sqlite: (leave it unset for the embedded SQLite database)',
      );
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

  const smtpUrl = urlOf(env, 'SMTP_URL', ['smtp:', 'smtps:'], 'smtp://user:pass@mail.example.com:587', { echo: false })
    ? env.SMTP_URL!.trim()
    : null;

  const publicUrl = origin(env, 'PUBLIC_URL', 'https://tollgate.example.com');
  const proxyRaw = env.TRUST_PROXY?.trim() ?? '';
  const trustProxy: boolean | number | string = /^\d+$/.test(proxyRaw)
    ? Number(proxyRaw)
    : proxyRaw === ''
      ? false
      : /^(true|false|yes|no|on|off)$/i.test(proxyRaw)
        ? bool(env, 'TRUST_PROXY')!
        : proxyRaw;
  const verification = bool(env, 'REQUIRE_EMAIL_VERIFICATION');

  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: host(env),
    dataDir,
    database: { dialect, url, sqliteFile },
    redisUrl: env.REDIS_URL?.trim() || null,
    corsOrigins: origins(env.CORS_ORIGINS),
    secret,
    operator: operatorEmail && operatorKey ? { email: operatorEmail, key: operatorKey } : null,
    smtpUrl,
    mailFrom: env.MAIL_FROM?.trim() || 'Tollgate <no-reply@localhost>',
    requireEmailVerification: verification ?? smtpUrl !== null,
    accessTokenTtlSeconds: seconds(duration(env, 'ACCESS_TOKEN_EXPIRE_MINUTES', 30, 1)),
    refreshTokenTtlSeconds: seconds(duration(env, 'REFRESH_TOKEN_EXPIRE_DAYS', 7, 1)),
    rateLimit: bool(env, 'RATE_LIMIT') ?? true,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['auto', 'json', 'pretty'] as const, 'auto'),
    heapGrowingPercent: int(env, 'HEAP_GROWING_PERCENT', 25, 0),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024),
    http: httpTimeouts(env),
    expirySweepSeconds: seconds(duration(env, 'LICENSE_EXPIRY_SWEEP_SECONDS', 30, 1)),
    licenseCheckoutsPerDay: int(env, 'LICENSE_CHECKOUTS_PER_DAY', 20, 1),
    deviceChangesPerDay: int(env, 'DEVICE_CHANGES_PER_DAY', 10, 1),
    generations: generationConfig(env, publicUrl),
    passwordHashMemoryKib: int(env, 'PASSWORD_HASH_MEMORY_KIB', 19456, 1024),
    publicUrl,
    trustProxy,
    console: {
      idleSeconds: seconds(duration(env, 'CONSOLE_IDLE_MINUTES', 30, 1)),
      absoluteSeconds: seconds(duration(env, 'CONSOLE_SESSION_HOURS', 12, 1)),
    },
    webhooks: {
      retrySchedule: durations(env, 'WEBHOOK_RETRY_SCHEDULE', '5s,5m,30m,2h,5h,10h,10h'),
      timeoutMs: duration(env, 'WEBHOOK_TIMEOUT', '10s'),
      disableAfterMs: duration(env, 'WEBHOOK_DISABLE_AFTER', '5d'),
      allowPrivateNetworks: bool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS') ?? false,
      pollMs: duration(env, 'WEBHOOK_POLL_INTERVAL', '250ms'),
    },
    auditRetentionDays: days(duration(env, 'AUDIT_RETENTION_DAYS', 365, 1)),
    webhookLogRetentionDays: days(duration(env, 'WEBHOOK_LOG_RETENTION_DAYS', 30, 1)),
    stripe: { api: stripeApi(env), timeoutMs: duration(env, 'STRIPE_TIMEOUT_MS', 30_000, 100) },
    version: packageVersion(),
  };
}

function stripeApi(env: Env): Config['stripe']['api'] {
  const u = urlOf(env, 'STRIPE_API_URL', ['http:', 'https:'], 'http://127.0.0.1:12111');
  if (!u) return null;
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  return {
    protocol,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : protocol === 'http' ? 80 : 443,
  };
}
