import { Type } from '@sinclair/typebox';
import { createDeveloperKey } from '../../core/keys/create-developer-key.js';
import type { CreatedKey, KeyRecord } from '../../core/keys/key-record.js';
import { listDeveloperKeys } from '../../core/keys/list-developer-keys.js';
import { revokeDeveloperKey } from '../../core/keys/revoke-developer-key.js';
import { rerollDeveloperKey } from '../../core/keys/reroll-key.js';
import { asDeveloper } from '../auth.js';
import type { Routes } from '../typed.js';
import { DevkitAuthHeaders, Nullable, RerollRequest } from './schemas.js';

const DeveloperKeyResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  key_prefix: Type.String(),
  is_active: Type.Boolean(),
  last_used_at: Nullable(Type.String({ format: 'date-time' })),
  created_at: Type.String({ format: 'date-time' }),
});
const DeveloperKeyCreatedResponse = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  key: Type.String(),
  key_prefix: Type.String(),
  is_active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
});
const DeveloperKeyRerolledResponse = Type.Composite([
  DeveloperKeyCreatedResponse,
  Type.Object({ previous_key_expires_at: Nullable(Type.String({ format: 'date-time' })) }),
]);
// create-developer-key.mdx: the name is optional, at most 100 characters. A body may be omitted.
const DeveloperKeyCreateRequest = Type.Union([
  Type.Object({ name: Type.Optional(Nullable(Type.String({ maxLength: 100 }))) }, { additionalProperties: false }),
  Type.Null(),
]);
const KeyIdParams = Type.Object({ key_id: Type.String({ format: 'uuid' }) });

// The reference shows an unnamed key's name as "" (create-developer-key.mdx).
const keyBody = (k: KeyRecord) => ({
  id: k.id,
  name: k.name ?? '',
  key_prefix: k.keyPrefix,
  is_active: k.isActive,
  last_used_at: k.lastUsedAt,
  created_at: k.createdAt,
});

const createdBody = (k: CreatedKey) => ({
  id: k.id,
  name: k.name ?? '',
  key: k.key,
  key_prefix: k.keyPrefix,
  is_active: k.isActive,
  created_at: k.createdAt,
});

/** Developer keys (cloud-api/auth/*-developer-key(s).mdx): bearer token + X-User-Role + X-Developer-Key. */
export const developerKeyRoutes: Routes = (app, ctx) => {
  const tags = ['devkit: developer keys'];
  const config = { auth: 'developer', limit: 'management' } as const;

  app.get(
    '/api/v1/auth/developer-keys',
    {
      config,
      schema: {
        tags,
        summary: 'List your active developer keys',
        headers: DevkitAuthHeaders,
        response: { 200: Type.Array(DeveloperKeyResponse) },
      },
    },
    async (request) => (await listDeveloperKeys(ctx, asDeveloper(request))).map(keyBody),
  );

  app.post(
    '/api/v1/auth/developer-keys',
    {
      config,
      schema: {
        tags,
        summary: 'Create a developer key (shown once; at most 10 active)',
        headers: DevkitAuthHeaders,
        body: DeveloperKeyCreateRequest,
        response: { 201: DeveloperKeyCreatedResponse },
      },
    },
    async (request, reply) => {
      const k = await createDeveloperKey(ctx, asDeveloper(request), request.body?.name?.trim() || null);
      return reply.code(201).send(createdBody(k));
    },
  );

  app.post(
    '/api/v1/auth/developer-keys/:key_id/reroll',
    {
      config,
      schema: {
        tags,
        summary: 'Give a developer key a new secret (shown once); the old one works for overlap_seconds more',
        headers: DevkitAuthHeaders,
        params: KeyIdParams,
        body: RerollRequest,
        response: { 200: DeveloperKeyRerolledResponse },
      },
    },
    async (request) => {
      const k = await rerollDeveloperKey(
        ctx,
        asDeveloper(request),
        request.params.key_id,
        request.body.overlap_seconds,
      );
      return { ...createdBody(k), previous_key_expires_at: k.previousKeyExpiresAt };
    },
  );

  app.delete(
    '/api/v1/auth/developer-keys/:key_id',
    {
      config,
      schema: {
        tags,
        summary: 'Revoke a developer key (not the one in use)',
        headers: DevkitAuthHeaders,
        params: KeyIdParams,
      },
    },
    async (request, reply) => {
      await revokeDeveloperKey(ctx, asDeveloper(request), request.params.key_id);
      return reply.code(204).send();
    },
  );
};
