import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.js';
import { verifyToken } from '../core/accounts/access-tokens.js';
import { Forbidden, Unauthenticated } from '../core/errors.js';
import { findActiveKey, touchKey, type ResolvedKey } from '../core/keys/find-key.js';
import type { Origin, Principal } from '../core/principal.js';
import type { Role, Tier } from '../db/schema/index.js';
import { resolveConsoleCredential } from './console/credential.js';

/*
 * Who may call a route is declared once, in its config: `config: { auth: 'developer' }`.
 * One onRequest hook (http/pipeline.ts) resolves that credential before the body is read or
 * validated, so a caller without the right credential is a 401/403 whatever the body says,
 * and hands the handler `request.principal`. This file is the whole catalogue.
 */

/** Messages the devkit reference documents for these refusals. */
export const AUTH_MESSAGES = {
  badToken: 'Could not validate credentials',
  roleRequired: 'X-User-Role header is required',
  developerRequired: 'Insufficient permissions. Developer role required.',
  endUserRequired: 'Insufficient permissions. End user role required.',
  badDeveloperKey: 'Invalid or revoked developer key',
  badApiKey: 'Invalid or revoked API key',
  projectMismatch: 'X-Project-ID does not match your account',
  insufficient: 'Insufficient permissions',
  badOperatorKey: 'Invalid operator key',
} as const;

export type Developer = Extract<Principal, { kind: 'developer' }>;
export type Operator = Extract<Principal, { kind: 'operator' }>;
export type EndUser = Extract<Principal, { kind: 'end_user' }>;
/** A devpayr `X-API-KEY` caller: a developer key is global, a project key is scoped to its project. */
export type ApiCaller = Extract<Principal, { kind: 'developer' | 'project_key' }>;

export function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s.trim();
}

/** Where a request came from, for the audit log: its client address and the x-request-id it is answered with. */
export function originOf(request: FastifyRequest): Origin {
  return { ip: request.ip, requestId: String(request.id) };
}

function bearer(request: FastifyRequest): string | undefined {
  const auth = header(request, 'authorization');
  return auth ? /^Bearer\s+(\S+)$/i.exec(auth)?.[1] : undefined;
}

interface TokenAccount {
  id: string;
  role: Role;
  projectId: string | null;
  tier: Tier;
  /** End users: the developer who owns their project, and that developer's tier. */
  owner: { id: string; tier: Tier } | null;
}

/**
 * The account behind a valid `Authorization: Bearer` access token; 401 otherwise. An inactive
 * account is refused unless `allowInactive` (the one route that serves it: request-verification).
 */
async function tokenAccount(ctx: Context, request: FastifyRequest, allowInactive = false): Promise<TokenAccount> {
  const token = bearer(request);
  if (!token) throw Unauthenticated('not_authenticated', AUTH_MESSAGES.badToken);
  const claims = await verifyToken(ctx, token, 'access');
  if (!claims) throw Unauthenticated('bad_token', AUTH_MESSAGES.badToken);
  const row = await ctx.db
    .selectFrom('users as u')
    .leftJoin('projects as p', 'p.id', 'u.project_id')
    .leftJoin('users as o', 'o.id', 'p.owner_id')
    .select([
      'u.id',
      'u.role',
      'u.project_id',
      'u.tier',
      'u.is_active',
      'u.sign_in_generation',
      'o.id as owner_id',
      'o.tier as owner_tier',
    ])
    .where('u.id', '=', claims.sub)
    .executeTakeFirst();
  if (!row || (!row.is_active && !allowInactive)) throw Unauthenticated('bad_token', AUTH_MESSAGES.badToken);
  if ((row.project_id ?? undefined) !== claims.project_id) throw Unauthenticated('bad_token', AUTH_MESSAGES.badToken);
  // Issued before the account's last password change.
  if (Number(row.sign_in_generation) !== claims.gen) throw Unauthenticated('bad_token', AUTH_MESSAGES.badToken);
  const owner = row.owner_id && row.owner_tier ? { id: row.owner_id, tier: row.owner_tier } : null;
  return { id: row.id, role: row.role, projectId: row.project_id, tier: row.tier, owner };
}

/** An active key of the expected kind, recorded as used; `refuse` otherwise. */
async function activeKey(
  ctx: Context,
  presented: string,
  kind: ResolvedKey['kind'],
  refuse: () => Error,
): Promise<ResolvedKey> {
  const key = await findActiveKey(ctx, presented);
  if (!key || key.kind !== kind) throw refuse();
  touchKey(ctx, key.id);
  return key;
}

/** The principal a bearer token alone gives (no key): what `/auth/me` and request-verification need. */
function accountPrincipal(a: TokenAccount, origin: Origin): Principal {
  if (a.role === 'platform_operator') return { kind: 'operator', userId: a.id, keyId: null, keyPrefix: null, origin };
  if (a.role === 'end_user') {
    if (!a.projectId || !a.owner) throw Unauthenticated('bad_token', AUTH_MESSAGES.badToken);
    return { kind: 'end_user', userId: a.id, projectId: a.projectId, ownerId: a.owner.id, tier: a.owner.tier, origin };
  }
  return { kind: 'developer', userId: a.id, tier: a.tier, keyId: null, keyPrefix: null, origin };
}

