import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import secureJson from 'secure-json-parse';
import type { Context } from '../../context.js';
import { checkLicense, type Pass, type Verdict } from '../../core/runtime/index.js';
import { clientAddress, type TrustProxy } from '../client-address.js';
import { RUNTIME_CORS_HEADERS } from '../cors.js';
import { envelopeError } from './errors.js';
import {
  hasPaidAnswer,
  hasPaidEnvelope,
  REFUSAL_STATUS,
  REPLAY,
  runtimeInput,
  wantsInjectables,
  type Replayable,
} from './has-paid.js';

/**
 * The has-paid fast lane. Contract:
 * - It answers `POST /api/v1/project/has-paid` before Fastify's router, because for the call
 *   every delivered install makes the router's routing, hooks and serializer cost more than
 *   the check itself.
 * - It answers exactly as the route (runtime.ts) would: status, body and headers, bar the
 *   request id's value. Both read the input, map refusals and shape the envelope through
 *   has-paid.ts; test/devpayr/runtime-lane.test.ts sends each case both ways and compares.
 * - It takes only what it can read as plainly as the route: anything else (another method
 *   or path, a query or body it does not read plainly, a large or chunked body) goes to the
 *   router untouched, or with the body it already read replayed (REPLAY).
 * - It is installed through Fastify's serverFactory (runtimeLaneServer, from app.ts), and
 *   left out when request logging is on, so that every request is logged.
 */

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
    if (
      req.method !== 'POST' ||
      !url.startsWith(HAS_PAID) ||
      (url.length > HAS_PAID.length && url[HAS_PAID.length] !== '?') ||
      req.headers['accept-signature'] !== undefined
    )
      return router(req, res);
    const query = laneQuery(url.length > HAS_PAID.length ? url.slice(HAS_PAID.length + 1) : '');
    const headers = req.headers;
    const length = headers['content-length'];
    const type = headers['content-type'];
    const bodyless = length === undefined ? headers['transfer-encoding'] === undefined : length === '0';
    if (
      query === null ||
      (!bodyless &&
        (length === undefined || Number(length) > LANE_MAX_BODY || type === undefined || !JSON_TYPE.test(type)))
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

function respond(
  ctx: Context,
  id: string,
  query: Record<string, string>,
  body: unknown,
  res: ServerResponse,
  check: Verdict,
): void {
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
 * the same pass object while the same install's checks repeat it, and drops it on any change.
 */
const rendered = new WeakMap<Pass, string>();
function plainAnswerText(check: Pass): string {
  let text = rendered.get(check);
  if (text === undefined) rendered.set(check, (text = JSON.stringify(hasPaidEnvelope(check))));
  return text;
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
  const head = [
    'x-request-id',
    id,
    ...CORS_PAIRS,
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(text)),
  ];
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
