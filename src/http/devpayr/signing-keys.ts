import { Type } from '@sinclair/typebox';
import { DEFAULT_GRACE_DAYS, rotateSigningKey } from '../../core/signing/rotate-signing-key.js';
import { instanceJwks } from '../../core/signing/instance-key.js';
import { listSigningKeys, projectJwks } from '../../core/signing/list-signing-keys.js';
import type { PublishedKey } from '../../core/signing/project-keys.js';
import { asApiCaller } from '../auth.js';
import { Nullable } from '../schemas.js';
import type { Routes } from '../typed.js';
import { ApiKeyHeaders, ok, SuccessEnvelope } from './envelope.js';

/* A project's signing keys (issue 20), for its owner, and the public JWKS verifiers fetch. */

export const LICENSING_TAGS = ['tollgate: licensing'];

const SigningKeyObject = Type.Object({
  kid: Type.String(),
  alg: Type.Literal('ed25519'),
  public_key: Type.String({ description: 'SPKI PEM' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('retiring')]),
  created_at: Type.String(),
  retires_at: Nullable(Type.String()),
});

const Jwk = Type.Object({
  kty: Type.Literal('OKP'),
  crv: Type.Literal('Ed25519'),
  x: Type.String(),
  kid: Type.String(),
  alg: Type.Literal('EdDSA'),
  use: Type.Literal('sig'),
});
const Jwks = Type.Object({ keys: Type.Array(Jwk) });

const RotateBody = Type.Object(
  {
    grace_days: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 365,
        description: `How long the previous key keeps verifying (default ${DEFAULT_GRACE_DAYS})`,
      }),
    ),
  },
  { additionalProperties: false },
);

const keyBody = (k: PublishedKey) => ({
  kid: k.kid,
  alg: k.alg,
  public_key: k.publicKey,
  status: k.status,
  created_at: k.createdAt,
  retires_at: k.retiresAt,
});

/** Verifiers may keep a JWKS this long; one meeting an unknown kid fetches it again. */
const JWKS_CACHE = 'public, max-age=300';

export const signingKeyRoutes: Routes = (app, ctx) => {
  const tags = LICENSING_TAGS;
  const config = { auth: 'apiKey', limit: 'management' } as const;
  const params = Type.Object({ project: Type.String() });

  app.get(
    '/api/v1/project/:project/signing-keys',
    {
      config,
      schema: {
        tags,
        summary: "The project's signing keys that still verify: the active one and those retiring",
        headers: ApiKeyHeaders,
        params,
        response: { 200: SuccessEnvelope(Type.Array(SigningKeyObject)) },
      },
    },
    async (request) =>
      ok(
        'Signing keys retrieved.',
        (await listSigningKeys(ctx, asApiCaller(request), request.params.project)).map(keyBody),
      ),
  );

  app.post(
    '/api/v1/project/:project/signing-keys/rotate',
    {
      config,
      schema: {
        tags,
        summary: 'A new active key; the previous one retires after grace_days',
        headers: ApiKeyHeaders,
        params,
        body: RotateBody,
        response: { 200: SuccessEnvelope(Type.Array(SigningKeyObject)) },
      },
    },
    async (request) => {
      const keys = await rotateSigningKey(
        ctx,
        asApiCaller(request),
        request.params.project,
        request.body.grace_days ?? DEFAULT_GRACE_DAYS,
      );
      return ok('Signing key rotated.', keys.map(keyBody));
    },
  );

  app.get(
    '/.well-known/tollgate/:project_id/jwks.json',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: "A project's public keys (active and retiring) as a JWKS",
        params: Type.Object({ project_id: Type.String() }),
        response: { 200: Jwks },
      },
    },
    async (request, reply) => {
      const jwks = await projectJwks(ctx, request.params.project_id);
      return reply.header('cache-control', JWKS_CACHE).send(jwks);
    },
  );

  app.get(
    '/.well-known/tollgate/jwks.json',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: "The instance's own public key, which signs answers about no known project",
        response: { 200: Jwks },
      },
    },
    async (_request, reply) => reply.header('cache-control', JWKS_CACHE).send(await instanceJwks(ctx)),
  );
};
