import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { changePassword } from '../../core/accounts/change-password.js';
import { login } from '../../core/accounts/login.js';
import { registerDeveloper } from '../../core/accounts/register-developer.js';
import { updateProfile } from '../../core/accounts/update-profile.js';
import { Forbidden, Unauthenticated } from '../../core/errors.js';
import { createDeveloperKey } from '../../core/keys/create-developer-key.js';
import { findActiveKey } from '../../core/keys/find-key.js';
import { listDeveloperKeys } from '../../core/keys/list-developer-keys.js';
import { revokeDeveloperKey } from '../../core/keys/revoke-developer-key.js';
import { originOf } from '../auth.js';
import type { App } from '../typed.js';
import { developerOf, sessionOf } from './caller.js';
import { KeyRecordSchema, keyBody, Ok } from './schemas.js';
import { transport } from './security.js';
import { signUpOpen } from '../../core/accounts/instance-settings.js';
import { developerSignIn } from '../../core/console-sessions/developer-sign-in.js';
import { listSessions } from '../../core/console-sessions/list-sessions.js';
import { replaceSessionTokens } from '../../core/console-sessions/replace-session-tokens.js';
import { revokeSession } from '../../core/console-sessions/revoke-session.js';
import type { ConsoleSession } from '../../core/console-sessions/session.js';
import { beginSession, clearSessionCookie } from './sessions.js';

const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  fullName: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('developer'), Type.Literal('operator')]),
  tier: Type.String(),
  sessionId: Type.String(),
});

function meBody(s: ConsoleSession) {
  return { id: s.userId, email: s.email, fullName: s.fullName, kind: s.kind, tier: s.tier, sessionId: s.id };
}

const Email = Type.String({ minLength: 3, maxLength: 320 });
const Password = Type.String({ minLength: 1, maxLength: 200 });

