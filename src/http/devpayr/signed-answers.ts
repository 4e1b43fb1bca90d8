import type { FastifyRequest } from 'fastify';
import type { Context } from '../../context.js';
import { LicensingErrors } from '../../core/license-files/licensing-errors.js';
import { hashKey } from '../../core/keys/secret-key.js';
import type { SigningKey } from '../../core/signing/key-pair.js';
import { DEFAULT_ASK, parseAcceptSignature, signAnswer, type SignatureAsk } from '../../core/signing/sign-answer.js';
import type { App } from '../typed.js';
import { envelopeError } from './errors.js';

/**
 * The runtime routes whose answers are signed when the request sends Accept-Signature: what
 * delivered software calls. The has-paid fast lane (runtime.ts) leaves such requests to the
 * router, so they all pass here.
 */
export const SIGNED_ROUTES = new Set([
  '/api/v1/project/has-paid',
  '/api/v1/injectable/stream',
  '/api/v1/license/checkout',
  '/api/v1/project/:project/licenses/:license/checkout',
]);

const ASK = Symbol('tollgate.signatureAsk');
type Asking = FastifyRequest & { [ASK]?: SignatureAsk };

function firstString(v: unknown): string | null {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : null;
}

function field(source: unknown, name: string): string | null {
  return source && typeof source === 'object' ? firstString((source as Record<string, unknown>)[name]) : null;
}

/**
 * The key an answer is signed with: its license's project's when the license key names one
 * (whatever the answer says about it); else the project the path or query names; else,
 * concerning no known project, the instance's own key (/.well-known/tollgate/jwks.json).
 */
async function answerKey(ctx: Context, request: FastifyRequest): Promise<SigningKey> {
  const licenseKey =
    firstString(request.headers['x-license-key']) ?? field(request.body, 'license') ?? field(request.query, 'license');
  if (licenseKey !== null) {
    const snapshot = await ctx.runtime.snapshotOf(hashKey(licenseKey)).catch(() => null);
    const key = snapshot ? await ctx.signingKeys.project(snapshot.project.id) : null;
    if (key) return key;
  }
  const named =
    field(request.params, 'project') ?? field(request.query, 'project_id') ?? field(request.query, 'projectId');
  const key = named === null ? null : await ctx.signingKeys.project(named);
  return key ?? ctx.signingKeys.instance();
}

/**
 * Every answer of a signed route to a request with Accept-Signature is signed at the face's
 * edge, once its status and body bytes are final: passes, refusals, validation errors and
 * 429s alike. A request without it costs one header lookup.
 */
export function signedAnswers(app: App, ctx: Context): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers['accept-signature'];
    if (header === undefined || !SIGNED_ROUTES.has(request.routeOptions.url ?? '')) return done();
    const ask = parseAcceptSignature(Array.isArray(header) ? header.join(', ') : header);
    (request as Asking)[ASK] = ask ?? DEFAULT_ASK;
    done(ask ? undefined : LicensingErrors.badAcceptSignature());
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const ask = (request as Asking)[ASK];
    if (ask === undefined) return done(null, payload);
    const body =
      typeof payload === 'string'
        ? Buffer.from(payload)
        : Buffer.isBuffer(payload)
          ? payload
          : payload == null
            ? Buffer.alloc(0)
            : null;
    // These routes answer JSON; a stream here would be a new route's, and is left unsigned rather than buffered.
    if (body === null) return done(null, payload);
    const answer = {
      status: reply.statusCode,
      body,
      method: request.method,
      url: request.url,
      licenseKey: firstString(request.headers['x-license-key']),
    };
    answerKey(ctx, request)
      .then((key) => signAnswer(answer, ask, key, ctx.clock.now()))
      .then(
        (headers) => {
          reply.headers(headers);
          done(null, body);
        },
        // No key to sign with (the database is unreachable): a 500 the client's verifier refuses,
        // in the face's format; an error passed on would reach Fastify's own fallback body.
        (err: unknown) => {
          ctx.log.error({ err, reqId: request.id }, 'could not sign an answer');
          reply.code(500);
          done(null, JSON.stringify(envelopeError(`Server error (request ${request.id}).`)));
        },
      );
  });
}
