import type { ProviderName } from '../../config.js';

export interface ImageBytes {
  bytes: Buffer;
  contentType: string;
}

export interface GenerateInput {
  id: string;
  prompt: string;
  /** The other keys of JSON instructions ("style", ...), passed on where the provider takes them. */
  options: Record<string, unknown>;
  examples: ImageBytes[];
  signal: AbortSignal;
}

/** One image generator behind Tollgate (GENERATION_PROVIDER). */
export interface GenerationProvider {
  readonly name: ProviderName;
  generate(input: GenerateInput): Promise<ImageBytes>;
  /**
   * Whether a callback the provider sent us is signed by it (Replicate's webhooks, in the
   * Standard Webhooks form: `webhook-id`, `webhook-timestamp`, `webhook-signature` over the
   * raw body). Absent for providers that make no callbacks.
   */
  verifyCallback?(signed: { id: string; timestamp: string; signature: string; body: string }): Promise<boolean>;
}

/**
 * Where a provider's verified callbacks wait for the job that asked for them, which may run
 * in another process than the one the callback reached (core/generations/provider-callbacks.ts).
 */
export interface CallbackInbox {
  /** The URL the provider is to call back for this generation; null when this server has no public address (PUBLIC_URL): poll. */
  url(generationId: string): string | null;
  /** The callback received for the generation, if it is about this provider job (a prediction id). */
  read(generationId: string, jobId: string): Promise<Record<string, unknown> | null>;
  /** Resolves when a callback for the generation reaches this process, after `ms`, or when `signal` aborts. */
  wait(generationId: string, ms: number, signal: AbortSignal): Promise<void>;
}

/**
 * A provider's refusal or fault, worded for the generation's `error` field: it names the
 * provider and never carries tokens. `retryable` is false for answers that will not change
 * on a second try (a rejected input, a prediction the model itself failed).
 */
export class ProviderError extends Error {
  constructor(
    readonly provider: ProviderName,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The image type of a result by its bytes (providers may mislabel it). */
export function sniffImage(bytes: Buffer): string | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  return null;
}
