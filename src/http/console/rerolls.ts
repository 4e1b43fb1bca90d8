import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { MAX_OVERLAP_SECONDS } from '../../core/keys/overlap.js';
import { rerollDeveloperKey, rerollProjectKey } from '../../core/keys/reroll-key.js';
import { rerollLicense } from '../../core/licenses/reroll-license.js';
import type { App } from '../typed.js';
import { developerOf, devWrite } from './caller.js';
import { IdParams, KeyRecordSchema, keyBody, LicenseSchema, licenseBody, N, ProjectItemParams } from './schemas.js';

const Body = Type.Object(
  { overlapSeconds: Type.Integer({ minimum: 0, maximum: MAX_OVERLAP_SECONDS }) },
  { additionalProperties: false },
);
const Until = N(Type.String());

/** The console's Reroll action (issue 21): a new secret, shown once, and until when the old one works. */
export function rerollRoutes(app: App, ctx: Context): void {
  const config = devWrite;
  const KeyAnswer = Type.Object({ key: KeyRecordSchema, secret: Type.String(), previousKeyExpiresAt: Until });

  app.post(
    '/console/api/developer-keys/:id/reroll',
    { config, schema: { hide: true, params: IdParams, body: Body, response: { 200: KeyAnswer } } },
    async (request) => {
      const k = await rerollDeveloperKey(ctx, developerOf(request), request.params.id, request.body.overlapSeconds);
      return { key: keyBody(k), secret: k.key, previousKeyExpiresAt: k.previousKeyExpiresAt };
    },
  );

  app.post(
    '/console/api/projects/:projectId/keys/:id/reroll',
    { config, schema: { hide: true, params: ProjectItemParams, body: Body, response: { 200: KeyAnswer } } },
    async (request) => {
      const { projectId, id } = request.params;
      const k = await rerollProjectKey(ctx, developerOf(request), projectId, id, request.body.overlapSeconds);
      return { key: keyBody(k), secret: k.key, previousKeyExpiresAt: k.previousKeyExpiresAt };
    },
  );

  app.post(
    '/console/api/projects/:projectId/licenses/:id/reroll',
    {
      config,
      schema: {
        hide: true,
        params: ProjectItemParams,
        body: Body,
        response: { 200: Type.Object({ license: LicenseSchema, secret: Type.String(), previousKeyExpiresAt: Until }) },
      },
    },
    async (request) => {
      const { projectId, id } = request.params;
      const r = await rerollLicense(ctx, developerOf(request), projectId, id, request.body.overlapSeconds);
      return { license: licenseBody(r.license), secret: r.key, previousKeyExpiresAt: r.previousKeyExpiresAt };
    },
  );
}
