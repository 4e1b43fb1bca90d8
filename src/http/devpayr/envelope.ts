import { Type, type TSchema } from '@sinclair/typebox';
import type { PageRequest } from '../../core/licenses/cursor-page.js';
import { Nullable } from '../schemas.js';

/* The DevPayr success envelope and the list/paging conventions every devpayr route shares. */

export const SuccessEnvelope = <T extends TSchema>(data: T) =>
  Type.Object({ status: Type.Literal('success'), message: Type.String(), data, errors: Type.Null() });

export const ListEnvelope = <T extends TSchema>(item: T) =>
  SuccessEnvelope(Type.Object({ data: Type.Array(item), next_cursor: Nullable(Type.String()) }));

export const ok = <T>(message: string, data: T) => ({ status: 'success' as const, message, data, errors: null });

export const ApiKeyHeaders = Type.Object({
  'x-api-key': Type.Optional(Type.String({ description: 'A global or project-scoped API key' })),
});

/** Clients append include/action/per_page to every call: unknown query parameters are ignored. */
export const ListQuery = Type.Object({ per_page: Type.Optional(Type.String()), cursor: Type.Optional(Type.String()) });

export function pageRequest(query: { per_page?: string; cursor?: string }): PageRequest {
  const n = query.per_page !== undefined && /^\s*\d+\s*$/.test(query.per_page) ? Number(query.per_page) : undefined;
  return { perPage: n, cursor: query.cursor ?? null };
}
