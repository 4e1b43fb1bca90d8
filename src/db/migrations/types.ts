import type { Kysely } from 'kysely';
import type { Dialect } from '../../config.js';

/** Column types that differ between the two dialects, so one migration serves both. */
export interface Types {
  dialect: Dialect;
  timestamp: 'timestamptz' | 'text';
  boolean: 'boolean' | 'integer';
}

export function typesFor(dialect: Dialect): Types {
  return dialect === 'postgres'
    ? { dialect, timestamp: 'timestamptz', boolean: 'boolean' }
    : { dialect, timestamp: 'text', boolean: 'integer' };
}

export interface TollgateMigration {
  up(db: Kysely<unknown>, t: Types): Promise<void>;
}
