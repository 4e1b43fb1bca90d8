import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import secureJson from 'secure-json-parse';
import { DomainError, type ErrorKind } from '../../core/errors.js';
import { deliverableInjectables } from '../../core/injectables/delivery.js';
import { checkLicense, type RefusalOutcome, type RuntimeCheck, type RuntimeCheckInput } from '../../core/licenses/check-license.js';
import { projectInScope } from '../../core/licenses/project-scope.js';
import type { Context } from '../../context.js';
import { asApiCaller } from '../auth.js';
import { RUNTIME_CORS_HEADERS } from '../cors.js';
import type { Routes } from '../typed.js';
import { envelopeError } from './errors.js';
import { clientAddress, type TrustProxy } from '../client-address.js';

/**
 * The runtime face of the devpayr API: what delivered software calls (has-paid, the
 * injectable stream), open to any browser origin (CORS in ../cors.ts), and the vendor's own
 * has-paid lookup. The common has-paid call is answered by a fast lane in front of the
 * router (runtimeLane below); everything else, and every call the lane does not take, goes
 * through the routes here. Both share the input, the check and the answer.
 */

/** `type: [string, null]` rather than anyOf: the serializer writes it without validating each branch. */
const NullableString = Type.Unsafe<string | null>({ type: ['string', 'null'] });

const DeliveredInjectable = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  title: NullableString,
  type: Type.String(),
  mode: Type.String(),
  target_path: NullableString,
  path: NullableString,
  encrypted_content: Type.String(),
  content: Type.String(),
  signature: Type.String(),
  content_hash: Type.String(),
});

const Envelope = <T extends ReturnType<typeof Type.Object>>(data: T) =>
  Type.Object({ status: Type.Literal('success'), message: Type.String(), data, errors: Type.Null() });

const HasPaidResponse = Envelope(
  Type.Object({
    has_paid: Type.Boolean(),
    project_id: Type.String(),
    domain: NullableString,
    injectables: Type.Optional(Type.Array(DeliveredInjectable)),
  }),
);

const StreamResponse = Envelope(Type.Object({ has_paid: Type.Boolean(), injectables: Type.Array(DeliveredInjectable) }));

const RuntimeQuery = Type.Object({
  license: Type.Optional(Type.String()),
  action: Type.Optional(Type.String()),
  include: Type.Optional(Type.String()),
  projectId: Type.Optional(Type.String()),
  project_id: Type.Optional(Type.String()),
});

/** The face's status for each refusal of the core (the only place they are mapped). */
const REFUSAL_STATUS: Record<RefusalOutcome, 400 | 401 | 403 | 429> = {
  LICENSE_REQUIRED: 401,
  INVALID_LICENSE: 403,
  TOO_MANY_UNKNOWN_KEYS: 429,
  REVOKED: 403,
  EXPIRED: 403,
  PROJECT_MISMATCH: 403,
  PROJECT_INACTIVE: 403,
  DOMAIN_REQUIRED: 400,
  BAD_DOMAIN: 400,
  DOMAIN_MISMATCH: 403,
  DOMAIN_INACTIVE: 403,
  TEST_LICENSE_DOMAIN: 403,
  ENVIRONMENT_MISMATCH: 403,
  DOMAIN_LIMIT: 403,
  SUBDOMAIN_LIMIT: 403,
  IP_NOT_ALLOWED: 403,
  COUNTRY_UNVERIFIABLE: 403,
  USAGE_LIMIT: 429,
};
const KIND: Record<400 | 401 | 403 | 429, ErrorKind> = { 400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 429: 'rate_limited' };

