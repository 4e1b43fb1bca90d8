import { invalidField } from '../errors.js';
import { GENERATION_MESSAGES, MAX_INSTRUCTIONS } from './generation.js';

export interface ParsedInstructions {
  prompt: string;
  options: Record<string, unknown>;
}

/**
 * `instructions` of 1–1000 characters. Text starting with `{` must be a JSON object with a
 * string `prompt` (create.mdx); any other text is the prompt itself (the Starter Kit sends it so).
 */
export function parseInstructions(raw: string | undefined): ParsedInstructions {
  if (raw === undefined) throw invalidField('instructions', 'field required', 'value_error.missing');
  if (raw.length < 1 || raw.length > MAX_INSTRUCTIONS || raw.trim() === '') {
    throw invalidField('instructions', GENERATION_MESSAGES.instructionsLength, 'value_error.any_str.length');
  }
  if (!raw.trimStart().startsWith('{')) return { prompt: raw.trim(), options: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalidField('instructions', GENERATION_MESSAGES.invalidJson, 'value_error.json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidField('instructions', GENERATION_MESSAGES.invalidJson, 'value_error.json');
  }
  const { prompt, ...options } = value as Record<string, unknown>;
  if (typeof prompt !== 'string' || prompt.trim() === '')
    throw invalidField('instructions', GENERATION_MESSAGES.promptMissing, 'value_error.missing');
  return { prompt: prompt.trim(), options };
}
