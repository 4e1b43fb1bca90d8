import { Type } from '@sinclair/typebox';
import { checkLicense } from '../../core/runtime/index.js';
import { checkoutForHolder, checkoutForOwner } from '../../core/license-files/checkout-license.js';
import { DEFAULT_TTL, MAX_TTL, MIN_TTL, type Checkout } from '../../core/license-files/issue-file.js';
import { asApiCaller, header, originOf } from '../auth.js';
import type { Routes } from '../typed.js';
import { ApiKeyHeaders, ok, SuccessEnvelope } from './envelope.js';
import { passOrThrow } from './has-paid.js';
import { LICENSING_TAGS } from './signing-keys.js';

/* Offline license files (issue 20): for the license holder, and for the developer shipping to an air-gapped customer. */

const CheckoutFields = {
  ttl: Type.Optional(
    Type.Integer({
      minimum: MIN_TTL,
      maximum: MAX_TTL,
      description: `Seconds the file is valid (default ${DEFAULT_TTL}, never past the license's own expiry)`,
    }),
  ),
  fingerprint: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'Binds the file to one device: a MACHINE FILE',
    }),
  ),
  encrypt: Type.Optional(
    Type.Boolean({ description: 'Encrypt for the license key (default: true when the key is known)' }),
  ),
};
const HolderBody = Type.Object(CheckoutFields, { additionalProperties: false });
const OwnerBody = Type.Object(
  {
    ...CheckoutFields,
    license_key: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description: "The license's key: the file is encrypted only with it",
      }),
    ),
  },
  { additionalProperties: false },
);

const CheckoutObject = Type.Object({
  certificate: Type.String({ description: 'The armored license file' }),
  issued_at: Type.String(),
  expires_at: Type.String(),
  ttl: Type.Integer(),
});
const CheckoutResponse = SuccessEnvelope(CheckoutObject);

const answer = (c: Checkout) =>
  ok('License file issued.', {
    certificate: c.certificate,
    issued_at: c.issuedAt,
    expires_at: c.expiresAt,
    ttl: c.ttl,
  });

export const licenseCheckoutRoutes: Routes = (app, ctx) => {
  const tags = LICENSING_TAGS;

  app.post(
    '/api/v1/license/checkout',
    {
      config: { auth: 'license' },
      schema: {
        tags,
        summary:
          'An offline license file for this license key (checked as has-paid checks it: domain binding included)',
        headers: Type.Object({
          'x-license-key': Type.Optional(Type.String()),
          'x-devpayr-domain': Type.Optional(Type.String()),
        }),
        body: Type.Optional(HolderBody),
        response: { 200: CheckoutResponse },
      },
    },
    async (request) => {
      const licenseKey = header(request, 'x-license-key') || null;
      const body = request.body ?? {};
      // The file's fingerprint is the device the seat rule asks for (a license with max_devices).
      const check = {
        licenseKey,
        domain: header(request, 'x-devpayr-domain') ?? null,
        ip: request.ip,
        action: null,
        projectId: null,
        device: body.fingerprint ?? null,
      };
      passOrThrow(await checkLicense(ctx, check));
      return answer(await checkoutForHolder(ctx, { kind: 'anonymous', origin: originOf(request) }, licenseKey!, body));
    },
  );

  app.post(
    '/api/v1/project/:project/licenses/:license/checkout',
    {
      config: { auth: 'apiKey', limit: 'management' },
      schema: {
        tags,
        summary: "An offline license file of one of your licenses, encrypted when the body carries the license's key",
        headers: ApiKeyHeaders,
        params: Type.Object({ project: Type.String(), license: Type.String() }),
        body: Type.Optional(OwnerBody),
        response: { 200: CheckoutResponse },
      },
    },
    async (request) => {
      const { license_key: licenseKey, ...rest } = request.body ?? {};
      const c = await checkoutForOwner(ctx, asApiCaller(request), request.params.project, request.params.license, {
        ...rest,
        licenseKey: licenseKey ?? null,
      });
      return answer(c);
    },
  );
};
