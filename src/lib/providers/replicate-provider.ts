import Replicate, { validateWebhook, type Prediction } from 'replicate';
import type { GenerationConfig } from '../../config.js';
import { downloadResult } from './download.js';
import { ProviderError, type CallbackInbox, type GenerationProvider } from './provider.js';

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'aborted']);

function status(err: unknown): number | null {
  const r = (err as { response?: { status?: unknown } }).response;
  return typeof r?.status === 'number' ? r.status : null;
}

/** Marks the answer our fetch makes up when Replicate does not answer in time. */
const TIMEOUT_HEADER = 'x-tollgate-timeout';

function describe(err: unknown, what: string): ProviderError {
  const headers = (err as { response?: { headers?: Headers } }).response?.headers;
  if (headers?.get?.(TIMEOUT_HEADER)) return new ProviderError('replicate', `replicate: ${what} timed out`, true);
  const s = status(err);
  if (s !== null) return new ProviderError('replicate', `replicate: ${what} failed (HTTP ${s})`, s === 429 || s >= 500);
  if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') {
    return new ProviderError('replicate', `replicate: ${what} timed out`, true);
  }
  return new ProviderError('replicate', `replicate: ${what} failed (no answer from ${'the API'})`, true);
}

/** A failed signature check fetches the signing secret again at most this often (Replicate may have rotated it). */
const SECRET_REFRESH_MS = 60_000;

/**
 * Replicate through its official client: create a prediction of REPLICATE_MODEL
 * ("owner/name:version" or "owner/name") with the first example as a data URI and the
 * prompt, follow it to the end, and download its output into our store.
 *
 * Following it: with a public address (PUBLIC_URL) the prediction is created with a webhook
 * to Tollgate (`webhook_events_filter: ["completed"]`); the job waits for that callback,
 * which may reach any Tollgate process and is handed over through `callbacks`, and only if
 * none came within REPLICATE_WEBHOOK_WAIT_SECONDS polls the prediction as well (whichever
 * answers first ends the wait). Without a public address it polls from the start.
 */
export function replicateProvider(g: GenerationConfig, callbacks: CallbackInbox, pollMs = 1000): GenerationProvider {
  const timeout = g.providerTimeoutMs;
  const client = new Replicate({
    auth: g.replicate.token!,
    baseUrl: g.replicate.baseUrl,
    userAgent: 'tollgate',
    // Each call bounded by the provider timeout (the client has none of its own). The client
    // retries a failed fetch five times with sleeps of up to 8 s, so a timeout is handed to it
    // as a 408 answer, which it does not retry: the job's own backoff decides what comes next.
    fetch: async (input, init) => {
      const limit = AbortSignal.timeout(timeout);
      try {
        return await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, limit]) : limit });
      } catch (err) {
        if (limit.aborted && !init?.signal?.aborted)
          return new Response('no answer in time', { status: 408, headers: { [TIMEOUT_HEADER]: '1' } });
        throw err;
      }
    },
  });
  const [model, version] = g.replicate.model.split(':');

  // The secret Replicate signs webhooks with (GET /v1/webhooks/default/secret), fetched when first needed.
  let secret: { key: Promise<string>; at: number } | null = null;
  const signingSecret = (refresh: boolean): Promise<string> => {
    if (!secret || (refresh && Date.now() - secret.at > SECRET_REFRESH_MS)) {
      const key = client.webhooks.default.secret.get().then(
        (s) => s.key,
        (err: unknown) => {
          secret = null;
          throw describe(err, 'fetching the webhook signing secret');
        },
      );
      secret = { key, at: Date.now() };
    }
    return secret.key;
  };

  return {
    name: 'replicate',
    async generate({ id, prompt, options, examples, signal }) {
      const first = examples[0]!;
      const input = { ...options, prompt, image: `data:${first.contentType};base64,${first.bytes.toString('base64')}` };
      const webhook = callbacks.url(id);
      const hook = webhook ? { webhook, webhook_events_filter: ['completed' as const] } : {};
      let prediction: Prediction;
      try {
        prediction = await client.predictions.create(
          version ? { version, input, signal, ...hook } : { model: model!, input, signal, ...hook },
        );
      } catch (err) {
        throw describe(err, 'creating the prediction');
      }
      const deadline = Date.now() + timeout;
      const pollFrom = webhook ? Date.now() + g.replicate.webhookWaitMs : 0;
      while (!TERMINAL.has(prediction.status)) {
        if (Date.now() > deadline)
          throw new ProviderError('replicate', 'replicate: the prediction did not finish in time', true);
        if (webhook) {
          // Woken at once by a webhook that reaches this process; one that reached another is read from the database.
          await callbacks.wait(id, pollMs, signal);
          signal.throwIfAborted();
          const called = await callbacks.read(id, prediction.id);
          if (called) {
            prediction = { ...prediction, ...called } as Prediction;
            continue;
          }
          if (Date.now() < pollFrom) continue;
        } else {
          await new Promise((r) => setTimeout(r, pollMs));
          signal.throwIfAborted();
        }
        try {
          prediction = await client.predictions.get(prediction.id, { signal });
        } catch (err) {
          throw describe(err, 'polling the prediction');
        }
      }
      if (prediction.status !== 'succeeded') {
        const why =
          typeof prediction.error === 'string' && prediction.error ? `: ${prediction.error.slice(0, 300)}` : '';
        throw new ProviderError('replicate', `replicate: the prediction ${prediction.status}${why}`, false);
      }
      const output = prediction.output as unknown;
      const url = Array.isArray(output) ? output[0] : output;
      if (typeof url !== 'string')
        throw new ProviderError('replicate', 'replicate: the prediction has no output image', false);
      return downloadResult('replicate', url, AbortSignal.any([signal, AbortSignal.timeout(timeout)]));
    },

    async verifyCallback(signed) {
      const check = async (refresh: boolean) => validateWebhook({ ...signed, secret: await signingSecret(refresh) });
      try {
        return (await check(false)) || (await check(true));
      } catch (err) {
        if (err instanceof ProviderError) throw err;
        return false; // a header the helper cannot read (no "v1," signature, say): not signed by Replicate
      }
    },
  };
}
