import type { GenerationConfig } from '../../config.js';
import { localProvider } from './local-provider.js';
import type { CallbackInbox, GenerationProvider } from './provider.js';

/**
 * The provider GENERATION_PROVIDER names (config has checked its settings). The remote
 * providers' clients are loaded only when chosen: each adds about a second to every start
 * (the CLI's included) on this project's machines.
 */
export async function createProvider(g: GenerationConfig, callbacks: CallbackInbox): Promise<GenerationProvider> {
  switch (g.provider) {
    case 'replicate':
      return (await import('./replicate-provider.js')).replicateProvider(g, callbacks, Math.min(1000, g.pollMs * 2));
    case 'openai':
      return (await import('./openai-provider.js')).openaiProvider(g);
    default:
      return localProvider();
  }
}
