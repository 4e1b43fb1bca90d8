import { Type } from '@sinclair/typebox';
import { activateDevice } from '../../core/devices/activate-device.js';
import type { Device } from '../../core/devices/device.js';
import { deactivateDevice, heartbeatDevice } from '../../core/devices/holder-devices.js';
import { listLicenseDevices, removeLicenseDevice } from '../../core/devices/license-devices.js';
import { asApiCaller, header, originOf } from '../auth.js';
import { Nullable } from '../schemas.js';
import type { Routes } from '../typed.js';
import { ApiKeyHeaders, ok, SuccessEnvelope } from './envelope.js';

/* Devices and seats (issue 20): the license holder activates, heartbeats and deactivates its devices. */

const Fingerprint = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'A stable identifier of the device, printable ASCII',
});
const ComponentBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), fingerprint: Type.String({ minLength: 1, maxLength: 255 }) },
  { additionalProperties: false },
);
const ActivateBody = Type.Object(
  {
    fingerprint: Fingerprint,
    name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    platform: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    components: Type.Optional(
      Nullable(
        Type.Array(ComponentBody, {
          maxItems: 32,
          description: 'Hardware parts, matched on checks by the license component_match',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);

export const DeviceObject = Type.Object({
  id: Type.String({ format: 'uuid' }),
  fingerprint: Type.String(),
  name: Nullable(Type.String()),
  platform: Nullable(Type.String()),
  components: Nullable(Type.Array(Type.Object({ name: Type.String(), fingerprint: Type.String() }))),
  status: Type.Union([Type.Literal('active'), Type.Literal('deactivated'), Type.Literal('released')]),
  activated_at: Type.String({ format: 'date-time' }),
  last_heartbeat_at: Type.String({ format: 'date-time' }),
});
const HeartbeatObject = Type.Composite([
  DeviceObject,
  Type.Object({ next_heartbeat_before: Nullable(Type.String({ format: 'date-time' })) }),
]);

export const deviceBody = (d: Device) => ({
  id: d.id,
  fingerprint: d.fingerprint,
  name: d.name,
  platform: d.platform,
  components: d.components,
  status: d.status,
  activated_at: d.activatedAt,
  last_heartbeat_at: d.lastHeartbeatAt,
});

const LicenseHeaders = Type.Object({ 'x-license-key': Type.Optional(Type.String()) });
const FingerprintParams = Type.Object({ fingerprint: Fingerprint });

export const deviceRoutes: Routes = (app, ctx) => {
  const tags = ['devpayr: devices'];
  const config = { auth: 'license' } as const;

  app.post(
    '/api/v1/license/devices',
    {
      config,
      schema: {
        tags,
        summary: 'Activate this device on the license (201; the same fingerprint again: 200, the same device)',
        headers: LicenseHeaders,
        body: ActivateBody,
        response: { 200: SuccessEnvelope(DeviceObject), 201: SuccessEnvelope(DeviceObject) },
      },
    },
    async (request, reply) => {
      const actor = { kind: 'anonymous', origin: originOf(request) } as const;
      const { device, created } = await activateDevice(
        ctx,
        actor,
        header(request, 'x-license-key') || null,
        request.body,
      );
      return reply
        .code(created ? 201 : 200)
        .send(ok(created ? 'Device activated.' : 'Device already active.', deviceBody(device)));
    },
  );

  app.post(
    '/api/v1/license/devices/:fingerprint/heartbeat',
    {
      config,
      schema: {
        tags,
        summary: 'Report this device alive; the answer names the next deadline',
        headers: LicenseHeaders,
        params: FingerprintParams,
        response: { 200: SuccessEnvelope(HeartbeatObject) },
      },
    },
    async (request) => {
      const { device, nextHeartbeatBefore } = await heartbeatDevice(
        ctx,
        header(request, 'x-license-key') || null,
        request.params.fingerprint,
      );
      return ok('Heartbeat received.', { ...deviceBody(device), next_heartbeat_before: nextHeartbeatBefore });
    },
  );

  app.delete(
    '/api/v1/license/devices/:fingerprint',
    {
      config,
      schema: {
        tags,
        summary: 'Deactivate this device: its seat is freed',
        headers: LicenseHeaders,
        params: FingerprintParams,
        response: { 200: SuccessEnvelope(DeviceObject) },
      },
    },
    async (request) => {
      const actor = { kind: 'anonymous', origin: originOf(request) } as const;
      return ok(
        'Device deactivated.',
        deviceBody(
          await deactivateDevice(ctx, actor, header(request, 'x-license-key') || null, request.params.fingerprint),
        ),
      );
    },
  );

  const developer = { auth: 'apiKey', limit: 'management' } as const;
  const LicenseParams = Type.Object({ project: Type.String(), license: Type.String() });

  app.get(
    '/api/v1/project/:project/licenses/:license/devices',
    {
      config: developer,
      schema: {
        tags,
        summary: "A license's devices, active and ended, newest first (at most 500)",
        headers: ApiKeyHeaders,
        params: LicenseParams,
        response: { 200: SuccessEnvelope(Type.Array(DeviceObject)) },
      },
    },
    async (request) =>
      ok(
        'Devices retrieved.',
        (await listLicenseDevices(ctx, asApiCaller(request), request.params.project, request.params.license)).map(
          deviceBody,
        ),
      ),
  );

  app.delete(
    '/api/v1/project/:project/licenses/:license/devices/:device',
    {
      config: developer,
      schema: {
        tags,
        summary: "Deactivate one of the license's devices: its seat is freed",
        headers: ApiKeyHeaders,
        params: Type.Object({ project: Type.String(), license: Type.String(), device: Type.String() }),
        response: { 200: SuccessEnvelope(DeviceObject) },
      },
    },
    async (request) => {
      const { project, license, device } = request.params;
      return ok(
        'Device deactivated.',
        deviceBody(await removeLicenseDevice(ctx, asApiCaller(request), project, license, device)),
      );
    },
  );
};
