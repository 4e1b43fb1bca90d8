import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, Environment } from '../../db/schema/index.js';
import type { DomainsTable } from '../../db/schema/domains.js';
import { isUuid } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import { NotFound } from '../errors.js';

export interface Domain {
  id: string;
  projectId: string;
  domain: string;
  environment: Environment;
  isPrimary: boolean;
  isVerified: boolean;
  isActive: boolean;
  hasPaid: boolean;
  createdAt: string;
  updatedAt: string | null;
}

export function toDomain(row: Selectable<DomainsTable>): Domain {
  return {
    id: row.id,
    projectId: row.project_id,
    domain: row.domain,
    environment: row.environment,
    isPrimary: Boolean(row.is_primary),
    isVerified: Boolean(row.is_verified),
    isActive: Boolean(row.is_active),
    hasPaid: Boolean(row.has_paid),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/** The domain row in this project, or NotFound (a domain of another project is not found). */
export async function findDomainRow(
  db: Kysely<Database> | Transaction<Database>,
  projectId: string,
  domainId: string,
): Promise<Selectable<DomainsTable>> {
  const row = isUuid(domainId)
    ? await db
        .selectFrom('domains')
        .selectAll()
        .where('id', '=', domainId)
        .where('project_id', '=', projectId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw NotFound('domain');
  return row;
}
