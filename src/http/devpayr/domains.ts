import { Type } from '@sinclair/typebox';
import { createDomain } from '../../core/domains/create-domain.js';
import { deleteDomain } from '../../core/domains/delete-domain.js';
import type { Domain } from '../../core/domains/domain.js';
import type { DomainInput } from '../../core/domains/domain-input.js';
import { getDomain } from '../../core/domains/get-domain.js';
import { listDomains } from '../../core/domains/list-domains.js';
import { updateDomain } from '../../core/domains/update-domain.js';
import type { Routes } from '../typed.js';
import { asApiCaller } from '../auth.js';
import { ApiKeyHeaders, ListEnvelope, ListQuery, ok, pageRequest, SuccessEnvelope } from './envelope.js';
import { domainBody, DomainObject, Environment } from '../resources.js';

const domainFields = {
  environment: Type.Optional(Environment),
  is_primary: Type.Optional(Type.Boolean()),
  is_verified: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
  has_paid: Type.Optional(Type.Boolean()),
};
const DomainCreateBody = Type.Object(
  {
    domain: Type.String({ description: 'A host name, localhost[:port], IPv4[:port] or [IPv6][:port]; no wildcards' }),
    ...domainFields,
  },
  { additionalProperties: false },
);
const DomainUpdateBody = Type.Object(
  { domain: Type.Optional(Type.String()), ...domainFields },
  { additionalProperties: false },
);

type DomainBody = {
  domain?: string;
  environment?: Domain['environment'];
  is_primary?: boolean;
  is_verified?: boolean;
  is_active?: boolean;
  has_paid?: boolean;
};
function domainInput(b: DomainBody | undefined): DomainInput {
  return {
    domain: b?.domain,
    environment: b?.environment,
    isPrimary: b?.is_primary,
    isVerified: b?.is_verified,
    isActive: b?.is_active,
    hasPaid: b?.has_paid,
  };
}

const ProjectParams = Type.Object({ project: Type.String() });
const DomainParams = Type.Object({ project: Type.String(), domain: Type.String() });

export const domainRoutes: Routes = (app, ctx) => {
  const tags = ['devpayr: domains'];
  const config = { auth: 'apiKey', limit: 'management' } as const;

  app.get(
    '/api/v1/project/:project/domains',
    {
      config,
      schema: {
        tags,
        summary: 'List domains (newest first)',
        headers: ApiKeyHeaders,
        params: ProjectParams,
        querystring: ListQuery,
        response: { 200: ListEnvelope(DomainObject) },
      },
    },
    async (request, _reply) => {
      const principal = asApiCaller(request);
      const page = await listDomains(ctx, principal, request.params.project, pageRequest(request.query));
      return ok('Domains retrieved.', { data: page.items.map(domainBody), next_cursor: page.nextCursor });
    },
  );

  app.post(
    '/api/v1/project/:project/domains',
    {
      config,
      schema: {
        tags,
        summary: 'Register a domain',
        headers: ApiKeyHeaders,
        params: ProjectParams,
        body: DomainCreateBody,
        response: { 201: SuccessEnvelope(DomainObject) },
      },
    },
    async (request, reply) => {
      const principal = asApiCaller(request);
      const domain = await createDomain(ctx, principal, request.params.project, domainInput(request.body));
      return reply.code(201).send(ok('Domain created.', domainBody(domain)));
    },
  );

  // The clients use the singular path for show/update and the plural one for delete: both serve all three.
  for (const segment of ['domain', 'domains']) {
    const path = `/api/v1/project/:project/${segment}/:domain`;
    app.get(
      path,
      {
        config,
        schema: {
          tags,
          summary: `Show a domain (${segment})`,
          headers: ApiKeyHeaders,
          params: DomainParams,
          response: { 200: SuccessEnvelope(DomainObject) },
        },
      },
      async (request, _reply) => {
        const principal = asApiCaller(request);
        return ok(
          'Domain retrieved.',
          domainBody(await getDomain(ctx, principal, request.params.project, request.params.domain)),
        );
      },
    );
    for (const method of ['put', 'patch'] as const) {
      app[method](
        path,
        {
          config,
          schema: {
            tags,
            summary: `Update a domain (${segment})`,
            headers: ApiKeyHeaders,
            params: DomainParams,
            body: DomainUpdateBody,
            response: { 200: SuccessEnvelope(DomainObject) },
          },
        },
        async (request, _reply) => {
          const principal = asApiCaller(request);
          const domain = await updateDomain(
            ctx,
            principal,
            request.params.project,
            request.params.domain,
            domainInput(request.body),
          );
          return ok('Domain updated.', domainBody(domain));
        },
      );
    }
    app.delete(
      path,
      {
        config,
        schema: {
          tags,
          summary: `Delete a domain (${segment}; 200, never 204)`,
          headers: ApiKeyHeaders,
          params: DomainParams,
          response: { 200: SuccessEnvelope(Type.Null()) },
        },
      },
      async (request, _reply) => {
        const principal = asApiCaller(request);
        await deleteDomain(ctx, principal, request.params.project, request.params.domain);
        return ok('Domain deleted.', null);
      },
    );
  }
};
