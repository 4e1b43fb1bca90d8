import { Type } from '@sinclair/typebox';
import type { Context } from '../../context.js';
import { createProjectKey } from '../../core/keys/create-project-key.js';
import { listProjectKeys } from '../../core/keys/list-project-keys.js';
import { revokeProjectKey } from '../../core/keys/revoke-project-key.js';
import { TIERS } from '../../core/plans/tiers.js';
import { KeyRecordSchema, keyBody, N, Ok, ProjectItemParams, ProjectParams } from './schemas.js';
import type { App } from '../typed.js';
import { developerOf, dev, devWrite } from './caller.js';

/** A project's API keys: listed by prefix, created (the key shown once), revoked. */
export function projectKeyRoutes(app: App, ctx: Context): void {
  app.get(
    '/console/api/projects/:projectId/keys',
    {
      config: dev,
      schema: {
        hide: true,
        params: ProjectParams,
        response: { 200: Type.Object({ items: Type.Array(KeyRecordSchema), max: N(Type.Integer()) }) },
      },
    },
    async (request) => {
      const p = developerOf(request);
      return {
        items: (await listProjectKeys(ctx, p, request.params.projectId)).map(keyBody),
        max: TIERS[p.tier].maxApiKeysPerProject,
      };
    },
  );
  app.post(
    '/console/api/projects/:projectId/keys',
    {
      config: devWrite,
      schema: {
        hide: true,
        params: ProjectParams,
        body: Type.Object({ name: Type.Optional(N(Type.String({ maxLength: 255 }))) }, { additionalProperties: false }),
        response: { 200: Type.Object({ key: KeyRecordSchema, secret: Type.String() }) },
      },
    },
    async (request) => {
      const created = await createProjectKey(
        ctx,
        developerOf(request),
        request.params.projectId,
        request.body.name?.trim() || null,
      );
      return { key: keyBody(created), secret: created.key };
    },
  );
  app.delete(
    '/console/api/projects/:projectId/keys/:id',
    { config: devWrite, schema: { hide: true, params: ProjectItemParams, response: { 200: Ok } } },
    async (request) => {
      await revokeProjectKey(ctx, developerOf(request), request.params.projectId, request.params.id);
      return { ok: true };
    },
  );
}
