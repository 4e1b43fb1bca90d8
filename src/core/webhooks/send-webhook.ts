import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import {
  ForbiddenAddressError,
  guardedLookup,
  hostOf,
  isForbiddenAddress,
  webhookUrlProblem,
} from './endpoint-guard.js';

export interface WebhookMessage {
  /** The event id: `webhook-id`, the same on every attempt. */
  id: string;
  /** The exact body sent (and signed). */
  body: string;
  /** Null: sent unsigned. */
  secret: Buffer | null;
}

export interface AttemptResult {
  attemptedAt: Date;
  statusCode: number | null;
  durationMs: number;
  /** The first KB of the answer. */
  responseBody: string | null;
  error: string | null;
  ok: boolean;
}

const RESPONSE_KEEP = 1024;

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 over `<id>.<timestamp>.<body>`. */
export function signature(secret: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * One attempt: POST the body with the Standard Webhooks headers, follow no redirect, and
 * count it delivered only on a 2xx whose status and first KB arrive within `timeoutMs`.
 * Never throws: every outcome is an AttemptResult.
 */
export function sendWebhook(
  url: string,
  message: WebhookMessage,
  opts: { timeoutMs: number; allowPrivateNetworks: boolean; now: () => Date },
): Promise<AttemptResult> {
  const attemptedAt = opts.now();
  const started = performance.now();
  const done = (statusCode: number | null, responseBody: string | null, error: string | null): AttemptResult => ({
    attemptedAt,
    statusCode,
    durationMs: Math.round(performance.now() - started),
    responseBody,
    error,
    ok: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
  });

  const problem = webhookUrlProblem(url);
  if (problem) return Promise.resolve(done(null, null, problem));
  const target = new URL(url);
  const host = hostOf(target);
  if (!opts.allowPrivateNetworks && net.isIP(host) && isForbiddenAddress(host)) {
    return Promise.resolve(done(null, null, new ForbiddenAddressError(host, host).message));
  }

  const timestamp = Math.floor(attemptedAt.getTime() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Tollgate-Webhooks/1',
    'webhook-id': message.id,
    'webhook-timestamp': String(timestamp),
    'content-length': String(Buffer.byteLength(message.body)),
  };
  if (message.secret) headers['webhook-signature'] = signature(message.secret, message.id, timestamp, message.body);

  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(target, {
      method: 'POST',
      headers,
      agent: false,
      ...(opts.allowPrivateNetworks ? {} : { lookup: guardedLookup }),
    });
    const timer = setTimeout(() => finish(done(null, null, `no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('error', (err) => finish(done(null, null, err.message || String(err))));
    req.on('response', (res) => {
      const status = res.statusCode ?? null;
      const chunks: Buffer[] = [];
      let kept = 0;
      const complete = () => {
        const text = Buffer.concat(chunks).subarray(0, RESPONSE_KEEP).toString('utf8');
        const error =
          status !== null && status >= 300 && status < 400
            ? `redirect to ${res.headers.location ?? '(no location)'} not followed`
            : null;
        finish(done(status, text, error));
      };
      res.on('data', (chunk: Buffer) => {
        if (kept < RESPONSE_KEEP) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        if (kept >= RESPONSE_KEEP) complete();
      });
      res.on('end', complete);
      res.on('error', (err) => finish(done(status, null, err.message)));
    });
    req.end(message.body);
  });
}