function field(source: unknown, name: string): string | null {
  if (!source || typeof source !== 'object' || Array.isArray(source)) return null;
  const v = (source as Record<string, unknown>)[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s.trim();
}

/** The license key from X-LICENSE-KEY, else `license` in the body, else in the query. */
function runtimeInput(headers: IncomingMessage['headers'], ip: string, query: unknown, body: unknown): RuntimeCheckInput {
  return {
    licenseKey: firstHeader(headers['x-license-key']) || field(body, 'license') || field(query, 'license'),
    domain: firstHeader(headers['x-devpayr-domain']) ?? null,
    ip,
    action: field(query, 'action') ?? field(body, 'action'),
    projectId: field(body, 'projectId') ?? field(body, 'project_id') ?? field(query, 'projectId') ?? field(query, 'project_id'),
  };
}

function wantsInjectables(query: unknown, body: unknown): boolean {
  const include = field(query, 'include') ?? field(body, 'include');
  return include !== null && include.split(',').some((s) => s.trim() === 'injectables');
}

/** A refusal as the face's error (DevPayr envelope with its message). */
function refusalError(check: Extract<RuntimeCheck, { valid: false }>): DomainError {
  return new DomainError(KIND[REFUSAL_STATUS[check.outcome]], check.outcome.toLowerCase(), check.message, [], check.retryAfterSeconds);
}

export function passOrThrow(check: RuntimeCheck): Extract<RuntimeCheck, { valid: true }> {
  if (check.valid) return check;
  throw refusalError(check);
}

function paidMessage(paid: boolean): string {
  return paid ? 'This project has been paid for.' : 'This project has not been paid for.';
}

/** The has-paid envelope of a passing check; property order is the response schema's. */
function hasPaidEnvelope(check: Extract<RuntimeCheck, { valid: true }>, injectables?: Awaited<ReturnType<typeof deliverableInjectables>>) {
  const data = {
    has_paid: check.hasPaid,
    project_id: check.snapshot.project.id,
    domain: check.identifier,
    ...(injectables ? { injectables } : {}),
  };
  return { status: 'success' as const, message: paidMessage(check.hasPaid), data, errors: null };
}

/** The has-paid answer, with the project's injectables when asked for and paid. */
async function hasPaidAnswer(ctx: Context, check: Extract<RuntimeCheck, { valid: true }>, injectables: boolean) {
  return hasPaidEnvelope(check, check.hasPaid && injectables ? await deliverableInjectables(ctx, check.snapshot.project.id, true) : undefined);
}

function requestInput(request: FastifyRequest): RuntimeCheckInput {
  return runtimeInput(request.headers, request.ip, request.query, request.body);
}

/** A body the fast lane read and handed over: the route parses it as if it came off the socket. */
const REPLAY = Symbol('tollgate.replayBody');
type Replayable = IncomingMessage & { [REPLAY]?: Buffer };

export const runtimeRoutes: Routes = (app, ctx) => {
  const tags = ['devpayr: runtime'];

  app.post(
    '/api/v1/project/has-paid',
    {
      config: { auth: 'license' },
      preParsing: async (request, _reply, payload) => {
        const body = (request.raw as Replayable)[REPLAY];
        return body === undefined ? payload : Readable.from([body]);
      },
      schema: {
        tags,
        summary: 'Runtime check: is this license valid here, and has its project been paid for?',
        querystring: RuntimeQuery,
        response: { 200: HasPaidResponse },
      },
    },
    async (request) => {
      const check = passOrThrow(await checkLicense(ctx, requestInput(request)));
      return hasPaidAnswer(ctx, check, wantsInjectables(request.query, request.body));
    },
  );

  for (const method of ['get', 'post'] as const) {
    app[method](
      '/api/v1/injectable/stream',
      {
        config: { auth: 'license' },
        schema: {
          tags,
          summary: "The license's project's injectables in delivery form (only_if_paid ones only when paid)",
          querystring: RuntimeQuery,
          response: { 200: StreamResponse },
        },
      },
      async (request) => {
        const check = passOrThrow(await checkLicense(ctx, requestInput(request)));
        const injectables = await deliverableInjectables(ctx, check.snapshot.project.id, check.hasPaid);
        return { status: 'success' as const, message: paidMessage(check.hasPaid), data: { has_paid: check.hasPaid, injectables }, errors: null };
      },
    );
  }

  app.get(
    '/api/v1/project/:project/has-paid',
    {
      config: { auth: 'apiKey' },
      schema: {
        tags,
        summary: "The project's paid flag, for the vendor's own tooling",
        params: Type.Object({ project: Type.String() }),
        response: { 200: HasPaidResponse },
      },
    },
    async (request) => {
      const project = await projectInScope(ctx, asApiCaller(request), request.params.project);
      return {
        status: 'success' as const,
        message: paidMessage(project.hasPaid),
        data: { has_paid: project.hasPaid, project_id: project.id, domain: null },
        errors: null,
      };
    },
  );
};

// ---------------------------------------------------------------------------------------
// The fast lane
// ---------------------------------------------------------------------------------------

const HAS_PAID = '/api/v1/project/has-paid';
/** Bodies of has-paid are a few fields; anything larger takes the router (and its body limit). */
const LANE_MAX_BODY = 4096;
const JSON_TYPE = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;
const QUERY_FIELDS = new Set(['license', 'action', 'include', 'projectId', 'project_id']);

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The query of a lane request, or null when the router should read it: only single
 * occurrences of plain `name=value` pairs of the fields the route reads, or of fields it
 * ignores (the clients append some to every call), without a NUL.
 */
const NO_QUERY: Record<string, string> = Object.freeze({});
function laneQuery(search: string): Record<string, string> | null {
  if (search === '') return NO_QUERY;
  const out: Record<string, string> = {};
  if (search.includes('%00') || search.includes('%') || search.includes('+')) return null;
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    if (Object.hasOwn(out, name) || name === '__proto__') return null;
    if (QUERY_FIELDS.has(name) || /^[A-Za-z_]+$/.test(name)) out[name] = value;
    else return null;
  }
  return out;
}

