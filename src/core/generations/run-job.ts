import { Readable } from 'node:stream';
import type { Context } from '../../context.js';
import { ProviderError, type ImageBytes } from '../../lib/providers/provider.js';
import { recordEvent } from '../events/record-event.js';
import { toGeneration, type Generation } from './generation.js';
import type { ClaimedJob } from './claim-job.js';
import { giveMonthlyUnitBack } from './quota.js';

type JobCtx = Pick<Context, 'db' | 'clock' | 'config' | 'blobs' | 'provider' | 'log'>;

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** Thrown into a running job when its lease is gone (the generation was deleted, or another process took it). */
class LeaseLost extends Error {}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Runs one claimed job to its end: loads the examples, asks the provider, stores the result
 * under a key of its own lease and finishes the generation only if that lease is still
 * current (so of two processes that both ran it, exactly one result is kept and one event
 * written). While it runs, the lease is renewed; `stop` aborts it without using up an attempt.
 */
export async function runJob(ctx: JobCtx, job: ClaimedJob, stop: AbortSignal): Promise<void> {
  const row = await ctx.db
    .selectFrom('generations')
    .selectAll()
    .where('id', '=', job.id)
    .where('lease_token', '=', job.leaseToken)
    .executeTakeFirst();
  if (!row) return;
  const g = toGeneration(row);
  const lease = new AbortController();
  const signal = AbortSignal.any([stop, lease.signal]);
  const renewEvery = Math.max(200, (ctx.config.generations.leaseSeconds * 1000) / 3);
  const renew = setInterval(() => {
    const until = new Date(ctx.clock.now().getTime() + ctx.config.generations.leaseSeconds * 1000);
    ctx.db
      .updateTable('generations')
      .set({ lease_until: until })
      .where('id', '=', job.id)
      .where('lease_token', '=', job.leaseToken)
      .where('status', '=', 'processing')
      .executeTakeFirst()
      .then((r) => {
        if (Number(r.numUpdatedRows) === 0) lease.abort(new LeaseLost());
      })
      .catch(() => {});
  }, renewEvery);
  try {
    const examples: ImageBytes[] = [];
    for (const e of g.examples) {
      const blob = await ctx.blobs.get(e.key);
      if (!blob) throw new ProviderError(ctx.provider.name, 'an example image is missing from storage', false);
      examples.push({ bytes: await readAll(blob.body), contentType: e.content_type });
    }
    const options = row.instructions.trimStart().startsWith('{')
      ? (({ prompt: _p, ...rest }) => rest)(JSON.parse(row.instructions) as Record<string, unknown>)
      : {};
    const result = await ctx.provider.generate({ id: g.id, prompt: row.prompt, options, examples, signal });
    signal.throwIfAborted();
    const key = `generations/${g.id}/result-${job.leaseToken}.${EXT[result.contentType] ?? 'bin'}`;
    await ctx.blobs.put(key, Readable.from([result.bytes]), result.contentType);
    const kept = await complete(ctx, g, job, key, result.contentType);
    if (!kept) await ctx.blobs.delete([key]);
  } catch (err) {
    if (stop.aborted) return release(ctx, job);
    if (lease.signal.aborted) return;
    await failOrRetry(ctx, g, job, err);
  } finally {
    clearInterval(renew);
  }
}

async function complete(
  ctx: JobCtx,
  g: Generation,
  job: ClaimedJob,
  key: string,
  contentType: string,
): Promise<boolean> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('generations')
      .set({
        status: 'completed',
        result_key: key,
        result_content_type: contentType,
        error: null,
        lease_until: null,
        provider_callback: null,
        completed_at: now,
        updated_at: now,
      })
      .where('id', '=', g.id)
      .where('lease_token', '=', job.leaseToken)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    if (g.ownerId) {
      await recordEvent(trx, ctx, {
        ownerId: g.ownerId,
        projectId: g.projectId,
        type: 'generation.completed',
        data: { id: g.id, project_id: g.projectId, user_id: g.userId, status: 'completed' },
      });
    }
    return true;
  });
}

/** A provider fault is retried with exponential backoff until GENERATION_MAX_ATTEMPTS; then, or at once for a final refusal, the generation fails. */
async function failOrRetry(ctx: JobCtx, g: Generation, job: ClaimedJob, err: unknown): Promise<void> {
  const known = err instanceof ProviderError;
  if (!known) ctx.log.error({ err, generation: g.id }, 'generation job failed unexpectedly');
  const message = known ? err.message : 'The generation failed because of an internal error';
  const retry = (!known || err.retryable) && job.attempts < ctx.config.generations.maxAttempts;
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (retry) {
      const delay = ctx.config.generations.retryBaseMs * 2 ** (job.attempts - 1);
      await trx
        .updateTable('generations')
        .set({
          status: 'pending',
          error: message,
          lease_until: null,
          provider_callback: null,
          run_after: new Date(now.getTime() + delay),
          updated_at: now,
        })
        .where('id', '=', g.id)
        .where('lease_token', '=', job.leaseToken)
        .where('status', '=', 'processing')
        .execute();
      return;
    }
    const failed = await trx
      .updateTable('generations')
      .set({
        status: 'failed',
        error: message,
        lease_until: null,
        provider_callback: null,
        quota_month: null,
        completed_at: now,
        updated_at: now,
      })
      .where('id', '=', g.id)
      .where('lease_token', '=', job.leaseToken)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    if (Number(failed.numUpdatedRows) === 0) return;
    // Only this transition clears quota_month, and only the lease holder makes it: the unit comes back once.
    if (g.ownerId && g.quotaMonth) await giveMonthlyUnitBack(trx, g.ownerId, g.quotaMonth);
    if (g.ownerId) {
      await recordEvent(trx, ctx, {
        ownerId: g.ownerId,
        projectId: g.projectId,
        type: 'generation.failed',
        data: { id: g.id, project_id: g.projectId, user_id: g.userId, status: 'failed', error: message },
      });
    }
  });
  ctx.log.warn({ generation: g.id, attempt: job.attempts, retry, error: message }, 'generation attempt failed');
}

/** Stopping a process: the job goes back to pending at once (not after its lease), its attempt not counted. */
async function release(ctx: JobCtx, job: ClaimedJob): Promise<void> {
  await ctx.db
    .updateTable('generations')
    .set((eb) => ({ status: 'pending', lease_until: null, provider_callback: null, attempts: eb('attempts', '-', 1) }))
    .where('id', '=', job.id)
    .where('lease_token', '=', job.leaseToken)
    .where('status', '=', 'processing')
    .execute()
    .catch(() => {});
}
