import type { Context } from '../../context.js';
import type { Role } from '../../db/schema/index.js';
import { toIso } from '../../lib/time.js';
import { NotFound } from '../errors.js';

export interface Account {
  id: string;
  email: string;
  fullName: string | null;
  role: Role;
  isActive: boolean;
  isVerified: boolean;
  projectId: string | null;
  createdAt: string;
}

/** The signed-in account itself (cloud-api/auth/me.mdx); only ever asked for by its owner. */
export async function getAccount(ctx: Pick<Context, 'db'>, userId: string): Promise<Account> {
  const row = await ctx.db
    .selectFrom('users')
    .select(['id', 'email', 'full_name', 'role', 'is_active', 'email_verified_at', 'project_id', 'created_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) throw NotFound('user');
  return {
    id: row.id,
    email: row.email,
    fullName: row.full_name,
    role: row.role,
    isActive: Boolean(row.is_active),
    isVerified: row.email_verified_at !== null && row.email_verified_at !== undefined,
    projectId: row.project_id,
    createdAt: toIso(row.created_at),
  };
}