/**
 * The body of a lane request, as the route's JSON parser would read it; `undefined` for no
 * body, NOT_PLAIN when the router should parse it (malformed, NUL, non-UTF-8: its errors
 * are the face's).
 */
const NOT_PLAIN = Symbol('not plain');
const utf8 = new TextDecoder('utf-8', { fatal: true });
const EMPTY_BODY = Object.freeze({});
const EMPTY: Buffer = Buffer.alloc(0);
function laneBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  // What the Node and browser clients send with every check, so it skips the decoder and the parser.
  if (raw.length === 2 && raw[0] === 0x7b && raw[1] === 0x7d) return EMPTY_BODY;
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return NOT_PLAIN;
  }
  if (text.includes('\\u0000')) return NOT_PLAIN;
  let value: unknown;
  try {
    value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    return NOT_PLAIN;
  }
  // A body-less POST from the PHP client arrives as `[]` (devpayr/index.ts does the same).
  return Array.isArray(value) && value.length === 0 ? undefined : value;
}

/**
 * `POST /api/v1/project/has-paid`, answered before the router: the call every delivered
 * install makes, where Fastify's routing, hooks and serializer cost more than the check
 * itself. It keeps what the route does: the request id header, CORS, the check with its
 * statistics and limits, the DevPayr envelope, the statuses of REFUSAL_STATUS, the
 * `Retry-After` of a 429, and a 500 envelope naming the request id. Whatever it does not
 * take (another method or path, a query or body it does not read plainly, a large or
 * chunked body, request logging at debug level) goes to the router untouched, or with the
 * body it already read replayed (REPLAY), so the route answers exactly as before.
 */