/** Each credential a route may declare, and how it becomes a principal. */
const RESOLVERS = {
  /** No credential: anyone (login, health, docs, public galleries). `request.principal` is null. */
  public: async () => null,
  /** The runtime check: the license key is the input of the check itself, read by its route. */
  license: async () => null,

  /** Operator routes: a valid `X-Operator-Key` (scripts and the CLI have no password session). */
  operator: async (ctx: Context, request: FastifyRequest): Promise<Operator> => {
    const presented = header(request, 'x-operator-key');
    if (!presented) throw Unauthenticated('operator_key_required', 'X-Operator-Key header is required');
    const key = await activeKey(ctx, presented, 'operator', () =>
      Forbidden('bad_operator_key', AUTH_MESSAGES.badOperatorKey),
    );
    return { kind: 'operator', userId: key.userId, keyId: key.id, keyPrefix: key.prefix, origin: originOf(request) };
  },

  /**
   * Developer routes of the devkit face: a bearer token of a developer, `X-User-Role: developer`
   * and an active `X-Developer-Key` of that same developer.
   */
  developer: async (ctx: Context, request: FastifyRequest): Promise<Developer> => {
    const account = await tokenAccount(ctx, request);
    const role = header(request, 'x-user-role');
    if (!role) throw Forbidden('role_required', AUTH_MESSAGES.roleRequired);
    if (role !== 'developer' || account.role !== 'developer')
      throw Forbidden('developer_required', AUTH_MESSAGES.developerRequired);
    const presented = header(request, 'x-developer-key');
    if (!presented) throw Forbidden('developer_key_required', AUTH_MESSAGES.badDeveloperKey);
    const refuse = () => Forbidden('bad_developer_key', AUTH_MESSAGES.badDeveloperKey);
    const key = await activeKey(ctx, presented, 'developer', refuse);
    if (key.userId !== account.id) throw refuse();
    return {
      kind: 'developer',
      userId: account.id,
      tier: account.tier,
      keyId: key.id,
      keyPrefix: key.prefix,
      origin: originOf(request),
    };
  },

  /**
   * End-user routes of the devkit face (generations, payments): a bearer token of an end user,
   * `X-User-Role: end_user`, and `X-Developer-Key`, `X-Project-ID` and `X-API-Key` that all
   * belong to that user's project and its developer.
   */
  endUser: async (ctx: Context, request: FastifyRequest): Promise<EndUser> => {
    const account = await tokenAccount(ctx, request);
    const role = header(request, 'x-user-role');
    if (!role) throw Forbidden('role_required', AUTH_MESSAGES.roleRequired);
    if (role !== 'end_user' || account.role !== 'end_user' || !account.projectId || !account.owner)
      throw Forbidden('end_user_required', AUTH_MESSAGES.endUserRequired);
    if (header(request, 'x-project-id')?.toLowerCase() !== account.projectId)
      throw Forbidden('project_mismatch', AUTH_MESSAGES.projectMismatch);
    const developerKey = header(request, 'x-developer-key');
    const apiKey = header(request, 'x-api-key');
    if (!developerKey) throw Forbidden('developer_key_required', AUTH_MESSAGES.badDeveloperKey);
    if (!apiKey) throw Forbidden('api_key_required', AUTH_MESSAGES.badApiKey);
    const refuseDeveloperKey = () => Forbidden('bad_developer_key', AUTH_MESSAGES.badDeveloperKey);
    const refuseApiKey = () => Forbidden('bad_api_key', AUTH_MESSAGES.badApiKey);
    const project = await activeKey(ctx, apiKey, 'project', refuseApiKey);
    if (project.projectId !== account.projectId) throw refuseApiKey();
    const developer = await activeKey(ctx, developerKey, 'developer', refuseDeveloperKey);
    if (developer.userId !== account.owner.id) throw refuseDeveloperKey();
    return {
      kind: 'end_user',
      userId: account.id,
      projectId: account.projectId,
      ownerId: account.owner.id,
      tier: account.owner.tier,
      origin: originOf(request),
    };
  },

  /** Any signed-in account (`/auth/me`): its bearer token alone. */
  account: async (ctx: Context, request: FastifyRequest): Promise<Principal> =>
    accountPrincipal(await tokenAccount(ctx, request), originOf(request)),

  /**
   * request-verification: the bearer of an account that may not be active yet (that is who needs
   * a new mail), or nobody (the route then takes `?user_id=`). A bad token is still a 401.
   */
  pendingAccount: async (ctx: Context, request: FastifyRequest): Promise<Principal | null> => {
    if (header(request, 'authorization') === undefined) return null;
    return accountPrincipal(await tokenAccount(ctx, request, true), originOf(request));
  },

  /**
   * Registration: `X-Operator-Key` registers a developer, `X-Developer-Key` (with X-Project-ID,
   * read by the route) an end user of one of that developer's projects; neither is refused.
   */
  registrar: async (ctx: Context, request: FastifyRequest): Promise<Operator | Developer> => {
    if (header(request, 'x-operator-key')) return RESOLVERS.operator(ctx, request);
    const presented = header(request, 'x-developer-key');
    if (!presented) {
      throw Forbidden(
        'registration_closed',
        'Public registration is disabled. Send X-Operator-Key to register a developer, or X-Developer-Key with X-Project-ID to register an end user.',
      );
    }
    const key = await activeKey(ctx, presented, 'developer', () =>
      Forbidden('bad_developer_key', AUTH_MESSAGES.badDeveloperKey),
    );
    return {
      kind: 'developer',
      userId: key.userId,
      tier: key.tier,
      keyId: key.id,
      keyPrefix: key.prefix,
      origin: originOf(request),
    };
  },

  /**
   * The devpayr face's `X-API-KEY`: a developer key is a global key, a project API key is a
   * project-scoped key. Missing → 401, anything else unusable → 403, as specs/devpayr.md says.
   */
  apiKey: async (ctx: Context, request: FastifyRequest): Promise<ApiCaller> => {
    const presented = header(request, 'x-api-key');
    if (!presented) throw Unauthenticated('api_key_required', 'Missing required X-API-KEY header.');
    const key = await findActiveKey(ctx, presented);
    if (!key || key.kind === 'operator') throw Forbidden('bad_api_key', 'Invalid, revoked or expired API key.');
    touchKey(ctx, key.id);
    const origin = originOf(request);
    if (key.kind === 'project')
      return {
        kind: 'project_key',
        userId: key.userId,
        tier: key.tier,
        projectId: key.projectId!,
        keyId: key.id,
        keyPrefix: key.prefix,
        origin,
      };
    return { kind: 'developer', userId: key.userId, tier: key.tier, keyId: key.id, keyPrefix: key.prefix, origin };
  },

  /*
   * The console (/console/api): its HttpOnly session cookie, accepted by these four only — no
   * wire route declares them, so the cookie means nothing to the devkit and devpayr faces.
   * Every non-GET is CSRF-checked (custom header + Origin) before the cookie is read.
   */
  /** Sign-in, sign-up, sign-out, meta: a session if there is one, else null. */
  consoleOptional: (ctx: Context, request: FastifyRequest) => resolveConsoleCredential(ctx, request, 'optional'),
  /** Any signed-in console session (account, sessions). */
  console: async (ctx: Context, request: FastifyRequest): Promise<Principal> =>
    (await resolveConsoleCredential(ctx, request, 'any'))!,
  consoleDeveloper: async (ctx: Context, request: FastifyRequest): Promise<Developer> =>
    (await resolveConsoleCredential(ctx, request, 'developer')) as Developer,
  consoleOperator: async (ctx: Context, request: FastifyRequest): Promise<Operator> =>
    (await resolveConsoleCredential(ctx, request, 'operator')) as Operator,
} satisfies Record<string, (ctx: Context, request: FastifyRequest) => Promise<Principal | null>>;

