import { Type } from '@sinclair/typebox';
import { createProjectKey } from '../../core/keys/create-project-key.js';
import type { KeyRecord } from '../../core/keys/key-record.js';
import { listProjectKeys } from '../../core/keys/list-project-keys.js';
import { revokeProjectKey } from '../../core/keys/revoke-project-key.js';
import { rerollProjectKey } from '../../core/keys/reroll-key.js';
import { asDeveloper } from '../auth.js';
import type { Routes } from '../typed.js';
import { DevkitAuthHeaders, Nullable, ProjectIdParams, RerollRequest } from './schemas.js';

const ApiKeyResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Nullable(Type.String()),
  key_prefix: Type.String(),
  project_id: Type.String({ format: 'uuid' }),
  is_active: Type.Boolean(),
  last_used_at: Nullable(Type.String({ format: 'date-time' })),
  created_at: Type.String({ format: 'date-time' }),
});
const ApiKeyCreatedResponse = Type.Object({ ...ApiKeyResponse.properties, key: Type.String() });
const ApiKeyRerolledResponse = Type.Object({
  ...ApiKeyCreatedResponse.properties,
  previous_key_expires_at: Nullable(Type.String({ format: 'date-time' })),
});
const ApiKeyCreateRequest = Type.Union([
  Type.Object({ name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))) }, { additionalProperties: false }),
  Type.Null(),
]);
/** Unknown and foreign ids alike answer 404 from the core. */
const ApiKeyParams = Type.Object({ project_id: Type.String(), api_key_id: Type.String() });

const keyBody = (k: KeyRecord) => ({
  id: k.id,
  name: k.name,
  key_prefix: k.keyPrefix,
  project_id: k.projectId!,
  is_active: k.isActive,
  last_used_at: k.lastUsedAt,
  created_at: k.createdAt,
});

/**
 * Project API keys (cloud-api/projects/*-api-key(s).mdx). The same developer credentials as
 * the other project routes (quickstart.mdx sends bearer token, X-User-Role and X-Developer-Key).
 */
export const apiKeyRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: project API keys'];
  const config = { auth: 'developer', limit: 'management' } as const;

  app.post(
    '/api/v1/projects/:project_id/api-keys',
    {
      config,
      schema: {
        tags,
        summary: 'Create a project API key (shown once; limited by tier)',
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        body: ApiKeyCreateRequest,
        response: { 201: ApiKeyCreatedResponse },
      },
    },
    async (request, reply) => {
      const k = await createProjectKey(
        ctx,
        asDeveloper(request),
        request.params.project_id,
        request.body?.name?.trim() || null,
      );
      return reply.code(201).send({ ...keyBody(k), key: k.key });
    },
  );

  app.get(
    '/api/v1/projects/:project_id/api-keys',
    {
      config,
      schema: {
        tags,
        summary: "List a project's active API keys",
        headers: DevkitAuthHeaders,
        params: ProjectIdParams,
        response: { 200: Type.Array(ApiKeyResponse) },
      },
    },
    async (request) => (await listProjectKeys(ctx, asDeveloper(request), request.params.project_id)).map(keyBody),
  );

  app.post(
    '/api/v1/projects/:project_id/api-keys/:api_key_id/reroll',
    {
      config,
      schema: {
        tags,
        summary: 'Give a project API key a new secret (shown once); the old one works for overlap_seconds more',
        headers: DevkitAuthHeaders,
        params: ApiKeyParams,
        body: RerollRequest,
        response: { 200: ApiKeyRerolledResponse },
      },
    },
    async (request) => {
      const { project_id, api_key_id } = request.params;
      const k = await rerollProjectKey(ctx, asDeveloper(request), project_id, api_key_id, request.body.overlap_seconds);
      return { ...keyBody(k), key: k.key, previous_key_expires_at: k.previousKeyExpiresAt };
    },
  );

  app.delete(
    '/api/v1/projects/:project_id/api-keys/:api_key_id',
    { config, schema: { tags, summary: 'Revoke a project API key', headers: DevkitAuthHeaders, params: ApiKeyParams } },
    async (request, reply) => {
      await revokeProjectKey(ctx, asDeveloper(request), request.params.project_id, request.params.api_key_id);
      return reply.code(204).send();
    },
  );
};
