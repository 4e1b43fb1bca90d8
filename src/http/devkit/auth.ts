import { Type } from '@sinclair/typebox';
import { login } from '../../core/accounts/login.js';
import { refreshSession } from '../../core/accounts/refresh-session.js';
import { register } from '../../core/accounts/register.js';
import { sendVerification, verifyEmail } from '../../core/accounts/email-verification.js';
import { issueTokens } from '../../core/accounts/issue-tokens.js';
import { BadRequest, Forbidden } from '../../core/errors.js';
import { findActiveKey } from '../../core/keys/find-key.js';
import type { Principal } from '../../core/principal.js';
import { isUuid } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import { header, requireTokenUser } from '../auth.js';
import { applyRateLimit, clientSubject } from '../rate-limit.js';
import type { Routes } from '../typed.js';
import { Nullable } from './schemas.js';

const Credentials = { email: Type.String({ format: 'email', maxLength: 320 }), password: Type.String({ maxLength: 128 }) };
const UserCreateRequest = Type.Object({ ...Credentials, full_name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))) }, { additionalProperties: false });
const UserLoginRequest = Type.Object(Credentials, { additionalProperties: false });
const RefreshRequest = Type.Object({ refresh_token: Type.String({ maxLength: 4096 }) }, { additionalProperties: false });
const TokenResponse = Type.Object({ access_token: Type.String(), refresh_token: Nullable(Type.String()), token_type: Type.String() });
const UserResponse = Type.Object({
  id: Type.String(),
  email: Type.String(),
  full_name: Nullable(Type.String()),
  role: Type.String(),
  is_active: Type.Boolean(),
  created_at: Type.String(),
  project_id: Nullable(Type.String()),
});
const RegistrationResponse = Type.Object({
  ...UserResponse.properties,
  provisioning: Type.Optional(Type.Object({ project_id: Type.String(), developer_key: Type.String(), api_key: Type.String() })),
  access_token: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
  token_type: Type.Optional(Type.String()),
});

/** X-Project-ID, when given, must be a UUID (login.mdx documents the 400). */
function projectIdHeader(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (!isUuid(value)) throw BadRequest('bad_project_id', 'Invalid X-Project-ID format. Must be a valid UUID.');
  return value.toLowerCase();
}

export const authRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: auth'];
  const limitAnonymous = (request: Parameters<typeof clientSubject>[0], reply: Parameters<typeof applyRateLimit>[1]) =>
    applyRateLimit(ctx, reply, 'auth', clientSubject(request), 'free_starter');

  app.post('/api/v1/auth/register', { schema: { tags, summary: 'Register a developer (X-Operator-Key) or an end user (X-Developer-Key + X-Project-ID)', body: UserCreateRequest, response: { 201: RegistrationResponse } } }, async (request, reply) => {
    await limitAnonymous(request, reply);
    const operatorKey = header(request, 'x-operator-key');
    const developerKey = header(request, 'x-developer-key');
    let principal: Principal;
    let projectId: string | null = null;
    if (operatorKey) {
      const key = await findActiveKey(ctx, operatorKey);
      if (!key || key.kind !== 'operator') throw Forbidden('bad_operator_key', 'Invalid operator key');
      principal = { kind: 'operator', userId: key.userId };
    } else if (developerKey) {
      projectId = projectIdHeader(header(request, 'x-project-id'));
      if (!projectId) throw BadRequest('project_id_required', 'X-Project-ID header is required to register an end user');
      const key = await findActiveKey(ctx, developerKey);
      if (!key || key.kind !== 'developer') throw Forbidden('bad_developer_key', 'Invalid or revoked developer key');
      principal = { kind: 'developer', userId: key.userId, tier: key.tier, keyId: key.id };
    } else {
      throw Forbidden('registration_closed', 'Public registration is disabled. Provide X-Operator-Key, or X-Developer-Key with X-Project-ID.');
    }
    const u = await register(ctx, principal, { email: request.body.email, password: request.body.password, fullName: request.body.full_name ?? null }, projectId);
    const body = { id: u.id, email: u.email, full_name: u.fullName, role: u.role, is_active: u.isActive, created_at: u.createdAt, project_id: u.projectId };
    if (u.provisioning) {
      if (!u.isActive) await sendVerification(ctx, u.id);
      const p = u.provisioning;
      return reply.code(201).send({ ...body, provisioning: { project_id: p.projectId, developer_key: p.developerKey, api_key: p.apiKey } });
    }
    if (!u.isActive) {
      await sendVerification(ctx, u.id);
      return reply.code(201).send(body);
    }
    const tokens = await issueTokens(ctx, { id: u.id, projectId: u.projectId });
    return reply.code(201).send({ ...body, access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_type: 'bearer' });
  });

  app.post('/api/v1/auth/login', { schema: { tags, summary: 'Log in (X-Project-ID for end users)', body: UserLoginRequest, response: { 200: TokenResponse } } }, async (request, reply) => {
    await limitAnonymous(request, reply);
    const tokens = await login(ctx, { ...request.body, projectId: projectIdHeader(header(request, 'x-project-id')) });
    return { access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_type: 'bearer' };
  });

  app.post('/api/v1/auth/refresh', { schema: { tags, summary: 'Rotate a refresh token', body: RefreshRequest, response: { 200: TokenResponse } } }, async (request, reply) => {
    await limitAnonymous(request, reply);
    const tokens = await refreshSession(ctx, request.body.refresh_token);
    return { access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_type: 'bearer' };
  });

  app.get('/api/v1/auth/me', { schema: { tags, summary: 'The signed-in account', response: { 200: UserResponse } } }, async (request) => {
    const u = await requireTokenUser(ctx, request);
    return { id: u.id, email: u.email, full_name: u.fullName, role: u.role, is_active: u.isActive, created_at: toIso(u.createdAt), project_id: u.projectId };
  });

  const Message = Type.Object({ message: Type.String() });
  app.post(
    '/api/v1/auth/verify-email',
    { schema: { tags, summary: 'Activate an account with its emailed token', body: Type.Object({ user_id: Type.String(), verification_token: Type.String({ maxLength: 200 }) }, { additionalProperties: false }), response: { 200: Message } } },
    async (request, reply) => {
      await limitAnonymous(request, reply);
      await verifyEmail(ctx, { userId: request.body.user_id, token: request.body.verification_token });
      return { message: 'Email verified successfully' };
    },
  );
  app.post(
    '/api/v1/auth/request-verification',
    { schema: { tags, summary: 'Send a new verification token', querystring: Type.Object({ user_id: Type.String() }), response: { 200: Message } } },
    async (request, reply) => {
      await limitAnonymous(request, reply);
      await sendVerification(ctx, request.query.user_id);
      return { message: 'If the account exists and is not yet verified, a verification email has been sent' };
    },
  );
};