export type Credential = keyof typeof RESOLVERS;

export const CREDENTIALS = Object.keys(RESOLVERS) as Credential[];

export function resolveCredential(
  ctx: Context,
  credential: Credential,
  request: FastifyRequest,
): Promise<Principal | null> {
  return RESOLVERS[credential](ctx, request);
}

/** What each credential shows in the OpenAPI document (`security`). */
export const OPENAPI_SECURITY: Record<Credential, Array<Record<string, string[]>>> = {
  public: [],
  license: [{ licenseKey: [] }],
  operator: [{ operatorKey: [] }],
  developer: [{ bearer: [], developerKey: [] }],
  endUser: [{ bearer: [], developerKey: [], projectId: [], projectApiKey: [] }],
  account: [{ bearer: [] }],
  pendingAccount: [{ bearer: [] }, {}],
  registrar: [{ operatorKey: [] }, { developerKey: [], projectId: [] }],
  apiKey: [{ apiKey: [] }],
  // The console's routes are not in the API reference (hidden); its cookie is not an API credential.
  consoleOptional: [],
  console: [],
  consoleDeveloper: [],
  consoleOperator: [],
};

/*
 * Typed views of `request.principal` for handlers: each asserts what its route's declared
 * credential guarantees, so a route declared with the wrong credential fails loudly in tests.
 */
function as<K extends Principal['kind']>(request: FastifyRequest, ...kinds: K[]): Extract<Principal, { kind: K }> {
  const p = request.principal;
  if (!p || !(kinds as string[]).includes(p.kind))
    throw new Error(`route ${request.routeOptions.url} declares a credential that does not give a ${kinds.join('/')}`);
  return p as Extract<Principal, { kind: K }>;
}
export const asDeveloper = (request: FastifyRequest): Developer => as(request, 'developer');
export const asOperator = (request: FastifyRequest): Operator => as(request, 'operator');
export const asEndUser = (request: FastifyRequest): EndUser => as(request, 'end_user');
export const asApiCaller = (request: FastifyRequest): ApiCaller => as(request, 'developer', 'project_key');