export function accountRoutes(app: App, ctx: Context): void {
  app.get(
    '/console/api/meta',
    {
      config: { auth: 'consoleOptional' },
      schema: {
        hide: true,
        response: {
          200: Type.Object({
            signUpOpen: Type.Boolean(),
            insecure: Type.Boolean(),
            signedIn: Type.Boolean(),
            me: Type.Union([Me, Type.Null()]),
          }),
        },
      },
    },
    async (request) => ({
      signUpOpen: await signUpOpen(ctx),
      insecure: transport(ctx.config, request).insecure,
      signedIn: request.consoleSession !== null,
      me: request.consoleSession ? meBody(request.consoleSession) : null,
    }),
  );

  app.post(
    '/console/api/sign-in',
    {
      config: { auth: 'consoleOptional', limit: 'auth' },
      schema: {
        hide: true,
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: { 200: Me },
      },
    },
    async (request, reply) => {
      const { userId, tokens } = await developerSignIn(ctx, request.body);
      return meBody(await beginSession(ctx, request, reply, userId, 'developer', tokens));
    },
  );

  app.post(
    '/console/api/sign-in/operator',
    {
      config: { auth: 'consoleOptional', limit: 'auth' },
      schema: {
        hide: true,
        body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Me },
      },
    },
    async (request, reply) => {
      const key = await findActiveKey(ctx, request.body.key.trim());
      if (key?.kind !== 'operator') throw Unauthenticated('bad_operator_key', 'That operator key is not valid.');
      return meBody(await beginSession(ctx, request, reply, key.userId, 'operator', null));
    },
  );

  app.post(
    '/console/api/sign-up',
    {
      config: { auth: 'consoleOptional', limit: 'auth' },
      schema: {
        hide: true,
        body: Type.Object(
          {
            email: Email,
            password: Password,
            fullName: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            me: Type.Union([Me, Type.Null()]),
            activationRequired: Type.Boolean(),
            reveal: Type.Object({ projectId: Type.String(), developerKey: Type.String(), apiKey: Type.String() }),
          }),
        },
      },
    },
    async (request, reply) => {
      if (!(await signUpOpen(ctx)))
        throw Forbidden('sign_up_closed', 'Sign-up is closed on this instance. Ask its operator for an account.');
      // The instance's operator opened sign-up: the same provisioning an operator's register
      // call does, audited as the new developer's own act (not an operator's).
      const registered = await registerDeveloper(
        ctx,
        { kind: 'sign_up', origin: originOf(request) },
        {
          email: request.body.email,
          password: request.body.password,
          fullName: request.body.fullName?.trim() || null,
        },
      );
      let me = null;
      if (registered.isActive) {
        const tokens = await login(ctx, {
          email: request.body.email,
          password: request.body.password,
          projectId: null,
        });
        me = meBody(await beginSession(ctx, request, reply, registered.id, 'developer', tokens));
      }
      return { me, activationRequired: !registered.isActive, reveal: registered.provisioning! };
    },
  );

  app.post(
    '/console/api/sign-out',
    { config: { auth: 'consoleOptional' }, schema: { hide: true, response: { 200: Ok } } },
    async (request, reply) => {
      const s = request.consoleSession;
      if (s) await revokeSession(ctx, s, s.id);
      clearSessionCookie(ctx, request, reply);
      return { ok: true };
    },
  );

  app.get(
    '/console/api/me',
    { config: { auth: 'console' }, schema: { hide: true, response: { 200: Me } } },
    async (request) => meBody(sessionOf(request)),
  );

  const SessionRow = Type.Object({
    id: Type.String(),
    current: Type.Boolean(),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    lastSeenAt: Type.String(),
    expiresAt: Type.String(),
  });
  app.get(
    '/console/api/sessions',
    {
      config: { auth: 'console' },
      schema: { hide: true, response: { 200: Type.Object({ items: Type.Array(SessionRow) }) } },
    },
    async (request) => ({
      items: await listSessions(ctx, sessionOf(request)),
    }),
  );
  app.delete(
    '/console/api/sessions/:id',
    {
      config: { auth: 'console' },
      schema: { hide: true, params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: Ok } },
    },
    async (request, reply) => {
      const s = sessionOf(request);
      await revokeSession(ctx, s, request.params.id);
      if (request.params.id === s.id) clearSessionCookie(ctx, request, reply);
      return { ok: true };
    },
  );

  // Profile and password (developer accounts; operators sign in with keys and have no password).
  app.patch(
    '/console/api/account',
    {
      config: { auth: 'consoleDeveloper', limit: 'management' },
      schema: {
        hide: true,
        body: Type.Object(
          { fullName: Type.Union([Type.String({ maxLength: 255 }), Type.Null()]) },
          { additionalProperties: false },
        ),
        response: { 200: Me },
      },
    },
    async (request) => {
      const a = await updateProfile(ctx, developerOf(request), { fullName: request.body.fullName });
      return { ...meBody(sessionOf(request)), fullName: a.fullName };
    },
  );
  app.post(
    '/console/api/account/password',
    {
      // Counted like sign-in attempts: the current password must not be guessable through this route.
      config: { auth: 'consoleDeveloper', limit: 'auth' },
      schema: {
        hide: true,
        body: Type.Object(
          { currentPassword: Password, newPassword: Type.String({ maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ ok: Type.Boolean(), sessionsEnded: Type.Integer() }) },
      },
    },
    async (request) => {
      const s = sessionOf(request);
      const changed = await changePassword(ctx, developerOf(request), request.body, s.id);
      // This session stays signed in and now holds the fresh tokens; every other sign-in has ended.
      await replaceSessionTokens(ctx, s.id, changed.tokens);
      return { ok: true, sessionsEnded: changed.sessionsEnded };
    },
  );

  // Developer keys (the account's own keys, used with the devkit face).
  app.get(
    '/console/api/developer-keys',
    {
      config: { auth: 'consoleDeveloper' },
      schema: { hide: true, response: { 200: Type.Object({ items: Type.Array(KeyRecordSchema) }) } },
    },
    async (request) => ({
      items: (await listDeveloperKeys(ctx, developerOf(request))).map(keyBody),
    }),
  );
  app.post(
    '/console/api/developer-keys',
    {
      config: { auth: 'consoleDeveloper' },
      schema: {
        hide: true,
        body: Type.Object(
          { name: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ key: KeyRecordSchema, secret: Type.String() }) },
      },
    },
    async (request) => {
      const created = await createDeveloperKey(ctx, developerOf(request), request.body.name?.trim() || null);
      return { key: keyBody(created), secret: created.key };
    },
  );
  app.delete(
    '/console/api/developer-keys/:id',
    {
      config: { auth: 'consoleDeveloper' },
      schema: { hide: true, params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: Ok } },
    },
    async (request) => {
      await revokeDeveloperKey(ctx, developerOf(request), request.params.id);
      return { ok: true };
    },
  );
}
