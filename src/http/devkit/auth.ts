import { Type } from '@sinclair/typebox';
import type { Registered } from '../../core/accounts/account-input.js';
import { getAccount } from '../../core/accounts/get-account.js';
import { login } from '../../core/accounts/login.js';
import { refreshSession } from '../../core/accounts/refresh-session.js';
import { registerDeveloper } from '../../core/accounts/register-developer.js';
import { requestVerification, VERIFICATION_REQUESTED } from '../../core/accounts/request-verification.js';
import { verifyEmail } from '../../core/accounts/verify-email.js';
import { registerEndUser } from '../../core/end-users/register-end-user.js';
import { BadRequest, Invalid, Unauthenticated } from '../../core/errors.js';
import { missingUnderAnyName } from '../field-names.js';
import { isUuid } from '../../lib/ids.js';
import { asDeveloper, AUTH_MESSAGES, header, originOf } from '../auth.js';
import type { Routes } from '../typed.js';
import { Nullable } from './schemas.js';

// Email format and password strength are checked in the core, so both are reported together.
const UserCreateRequest = Type.Object(
  {
    email: Type.String({ maxLength: 320, description: 'An email address' }),
    password: Type.String({
      maxLength: 1024,
      description: 'At least 8 characters with uppercase, lowercase and a digit',
    }),
    full_name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  },
  { additionalProperties: false },
);
const UserLoginRequest = Type.Object(
  { email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);
const RefreshRequest = Type.Object(
  { refresh_token: Type.String({ maxLength: 4096 }) },
  { additionalProperties: false },
);
/** verify-email.mdx sends `token`; openapi.json's VerifyEmailRequest sends `user_id` + `verification_token`. Both work. */
const VerifyEmailRequest = Type.Object(
  {
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    user_id: Type.Optional(Type.String({ maxLength: 64 })),
    verification_token: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);
// Not format-checked: any unknown id, well-formed or not, gets the same answer.
const RequestVerificationQuery = Type.Object({ user_id: Type.Optional(Type.String({ maxLength: 64 })) });
const ProjectHeaders = Type.Object({
  'x-project-id': Type.Optional(Type.String({ description: 'End users: the project UUID' })),
});
const RegisterHeaders = Type.Object({
  'x-operator-key': Type.Optional(Type.String({ description: 'Registers a developer' })),
  'x-developer-key': Type.Optional(
    Type.String({ description: 'With X-Project-ID: registers an end user of that project' }),
  ),
  'x-project-id': Type.Optional(Type.String()),
});

const TokenResponse = Type.Object({
  access_token: Type.String(),
  refresh_token: Nullable(Type.String()),
  token_type: Type.String(),
});
const UserResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  full_name: Nullable(Type.String()),
  role: Type.String(),
  is_active: Type.Boolean(),
  is_verified: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  project_id: Nullable(Type.String({ format: 'uuid' })),
});
const RegistrationResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  full_name: Nullable(Type.String()),
  role: Type.String(),
  is_active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  project_id: Type.Optional(Type.String({ format: 'uuid' })),
  provisioning: Type.Optional(
    Type.Object({ project_id: Type.String({ format: 'uuid' }), developer_key: Type.String(), api_key: Type.String() }),
  ),
  access_token: Type.Optional(Type.String()),
  refresh_token: Type.Optional(Type.String()),
  token_type: Type.Optional(Type.String()),
});
const MessageResponse = Type.Object({ message: Type.String() });
const VerifiedResponse = Type.Object({ message: Type.String(), email: Type.String() });

/** X-Project-ID, when given, must be a UUID (login.mdx documents the 400). */
function projectIdHeader(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!isUuid(value)) throw BadRequest('bad_project_id', 'Invalid X-Project-ID format. Must be a valid UUID.');
  return value.toLowerCase();
}

function registrationBody(u: Registered) {
  const base = {
    id: u.id,
    email: u.email,
    full_name: u.fullName,
    role: u.role,
    is_active: u.isActive,
    created_at: u.createdAt,
  };
  if (u.provisioning) {
    const p = u.provisioning;
    return { ...base, provisioning: { project_id: p.projectId, developer_key: p.developerKey, api_key: p.apiKey } };
  }
  const tokens = u.tokens
    ? { access_token: u.tokens.accessToken, refresh_token: u.tokens.refreshToken, token_type: 'bearer' }
    : {};
  return { ...base, ...(u.projectId ? { project_id: u.projectId } : {}), ...tokens };
}

