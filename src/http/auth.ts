import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { verifyToken } from '../core/accounts/access-tokens.js';
import { findActiveKey, touchKey } from '../core/keys/find-key.js';
import { Forbidden, Unauthenticated } from '../core/errors.js';
import type { Principal } from '../core/principal.js';
import type { Role, Tier } from '../db/schema/index.js';

/** Messages the devkit reference documents for these refusals. */
export const AUTH_MESSAGES = {
  badToken: 'Could not validate credentials',
  roleRequired: 'X-User-Role header is required',
  developerRequired: 'Insufficient permissions. Developer role required.',
  badDeveloperKey: 'Invalid or revoked developer key',
  insufficient: 'Insufficient permissions',
  badOperatorKey: 'Invalid operator key',
} as const;

export function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s.trim();
}

export interface TokenUser {
  id: string;
  email: string;
  fullName: string | null;
  role: Role;
  projectId: string | null;
  tier: Tier;
  isActive: boolean;
  createdAt: Date | string;
}

/** The active account behind a valid `Authorization: Bearer` access token; 401 otherwise. */
export async function requireTokenUser(ctx: Context, request: FastifyRequest): Promise<TokenUser> {
  const auth = header(request, 'authorization');
  const match = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  if (!match) throw Unauthenticated('not_authenticated', AUTH_MESSAGES.badToken);
  const claims = await verifyToken(ctx, match[1]!, 'access');
  if (!claims) throw Unauthenticated('bad_token', AUTH_MESSAGES.badToken);
  const row = await ctx.db
    .selectFrom('users')
    .select(['id', 'email', 'full_name', 'role', 'project_id', 'tier', 'is_active', 'created_at'])
    .where('id', '=', claims.sub)
    .executeTakeFirst();
  if (!row || !row.is_active) throw Unauthenticated('bad_token', AUTH_MESSAGES.badToken);
  if ((row.project_id ?? undefined) !== claims.project_id) throw Unauthenticated('bad_token', AUTH_MESSAGES.badToken);
  return {
    id: row.id,
    email: row.email,
    fullName: row.full_name,
    role: row.role,
    projectId: row.project_id,
    tier: row.tier,
    isActive: Boolean(row.is_active),
    createdAt: row.created_at,
  };
}

/**
 * Developer routes of the devkit face: a bearer token of a developer, `X-User-Role: developer`
 * and an active `X-Developer-Key` of that same developer.
 */
export async function requireDeveloper(ctx: Context, request: FastifyRequest): Promise<Extract<Principal, { kind: 'developer' }>> {
  const user = await requireTokenUser(ctx, request);
  const role = header(request, 'x-user-role');
  if (!role) throw Forbidden('role_required', AUTH_MESSAGES.roleRequired);
  if (role !== 'developer' || user.role !== 'developer') throw Forbidden('developer_required', AUTH_MESSAGES.developerRequired);
  const presented = header(request, 'x-developer-key');
  if (!presented) throw Forbidden('developer_key_required', AUTH_MESSAGES.badDeveloperKey);
  const key = await findActiveKey(ctx, presented);
  if (!key || key.kind !== 'developer' || key.userId !== user.id) throw Forbidden('bad_developer_key', AUTH_MESSAGES.badDeveloperKey);
  touchKey(ctx, key.id);
  return { kind: 'developer', userId: user.id, tier: user.tier, keyId: key.id };
}

/** Operator routes: a valid `X-Operator-Key` (scripts and the CLI have no password session). */
export async function requireOperator(ctx: Context, request: FastifyRequest): Promise<Extract<Principal, { kind: 'operator' }>> {
  const presented = header(request, 'x-operator-key');
  if (!presented) throw Unauthenticated('operator_key_required', 'X-Operator-Key header is required');
  const key = await findActiveKey(ctx, presented);
  if (!key || key.kind !== 'operator') throw Forbidden('bad_operator_key', AUTH_MESSAGES.badOperatorKey);
  touchKey(ctx, key.id);
  return { kind: 'operator', userId: key.userId };
}

/**
 * The devpayr face's `X-API-KEY`: a developer key is a global key, a project API key is a
 * project-scoped key. Missing → 401, anything else unusable → 403, as specs/devpayr.md says.
 */
export async function requireApiKey(ctx: Context, request: FastifyRequest): Promise<Extract<Principal, { kind: 'developer' | 'project_key' }>> {
  const presented = header(request, 'x-api-key');
  if (!presented) throw Unauthenticated('api_key_required', 'Missing required X-API-KEY header.');
  const key = await findActiveKey(ctx, presented);
  if (!key || key.kind === 'operator') throw Forbidden('bad_api_key', 'Invalid, revoked or expired API key.');
  touchKey(ctx, key.id);
  if (key.kind === 'project') return { kind: 'project_key', userId: key.userId, tier: key.tier, projectId: key.projectId!, keyId: key.id };
  return { kind: 'developer', userId: key.userId, tier: key.tier, keyId: key.id };
}
