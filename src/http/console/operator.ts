import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { listDevelopers } from '../../core/accounts/list-developers.js';
import { registerDeveloper } from '../../core/accounts/register-developer.js';
import { setDeveloperTier } from '../../core/accounts/set-tier.js';
import { TIER_NAMES, TIERS } from '../../core/plans/tiers.js';
import type { App } from '../typed.js';
import { asOperator } from '../auth.js';
import { N, PageQuery, pageOf } from './schemas.js';
import { InstanceHealthSchema } from './shapes.js';
import { setSignUpOpen, signUpOpen } from '../../core/accounts/instance-settings.js';
import { instanceHealth } from '../../core/stats/operator-health.js';

const DeveloperSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  fullName: N(Type.String()),
  tier: Type.String(),
  isActive: Type.Boolean(),
  createdAt: Type.String(),
  projects: Type.Integer(),
});

export function operatorRoutes(app: App, ctx: Context): void {
  const op = { auth: 'consoleOperator' as const };
  app.get(
    '/console/api/operator/developers',
    {
      config: op,
      schema: {
        hide: true,
        querystring: Type.Object(
          { ...PageQuery, search: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Intersect([
            pageOf(DeveloperSchema),
            Type.Object({ tiers: Type.Array(Type.Object({ name: Type.String(), label: Type.String() })) }),
          ]),
        },
      },
    },
    async (request) => {
      const page = await listDevelopers(
        ctx,
        asOperator(request),
        { cursor: request.query.cursor ?? null, perPage: request.query.perPage },
        { search: request.query.search?.trim() || null },
      );
      return { ...page, tiers: TIER_NAMES.map((name) => ({ name, label: TIERS[name].label })) };
    },
  );
  app.put(
    '/console/api/operator/developers/:id/tier',
    {
      config: op,
      schema: {
        hide: true,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ tier: Type.String({ maxLength: 32 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), email: Type.String(), tier: Type.String() }) },
      },
    },
    async (request) =>
      setDeveloperTier(ctx, asOperator(request), { developer: request.params.id, tier: request.body.tier }),
  );
  app.post(
    '/console/api/operator/developers',
    {
      config: op,
      schema: {
        hide: true,
        body: Type.Object(
          {
            email: Type.String({ maxLength: 320 }),
            password: Type.String({ maxLength: 200 }),
            fullName: Type.Optional(N(Type.String({ maxLength: 255 }))),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            id: Type.String(),
            email: Type.String(),
            isActive: Type.Boolean(),
            reveal: Type.Object({ projectId: Type.String(), developerKey: Type.String(), apiKey: Type.String() }),
          }),
        },
      },
    },
    async (request) => {
      const r = await registerDeveloper(ctx, asOperator(request), {
        email: request.body.email,
        password: request.body.password,
        fullName: request.body.fullName?.trim() || null,
      });
      return { id: r.id, email: r.email, isActive: r.isActive, reveal: r.provisioning! };
    },
  );
  app.get(
    '/console/api/operator/settings',
    { config: op, schema: { hide: true, response: { 200: Type.Object({ signUpOpen: Type.Boolean() }) } } },
    async () => ({
      signUpOpen: await signUpOpen(ctx),
    }),
  );
  app.put(
    '/console/api/operator/settings',
    {
      config: op,
      schema: {
        hide: true,
        body: Type.Object({ signUpOpen: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Object({ signUpOpen: Type.Boolean() }) },
      },
    },
    async (request) => ({ signUpOpen: await setSignUpOpen(ctx, asOperator(request), request.body.signUpOpen) }),
  );
  // The instance's health (core/stats/operator-health.ts): the parts, the background loops, the version.
  app.get(
    '/console/api/operator/health',
    { config: op, schema: { hide: true, response: { 200: InstanceHealthSchema } } },
    async (request) => instanceHealth(ctx, asOperator(request)),
  );
}
