import { Type } from '@sinclair/typebox';
import type { KeyRecord } from '../../core/keys/key-record.js';
import { createKey, listKeys, revokeKey, type KeyScope } from '../../core/keys/manage-keys.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireDeveloper } from '../auth.js';
import { applyRateLimit } from '../rate-limit.js';
import type { Routes } from '../typed.js';
import { DevkitAuthHeaders, Nullable } from './schemas.js';

const KeyResponse = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  key_prefix: Type.String(),
  is_active: Type.Boolean(),
  last_used_at: Nullable(Type.String()),
  created_at: Type.String(),
});
const KeyCreatedResponse = Type.Object({
  id: Type.String(),
  name: Nullable(Type.String()),
  key: Type.String(),
  key_prefix: Type.String(),
  is_active: Type.Boolean(),
  created_at: Type.String(),
});
const KeyCreateRequest = Type.Union([Type.Object({ name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))) }, { additionalProperties: false }), Type.Null()]);

const keyBody = (k: KeyRecord) => ({ id: k.id, name: k.name, key_prefix: k.keyPrefix, is_active: k.isActive, last_used_at: k.lastUsedAt, created_at: k.createdAt });

/** Developer keys (/auth/developer-keys) and project API keys (/projects/{id}/api-keys): one lifecycle, two scopes. */
export const keyRoutes: Routes = (app, ctx) => {
  const developer = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = await requireDeveloper(ctx, request);
    await applyRateLimit(ctx, reply, 'management', principal.userId, principal.tier);
    return principal;
  };
  const mounts: Array<{ base: string; tag: string; scope: (params: Record<string, string>) => KeyScope; idParam: string }> = [
    { base: '/api/v1/auth/developer-keys', tag: 'devkit: developer keys', scope: () => ({ kind: 'developer' }), idParam: 'key_id' },
    { base: '/api/v1/projects/:project_id/api-keys', tag: 'devkit: project API keys', scope: (p) => ({ kind: 'project', projectId: p.project_id! }), idParam: 'api_key_id' },
  ];
  for (const m of mounts) {
    const tags = [m.tag];
    app.get(m.base, { schema: { tags, summary: 'List keys', headers: DevkitAuthHeaders, response: { 200: Type.Array(KeyResponse) } } }, async (request, reply) =>
      (await listKeys(ctx, await developer(request, reply), m.scope(request.params as Record<string, string>))).map(keyBody),
    );
    app.post(m.base, { schema: { tags, summary: 'Create a key (shown once)', headers: DevkitAuthHeaders, body: KeyCreateRequest, response: { 201: KeyCreatedResponse } } }, async (request, reply) => {
      const principal = await developer(request, reply);
      const k = await createKey(ctx, principal, m.scope(request.params as Record<string, string>), (request.body as { name?: string | null } | null)?.name ?? null);
      return reply.code(201).send({ id: k.id, name: k.name, key: k.key, key_prefix: k.keyPrefix, is_active: k.isActive, created_at: k.createdAt });
    });
    app.delete(`${m.base}/:${m.idParam}`, { schema: { tags, summary: 'Revoke a key', headers: DevkitAuthHeaders } }, async (request, reply) => {
      const params = request.params as Record<string, string>;
      await revokeKey(ctx, await developer(request, reply), m.scope(params), params[m.idParam]!);
      return reply.code(204).send();
    });
  }
};
