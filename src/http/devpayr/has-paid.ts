import type { IncomingMessage } from 'node:http';
import type { Context } from '../../context.js';
import { DomainError, type ErrorKind } from '../../core/errors.js';
import { deliverableInjectables } from '../../core/injectables/delivery.js';
import type { Pass, Refusal, RefusalOutcome, RuntimeCheckInput, Verdict } from '../../core/runtime/index.js';

/**
 * The has-paid answer of the devpayr face, shared by its route (runtime.ts) and its fast
 * lane (runtime-lane.ts), so that the two cannot answer differently: the input read from a
 * request, the status of each refusal, the envelope of a pass.
 */

/** The face's status for each refusal of the core (the only place they are mapped). */
export const REFUSAL_STATUS: Record<RefusalOutcome, 400 | 401 | 403 | 429> = {
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
  DEVICE_NOT_ACTIVATED: 403,
  BAD_DEVICE_COMPONENTS: 400,
  DEVICE_MISMATCH: 403,
  USAGE_LIMIT: 429,
};
const KIND: Record<400 | 401 | 403 | 429, ErrorKind> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  429: 'rate_limited',
};

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
export function runtimeInput(
  headers: IncomingMessage['headers'],
  ip: string,
  query: unknown,
  body: unknown,
): RuntimeCheckInput {
  return {
    licenseKey: firstHeader(headers['x-license-key']) || field(body, 'license') || field(query, 'license'),
    domain: firstHeader(headers['x-devpayr-domain']) ?? null,
    ip,
    action: field(query, 'action') ?? field(body, 'action'),
    projectId:
      field(body, 'projectId') ?? field(body, 'project_id') ?? field(query, 'projectId') ?? field(query, 'project_id'),
    device: firstHeader(headers['x-device-fingerprint']) ?? null,
    deviceComponents: firstHeader(headers['x-device-components']) ?? null,
  };
}

export function wantsInjectables(query: unknown, body: unknown): boolean {
  const include = field(query, 'include') ?? field(body, 'include');
  return include?.split(',').some((s) => s.trim() === 'injectables') ?? false;
}

/** A refusal as the face's error (DevPayr envelope with its message). */
function refusalError(check: Refusal): DomainError {
  return new DomainError(
    KIND[REFUSAL_STATUS[check.outcome]],
    check.outcome.toLowerCase(),
    check.message,
    [],
    check.retryAfterSeconds,
  );
}

export function passOrThrow(check: Verdict): Pass {
  if (check.valid) return check;
  throw refusalError(check);
}

export function paidMessage(paid: boolean): string {
  return paid ? 'This project has been paid for.' : 'This project has not been paid for.';
}

/** The has-paid envelope of a passing check; property order is the response schema's. */
export function hasPaidEnvelope(check: Pass, injectables?: Awaited<ReturnType<typeof deliverableInjectables>>) {
  const data = {
    has_paid: check.hasPaid,
    project_id: check.projectId,
    domain: check.identifier,
    ...(injectables ? { injectables } : {}),
  };
  return { status: 'success' as const, message: paidMessage(check.hasPaid), data, errors: null };
}

/** The has-paid answer, with the project's injectables when asked for and paid. */
export async function hasPaidAnswer(ctx: Context, check: Pass, injectables: boolean) {
  return hasPaidEnvelope(
    check,
    check.hasPaid && injectables ? await deliverableInjectables(ctx, check.projectId, true) : undefined,
  );
}

/** A body the fast lane read and handed over: the route parses it as if it came off the socket. */
export const REPLAY = Symbol('tollgate.replayBody');
export type Replayable = IncomingMessage & { [REPLAY]?: Buffer };
