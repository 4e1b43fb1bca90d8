import type { Selectable } from 'kysely';
import type { Context } from '../../context.js';
import type { AuditLogTable } from '../../db/schema/audit-log.js';
import { toIso } from '../../lib/time.js';
import { Forbidden, invalidField } from '../errors.js';
import { pageWindow, toPage, type Page, type PageRequest } from '../licenses/cursor-page.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';

export interface AuditRecord {
  id: string;
  createdAt: string;
  actorType: string;
  actorId: string | null;
  keyPrefix: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  projectId: string | null;
  ip: string | null;
  requestId: string | null;
  changedFields: string[];
}

export interface AuditFilter {
  projectId?: string;
  action?: string;
  actorType?: string;
  /** ISO date-times, inclusive. */
  since?: string;
  until?: string;
}

function toRecord(row: Selectable<AuditLogTable>): AuditRecord {
  return {
    id: row.id,
    createdAt: toIso(row.created_at),
    actorType: row.actor_type,
    actorId: row.actor_id,
    keyPrefix: row.key_prefix,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    projectId: row.project_id,
    ip: row.ip,
    requestId: row.request_id,
    changedFields: JSON.parse(row.changed_fields) as string[],
  };
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

function instant(field: string, raw: string | undefined): Date | null {
  if (raw === undefined || raw === '') return null;
  const d = new Date(raw);
  if (!ISO_DATE_TIME.test(raw.trim()) || Number.isNaN(d.getTime()))
    throw invalidField(field, `The ${field} must be an ISO 8601 date-time.`, 'date_time');
  return d;
}

/**
 * Audit entries newest first. A developer sees the entries about their own data (any
 * project, or one with `projectId`); a project-scoped key, and `projectId` given by a route
 * scoped to one project, only that project's.
 */
export async function listAuditLog(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  filter: AuditFilter,
  req: PageRequest,
): Promise<Page<AuditRecord>> {
  const { limit, before } = pageWindow(req);
  if (principal.kind !== 'developer' && principal.kind !== 'project_key')
    throw Forbidden('developer_required', 'Only a developer may read the audit log.');
  const since = instant('since', filter.since);
  const until = instant('until', filter.until);
  let q = ctx.db.selectFrom('audit_log').selectAll().where('owner_id', '=', principal.userId);
  const scoped = principal.kind === 'project_key' ? principal.projectId : filter.projectId;
  if (scoped !== undefined) {
    // A foreign or unknown project is NotFound (projectInScope), never an empty page that confirms nothing.
    await projectInScope(ctx, principal, filter.projectId ?? scoped);
    q = q.where('project_id', '=', scoped);
  }
  if (filter.action) q = q.where('action', '=', filter.action);
  if (filter.actorType) q = q.where('actor_type', '=', filter.actorType);
  if (since) q = q.where('created_at', '>=', since);
  if (until) q = q.where('created_at', '<=', until);
  if (before) q = q.where('id', '<', before);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, toRecord);
}
