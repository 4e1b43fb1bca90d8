import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/schema/index.js';
import type { InjectablesTable } from '../../db/schema/injectables.js';
import { isUuid } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import { NotFound } from '../errors.js';

export { INJECTABLE_MODES, INJECTABLE_TYPES, type InjectableMode, type InjectableType } from './kinds.js';

/** An injectable's metadata; content and secret stay sealed and are not part of it. */
export interface Injectable {
  id: string;
  projectId: string;
  title: string | null;
  slug: string;
  type: string;
  mode: string;
  targetPath: string | null;
  contentHash: string;
  onlyIfPaid: boolean;
  isActive: boolean;
  createdAt: string;
  updatedAt: string | null;
}

export function toInjectable(row: Selectable<InjectablesTable>): Injectable {
  return {
    id: row.id,
    projectId: row.project_id,
    title: row.title,
    slug: row.slug,
    type: row.type,
    mode: row.mode,
    targetPath: row.target_path,
    contentHash: row.content_hash,
    onlyIfPaid: Boolean(row.only_if_paid),
    isActive: Boolean(row.is_active),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

export async function findInjectableRow(
  db: Kysely<Database> | Transaction<Database>,
  projectId: string,
  injectableId: string,
): Promise<Selectable<InjectablesTable>> {
  const row = isUuid(injectableId)
    ? await db
        .selectFrom('injectables')
        .selectAll()
        .where('id', '=', injectableId)
        .where('project_id', '=', projectId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw NotFound('injectable');
  return row;
}
