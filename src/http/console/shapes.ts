import { Type } from '@sinclair/typebox';

/*
 * Response schemas the console's pages read, in a module that imports nothing but TypeBox:
 * the front-end (console/) takes its types from here with `import type` and `Static<>`, so a
 * field the server adds or renames is a type error in the page, not a silent undefined.
 */

export const HealthCheckSchema = Type.Object({
  name: Type.String(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('off'), Type.Literal('warning'), Type.Literal('error')]),
  summary: Type.String(),
});
export const InstanceHealthSchema = Type.Object({
  version: Type.String(),
  node: Type.String(),
  uptimeSeconds: Type.Integer(),
  checkedAt: Type.String(),
  components: Type.Array(HealthCheckSchema),
  loops: Type.Array(HealthCheckSchema),
});