const tokenBody = (t: { accessToken: string; refreshToken: string }) => ({
  access_token: t.accessToken,
  refresh_token: t.refreshToken,
  token_type: 'bearer',
});

export const authRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: auth'];
  // Counted per client address before anything else: every attempt costs, malformed or not.
  const anonymous = { auth: 'public', limit: 'auth' } as const;

  app.post(
    '/api/v1/auth/register',
    {
      config: { auth: 'registrar', limit: 'auth' },
      schema: {
        tags,
        summary: 'Register a developer (X-Operator-Key) or an end user (X-Developer-Key + X-Project-ID)',
        headers: RegisterHeaders,
        body: UserCreateRequest,
        response: { 201: RegistrationResponse },
      },
    },
    async (request, reply) => {
      const input = {
        email: request.body.email,
        password: request.body.password,
        fullName: request.body.full_name?.trim() || null,
      };
      const registrar = request.principal!;
      if (registrar.kind === 'operator')
        return reply.code(201).send(registrationBody(await registerDeveloper(ctx, registrar, input)));
      const projectId = projectIdHeader(header(request, 'x-project-id'));
      if (!projectId)
        throw BadRequest('project_id_required', 'X-Project-ID header is required to register an end user');
      return reply.code(201).send(registrationBody(await registerEndUser(ctx, asDeveloper(request), projectId, input)));
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: anonymous,
      schema: {
        tags,
        summary: 'Log in (X-Project-ID for end users)',
        headers: ProjectHeaders,
        body: UserLoginRequest,
        response: { 200: TokenResponse },
      },
    },
    async (request) =>
      tokenBody(await login(ctx, { ...request.body, projectId: projectIdHeader(header(request, 'x-project-id')) })),
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: anonymous,
      schema: {
        tags,
        summary: 'Rotate a refresh token (single use; reuse revokes the session)',
        body: RefreshRequest,
        response: { 200: TokenResponse },
      },
    },
    async (request) => tokenBody(await refreshSession(ctx, request.body.refresh_token)),
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { auth: 'account' },
      schema: { tags, summary: 'The signed-in account', response: { 200: UserResponse } },
    },
    async (request) => {
      const a = await getAccount(ctx, request.principal!.userId);
      return {
        id: a.id,
        email: a.email,
        full_name: a.fullName,
        role: a.role,
        is_active: a.isActive,
        is_verified: a.isVerified,
        created_at: a.createdAt,
        project_id: a.projectId,
      };
    },
  );

  app.post(
    '/api/v1/auth/verify-email',
    {
      config: anonymous,
      schema: {
        tags,
        summary: 'Verify an email address with the mailed token',
        body: VerifyEmailRequest,
        response: { 200: VerifiedResponse },
      },
    },
    async (request) => {
      const token = request.body.token ?? request.body.verification_token;
      // Name the spelling the caller is using first: openapi.json's pairs user_id with
      // verification_token; verify-email.mdx (which wins) sends token alone.
      if (!token)
        throw Invalid(
          missingUnderAnyName(
            request.body.user_id === undefined ? ['token', 'verification_token'] : ['verification_token', 'token'],
          ),
        );
      const { email } = await verifyEmail(ctx, {
        token,
        userId: request.body.user_id ?? null,
        origin: originOf(request),
      });
      return { message: 'Email verified successfully', email };
    },
  );

  app.post(
    '/api/v1/auth/request-verification',
    {
      // The bearer may belong to an account that is not active yet: that is who needs this.
      config: { auth: 'pendingAccount', limit: 'auth' },
      schema: {
        tags,
        summary: 'Send a new verification email (Bearer token, or ?user_id=)',
        querystring: RequestVerificationQuery,
        response: { 200: MessageResponse },
      },
    },
    async (request) => {
      const userId = request.principal?.userId ?? request.query.user_id;
      if (!userId) throw Unauthenticated('not_authenticated', AUTH_MESSAGES.badToken);
      await requestVerification(ctx, userId);
      return { message: VERIFICATION_REQUESTED };
    },
  );
};
