import { EventEmitter } from 'node:events';
import type { Context, ProviderCallbacks } from '../../context.js';
import type { Db } from '../../db/database.js';
import type { GenerationConfig } from '../../config.js';
import { isUuid } from '../../lib/ids.js';
import { BadRequest, NotFound } from '../errors.js';

/** Standard Webhooks' tolerance: a signature older (or further ahead) than this is a replay. */
const TOLERANCE_SECONDS = 5 * 60;

export function callbackPath(generationId: string): string {
  return `/api/v1/generation/replicate-webhook/${generationId}`;
}

/**
 * The inbox of provider callbacks: the webhook route (in any process) stores a verified
 * callback on the generation's row; the job waiting for it (in any process) reads it there,
 * woken at once when both are the same process and looking again every poll otherwise.
 */
export function providerCallbacks(db: Db, g: Pick<GenerationConfig, 'publicUrl'>): ProviderCallbacks {
  const arrivals = new EventEmitter();
  arrivals.setMaxListeners(0);
  return {
    url: (generationId) => (g.publicUrl ? g.publicUrl + callbackPath(generationId) : null),
    async read(generationId, jobId) {
      const row = await db
        .selectFrom('generations')
        .select('provider_callback')
        .where('id', '=', generationId)
        .executeTakeFirst();
      if (!row?.provider_callback) return null;
      const called = JSON.parse(row.provider_callback) as Record<string, unknown>;
      return called.id === jobId ? called : null;
    },
    wait(generationId, ms, signal) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          arrivals.off(generationId, done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        arrivals.on(generationId, done);
        signal.addEventListener('abort', done, { once: true });
      });
    },
    arrived: (generationId) => void arrivals.emit(generationId),
  };
}

export interface CallbackHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export interface SignedCallback extends CallbackHeaders {
  rawBody: Buffer;
}

type CallbackCtx = Pick<Context, 'db' | 'clock' | 'config' | 'provider' | 'providerCallbacks'>;

/** What can be refused before the body: the route off (404), a signature header missing or stale (400). */
function checkHeaders(ctx: CallbackCtx, delivery: CallbackHeaders) {
  const verify = ctx.provider.verifyCallback?.bind(ctx.provider);
  if (!verify || !ctx.config.generations.publicUrl) throw NotFound('webhook');
  if (!delivery.id || !delivery.timestamp || !delivery.signature) {
    throw BadRequest('signature_missing', 'Missing webhook-id, webhook-timestamp or webhook-signature header');
  }
  const sentAt = Number(delivery.timestamp);
  const now = ctx.clock.now().getTime() / 1000;
  if (!/^\d{1,12}$/.test(delivery.timestamp) || Math.abs(now - sentAt) > TOLERANCE_SECONDS) {
    throw BadRequest('stale_signature', 'The webhook timestamp is not within five minutes of now');
  }
  return { verify, id: delivery.id, timestamp: delivery.timestamp, signature: delivery.signature };
}

/**
 * Whether a callback's body is worth reading, decided from its headers and path before a byte
 * of it is read (the body may be 20 MB: Replicate echoes our example image back). Refused as
 * receiveProviderCallback would refuse it; and a callback about a generation that is not being
 * processed (gone, finished, or no generation at all) would change nothing whatever its body
 * says, so it is acknowledged unread ('acknowledge'), as a signed one about it is.
 */
export async function screenProviderCallback(
  ctx: CallbackCtx,
  generationId: string,
  headers: CallbackHeaders,
): Promise<'read' | 'acknowledge'> {
  checkHeaders(ctx, headers);
  if (!isUuid(generationId)) return 'acknowledge';
  const row = await ctx.db
    .selectFrom('generations')
    .select('id')
    .where('id', '=', generationId)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return row ? 'read' : 'acknowledge';
}

/**
 * Replicate's webhook for a generation's prediction. Refused (400) unless signed by
 * Replicate within the last five minutes; then the prediction's id, status, output and
 * error are kept on the generation, if it is still being processed, for its job to read.
 * A signed callback about a generation that is gone or already finished changes nothing
 * and is acknowledged, so Replicate does not send it again.
 */
export async function receiveProviderCallback(
  ctx: CallbackCtx,
  generationId: string,
  delivery: SignedCallback,
): Promise<void> {
  const { verify, id, timestamp, signature } = checkHeaders(ctx, delivery);
  const body = delivery.rawBody.toString('utf8');
  if (!body || !(await verify({ id, timestamp, signature, body }))) {
    throw BadRequest('bad_signature', 'Invalid webhook signature');
  }
  let prediction: unknown;
  try {
    prediction = JSON.parse(body);
  } catch {
    throw BadRequest('bad_payload', 'Malformed webhook payload');
  }
  const p = prediction as { id?: unknown; status?: unknown; output?: unknown; error?: unknown } | null;
  if (typeof p !== 'object' || p === null || typeof p.id !== 'string' || typeof p.status !== 'string') {
    throw BadRequest('bad_payload', 'Malformed webhook payload');
  }
  if (!isUuid(generationId)) return;
  // Only what the job needs: the prediction's input (our example image) stays out of the row.
  const kept = JSON.stringify({ id: p.id, status: p.status, output: p.output ?? null, error: p.error ?? null });
  const r = await ctx.db
    .updateTable('generations')
    .set({ provider_callback: kept })
    .where('id', '=', generationId)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) ctx.providerCallbacks.arrived(generationId);
}
