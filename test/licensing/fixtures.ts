import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { forEachDatabase, startServer, type DbKind, type ServerOptions, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';

export { forEachDatabase };

/** A server whose clock the test moves forward (`later`): rotation grace, signature age, file expiry. */
export interface LicensingServer extends TestServer {
  dev: SeededDeveloper;
  later(ms: number): void;
  /** A project of `dev`, created over the API. */
  project(body?: Record<string, unknown>): Promise<string>;
  /** A license of the project, created over the API: its id and its key. */
  license(projectId: string, body?: Record<string, unknown>): Promise<{ id: string; key: string }>;
  jwks(projectId?: string): Promise<{ keys: Array<Record<string, string>> }>;
}

export async function startLicensingServer(kind: DbKind, options: ServerOptions = {}): Promise<LicensingServer> {
  const s = await startServer(kind, { ...options, env: { RATE_LIMIT: 'false', ...options.env } });
  let offset = 0;
  s.ctx.clock = { now: () => new Date(Date.now() + offset) };
  const dev = await seedDeveloper(s.ctx, { tier: 'cloud_premium' });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await s.request(method, path, { headers: dev.apiKeyHeaders, ...(body === undefined ? {} : { body }) });
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return res.body.data;
  };
  return Object.assign(s, {
    dev,
    later: (ms: number) => void (offset += ms),
    project: async (body: Record<string, unknown> = {}) =>
      (await api('POST', '/api/v1/project', { name: `P ${randomBytes(4).toString('hex')}`, has_paid: true, ...body }))
        .id as string,
    license: async (projectId: string, body: Record<string, unknown> = {}) => {
      const l = await api('POST', `/api/v1/project/${projectId}/licenses`, {
        title: `L ${randomBytes(4).toString('hex')}`,
        ...body,
      });
      return { id: l.id as string, key: l.uuid as string };
    },
    jwks: async (projectId?: string) => {
      const res = await s.request(
        'GET',
        projectId ? `/.well-known/tollgate/${projectId}/jwks.json` : '/.well-known/tollgate/jwks.json',
      );
      expect(res.status, res.text).toBe(200);
      return res.body;
    },
  });
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
  json: any;
}

/** A request as the verifiers see it: the full URL and the headers sent. */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** Sends a request asking for a signed answer (a fresh nonce unless given) and keeps the body's exact bytes. */
export async function askSigned(
  s: TestServer,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: unknown; nonce?: string; accept?: string } = {},
): Promise<{ answer: RawAnswer; request: SentRequest; nonce: string }> {
  const nonce = opts.nonce ?? randomBytes(12).toString('base64url');
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-signature': opts.accept ?? `sig1=("@status" "content-digest");nonce="${nonce}"`,
    ...opts.headers,
  };
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  const url = s.url + path;
  const res = await fetch(url, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const body = Buffer.from(await res.arrayBuffer());
  let json: unknown = null;
  try {
    json = JSON.parse(body.toString());
  } catch {
    /* not JSON */
  }
  return { answer: { status: res.status, headers: res.headers, body, json }, request: { method, url, headers }, nonce };
}
