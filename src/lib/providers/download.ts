import { ProviderError, sniffImage, type ImageBytes } from './provider.js';
import type { ProviderName } from '../../config.js';

const MAX_RESULT_BYTES = 50 * 1024 * 1024;

/**
 * Fetches a provider's result image into memory (results are one image, capped): a provider
 * URL expires, so the bytes are copied into our store. The URL comes from the provider's
 * answer, never from a user.
 */
export async function downloadResult(provider: ProviderName, url: string, signal: AbortSignal): Promise<ImageBytes> {
  if (!/^https?:\/\//i.test(url))
    throw new ProviderError(provider, `${provider}: the result is not an http(s) URL`, false);
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch {
    throw new ProviderError(provider, `${provider}: the result image could not be downloaded (no answer)`, true);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new ProviderError(
      provider,
      `${provider}: the result image could not be downloaded (HTTP ${res.status})`,
      true,
    );
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_RESULT_BYTES) {
    await res.body?.cancel();
    throw new ProviderError(provider, `${provider}: the result image is larger than 50 MB`, false);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_RESULT_BYTES)
    throw new ProviderError(provider, `${provider}: the result image is larger than 50 MB`, false);
  const contentType = sniffImage(bytes);
  if (!contentType)
    throw new ProviderError(provider, `${provider}: the result is not a JPEG, PNG or WebP image`, false);
  return { bytes, contentType };
}