export function runtimeLane(ctx: Context, nextId: () => string, router: Listener, trust: TrustProxy | null): Listener {
  return (req, res) => {
    const url = req.url ?? '';
    if (req.method !== 'POST' || !url.startsWith(HAS_PAID) || (url.length > HAS_PAID.length && url[HAS_PAID.length] !== '?') || req.headers['accept-signature'] !== undefined) return router(req, res);
    const query = laneQuery(url.length > HAS_PAID.length ? url.slice(HAS_PAID.length + 1) : '');
    const headers = req.headers;
    const length = headers['content-length'];
    const type = headers['content-type'];
    const bodyless = length === undefined ? headers['transfer-encoding'] === undefined : length === '0';
    if (
      query === null ||
      (!bodyless && (length === undefined || Number(length) > LANE_MAX_BODY || type === undefined || !JSON_TYPE.test(type)))
    ) {
      return router(req, res);
    }
    // At most LANE_MAX_BODY bytes, nearly always in one chunk.
    let raw: Buffer = EMPTY;
    req.on('data', (c: Buffer) => (raw = raw.length === 0 ? c : Buffer.concat([raw, c])));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = laneBody(raw);
      if (body === NOT_PLAIN || raw.length !== Number(length ?? 0)) {
        (req as Replayable)[REPLAY] = raw;
        return router(req, res);
      }
      const id = nextId();
      try {
        answer(ctx, id, query, body, req, res, trust);
      } catch (err) {
        failed(ctx, id, res, err);
      }
    });
  };
}

function answer(
  ctx: Context,
  id: string,
  query: Record<string, string>,
  body: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  trust: TrustProxy | null,
): void {
  const check = checkLicense(ctx, runtimeInput(req.headers, clientAddress(req, trust), query, body));
  if (check instanceof Promise) {
    check.then((c) => respond(ctx, id, query, body, res, c)).catch((err: unknown) => failed(ctx, id, res, err));
    return;
  }
  respond(ctx, id, query, body, res, check);
}

function failed(ctx: Context, id: string, res: ServerResponse, err: unknown): void {
  ctx.log.error({ err, reqId: id }, 'unhandled error');
  send(res, id, 500, JSON.stringify(envelopeError(`Server error (request ${id}).`)));
}

function respond(ctx: Context, id: string, query: Record<string, string>, body: unknown, res: ServerResponse, check: RuntimeCheck): void {
  if (!check.valid) {
    send(res, id, REFUSAL_STATUS[check.outcome], refusalText(check.message), check.retryAfterSeconds);
    return;
  }
  if (check.hasPaid && wantsInjectables(query, body)) {
    hasPaidAnswer(ctx, check, true)
      .then((value) => send(res, id, 200, JSON.stringify(value)))
      .catch((err: unknown) => failed(ctx, id, res, err));
    return;
  }
  send(res, id, 200, plainAnswerText(check));
}

/**
 * The JSON of a passing check without injectables, made once per pass: the core hands back
 * the same pass object while the same install's checks repeat it (RuntimeCheck.rendered).
 */
function plainAnswerText(check: Extract<RuntimeCheck, { valid: true }>): string {
  return (check.rendered ??= JSON.stringify(hasPaidEnvelope(check)));
}

/** Refusal envelopes by message: the messages are a fixed set, but for two that name a limit. */
const refusalTexts = new Map<string, string>();
function refusalText(message: string): string {
  let text = refusalTexts.get(message);
  if (text === undefined) {
    text = JSON.stringify(envelopeError(message));
    if (refusalTexts.size < 256) refusalTexts.set(message, text);
  }
  return text;
}

const CORS_PAIRS = Object.entries(RUNTIME_CORS_HEADERS).flat();

function send(res: ServerResponse, id: string, status: number, text: string, retryAfter?: number): void {
  if (res.headersSent || res.destroyed) return;
  const head = ['x-request-id', id, ...CORS_PAIRS, 'content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(text))];
  if (retryAfter !== undefined && status === 429) head.push('retry-after', String(retryAfter));
  res.writeHead(status, head);
  res.end(text);
}

interface ServerOptions {
  http?: http.ServerOptions | null;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number;
}

/**
 * Fastify's `serverFactory`: the HTTP server Fastify would create (with its timeouts from the
 * Fastify options, which Fastify leaves to a factory), its requests going through the lane
 * when `lane` is on.
 */
export function runtimeLaneServer(ctx: Context, nextId: () => string, lane: boolean, trust: TrustProxy | null) {
  return (router: Listener, options: ServerOptions) => {
    const server = http.createServer(options.http ?? {}, lane ? runtimeLane(ctx, nextId, router, trust) : router);
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}
