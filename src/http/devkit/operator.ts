import { Type } from '@sinclair/typebox';
import { setDeveloperTier } from '../../core/accounts/set-tier.js';
import { TIER_NAMES } from '../../core/plans/tiers.js';
import { asOperator } from '../auth.js';
import type { Routes } from '../typed.js';

/** Operator-only routes of our own design (tag 'tollgate: operator'): plan tiers of developers. */
export const operatorRoutes: Routes = (app, ctx) => {
  app.put(
    '/api/v1/operator/developers/:developer/tier',
    {
      config: { auth: 'operator' },
      schema: {
        tags: ['tollgate: operator'],
        summary: "Change a developer's plan tier (by id or email)",
        headers: Type.Object({ 'x-operator-key': Type.Optional(Type.String()) }),
        params: Type.Object({ developer: Type.String({ maxLength: 320 }) }),
        body: Type.Object(
          { tier: Type.Union(TIER_NAMES.map((t) => Type.Literal(t))) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ id: Type.String(), email: Type.String(), tier: Type.String() }) },
      },
    },
    async (request) =>
      setDeveloperTier(ctx, asOperator(request), { developer: request.params.developer, tier: request.body.tier }),
  );
};
