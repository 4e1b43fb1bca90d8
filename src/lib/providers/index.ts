import type { GenerationConfig } from '../../config.js';
import { localProvider } from './local-provider.js';
import { openaiProvider } from './openai-provider.js';
import type { GenerationProvider } from './provider.js';
import { replicateProvider } from './replicate-provider.js';

/** The provider GENERATION_PROVIDER names (config has checked its settings). */
export function createProvider(g: GenerationConfig): GenerationProvider {
  switch (g.provider) {
    case 'replicate':
      return replicateProvider(g, Math.min(1000, g.pollMs * 2));
    case 'openai':
      return openaiProvider(g);
    default:
      return localProvider();
  }
}
