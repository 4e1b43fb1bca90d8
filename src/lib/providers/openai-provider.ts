import OpenAI, { APIConnectionTimeoutError, APIError, toFile } from 'openai';
import type { GenerationConfig } from '../../config.js';
import { downloadResult } from './download.js';
import { ProviderError, sniffImage, type GenerationProvider } from './provider.js';

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** OpenAI image edits through the official client: the examples as images, the prompt as prompt. */
export function openaiProvider(g: GenerationConfig): GenerationProvider {
  const client = new OpenAI({
    apiKey: g.openai.apiKey!,
    ...(g.openai.baseUrl ? { baseURL: g.openai.baseUrl } : {}),
    timeout: g.providerTimeoutMs,
    // Retries are the job's (with backoff, counted in attempts), not the client's.
    maxRetries: 0,
  });
  return {
    name: 'openai',
    async generate({ prompt, examples, signal }) {
      const images = await Promise.all(
        examples.map((e, i) => toFile(e.bytes, `example-${i}.${EXT[e.contentType] ?? 'png'}`, { type: e.contentType })),
      );
      let data: OpenAI.Images.ImagesResponse;
      try {
        data = await client.images.edit(
          {
            model: g.openai.model,
            image: images.length === 1 ? images[0]! : images,
            prompt: prompt.slice(0, 32_000),
            n: 1,
          },
          { signal },
        );
      } catch (err) {
        if (err instanceof APIConnectionTimeoutError)
          throw new ProviderError('openai', 'openai: the image edit timed out', true);
        if (err instanceof APIError && typeof err.status === 'number') {
          throw new ProviderError(
            'openai',
            `openai: the image edit failed (HTTP ${err.status})`,
            err.status === 429 || err.status >= 500,
          );
        }
        throw new ProviderError('openai', 'openai: the image edit failed (no answer from the API)', true);
      }
      const item = data.data?.[0];
      if (item?.b64_json) {
        const bytes = Buffer.from(item.b64_json, 'base64');
        const contentType = sniffImage(bytes);
        if (!contentType)
          throw new ProviderError('openai', 'openai: the result is not a JPEG, PNG or WebP image', false);
        return { bytes, contentType };
      }
      if (item?.url)
        return downloadResult('openai', item.url, AbortSignal.any([signal, AbortSignal.timeout(g.providerTimeoutMs)]));
      throw new ProviderError('openai', 'openai: the answer has no image', false);
    },
  };
}
