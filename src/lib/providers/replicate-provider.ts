import Replicate, { type Prediction } from 'replicate';
import type { GenerationConfig } from '../../config.js';
import { downloadResult } from './download.js';
import { ProviderError, type GenerationProvider } from './provider.js';

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

/**
 * Replicate through its official client: create a prediction of REPLICATE_MODEL
 * ("owner/name:version" or "owner/name") with the first example as a data URI and the
 * prompt, poll it to the end, and download its output into our store.
 */
export function replicateProvider(g: GenerationConfig, pollMs = 1000): GenerationProvider {
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
        if (limit.aborted && !init?.signal?.aborted) return new Response('no answer in time', { status: 408, headers: { [TIMEOUT_HEADER]: '1' } });
        throw err;
      }
    },
  });
  const [model, version] = g.replicate.model.split(':');
  return {
    name: 'replicate',
    async generate({ prompt, options, examples, signal }) {
      const first = examples[0]!;
      const input = { ...options, prompt, image: `data:${first.contentType};base64,${first.bytes.toString('base64')}` };
      let prediction: Prediction;
      try {
        prediction = await client.predictions.create(version ? { version, input, signal } : { model: model!, input, signal });
      } catch (err) {
        throw describe(err, 'creating the prediction');
      }
      const deadline = Date.now() + timeout;
      while (!TERMINAL.has(prediction.status)) {
        if (Date.now() > deadline) throw new ProviderError('replicate', 'replicate: the prediction did not finish in time', true);
        await new Promise((r) => setTimeout(r, pollMs));
        signal.throwIfAborted();
        try {
          prediction = await client.predictions.get(prediction.id, { signal });
        } catch (err) {
          throw describe(err, 'polling the prediction');
        }
      }
      if (prediction.status !== 'succeeded') {
        const why = typeof prediction.error === 'string' && prediction.error ? `: ${prediction.error.slice(0, 300)}` : '';
        throw new ProviderError('replicate', `replicate: the prediction ${prediction.status}${why}`, false);
      }
      const output = prediction.output as unknown;
      const url = Array.isArray(output) ? output[0] : output;
      if (typeof url !== 'string') throw new ProviderError('replicate', 'replicate: the prediction has no output image', false);
      return downloadResult('replicate', url, AbortSignal.any([signal, AbortSignal.timeout(timeout)]));
    },
  };
}
