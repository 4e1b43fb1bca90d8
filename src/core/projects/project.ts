import type { Selectable } from 'kysely';
import type { ProjectsTable } from '../../db/schema/projects.js';
import { toIso } from '../../lib/time.js';

/** A project as the core hands it to the faces; the sealed webhook secret is not part of it. */
export interface Project {
  id: string;
  ownerId: string;
  name: string;
  slug: string;
  description: string | null;
  defaultRedirectUrl: string | null;
  webhookUrl: string | null;
  logoUrl: string | null;
  hasWebhookSecret: boolean;
  /** Set when deliveries stopped after the endpoint kept failing; saving the URL again clears it. */
  webhookDisabledAt: string | null;
  meta: Record<string, unknown> | null;
  isActive: boolean;
  hasPaid: boolean;
  createdAt: string;
  updatedAt: string | null;
}

export function toProject(row: Selectable<ProjectsTable>): Project {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    defaultRedirectUrl: row.default_redirect_url,
    webhookUrl: row.webhook_url,
    logoUrl: row.logo_url,
    hasWebhookSecret: row.webhook_secret_enc !== null,
    webhookDisabledAt: toIso(row.webhook_disabled_at),
    meta: row.meta === null ? null : (JSON.parse(row.meta) as Record<string, unknown>),
    isActive: Boolean(row.is_active),
    hasPaid: Boolean(row.has_paid),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}
