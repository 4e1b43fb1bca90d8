import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';

/** The header every non-GET console call must carry: a cross-site form or a simple fetch cannot add it. */
export const CSRF_HEADER = 'x-tollgate-console';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export interface Transport {
  /** Cookie gets `__Host-` and Secure: TLS, or a loopback address (browsers treat it as secure). */
  secure: boolean;
  /** Served over plain HTTP to something other than this machine: the console shows a banner. */
  insecure: boolean;
  /** The only Origin a state-changing console call may come from. */
  origin: string;
}

/**
 * How this request reached us. PUBLIC_URL, when set, decides; otherwise the request's own
 * scheme and host (X-Forwarded-Proto/-Host count only with TRUST_PROXY, via Fastify's trustProxy).
 */
export function transport(config: Pick<Config, 'publicUrl'>, request: FastifyRequest): Transport {
  if (config.publicUrl) {
    const url = new URL(config.publicUrl);
    const tls = url.protocol === 'https:';
    const loopback = LOOPBACK.test(url.hostname);
    return { secure: tls || loopback, insecure: !tls && !loopback, origin: url.origin };
  }
  const tls = request.protocol === 'https';
  const host = request.host;
  const hostname = host.replace(/:\d+$/, '');
  const loopback = LOOPBACK.test(hostname);
  return { secure: tls || loopback, insecure: !tls && !loopback, origin: `${request.protocol}://${host}` };
}

export function cookieName(t: Transport): string {
  return t.secure ? '__Host-tollgate_console' : 'tollgate_console';
}

/** Set-Cookie for a session token (or, with `null`, one that deletes it). */
export function sessionCookie(t: Transport, token: string | null, maxAgeSeconds: number): string {
  const parts = [`${cookieName(t)}=${token ?? ''}`, 'HttpOnly', 'SameSite=Strict'];
  // __Host- demands Path=/ and Secure; the plain cookie is narrowed to the console's paths.
  parts.push(t.secure ? 'Path=/' : 'Path=/console');
  if (t.secure) parts.push('Secure');
  parts.push(`Max-Age=${token ? maxAgeSeconds : 0}`);
  return parts.join('; ');
}

/** The session token from the Cookie header, read under the one name this transport uses. */
export function readSessionToken(t: Transport, request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  const name = cookieName(t);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** Headers on everything under /console: no framing, no sniffing, no referrer, only our own scripts. */
export function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONSOLE_CSP);
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
}
