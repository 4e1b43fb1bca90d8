import { Type } from '@sinclair/typebox';
import { INJECTABLE_MODES, INJECTABLE_TYPES } from '../../core/injectables/kinds.js';

/*
 * Response schemas the console's pages read, in a module that imports nothing but TypeBox and
 * the core's import-free lists: the front-end (console/) takes its types from here with
 * `import type` and `Static<>`, so a field the server adds or renames is a type error in the
 * page, not a silent undefined.
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

/** An injectable's type and mode as the core lists them: the console labels each, so a type the core adds is a compile error there. */
export const InjectableTypeSchema = Type.Union(INJECTABLE_TYPES.map((t) => Type.Literal(t)));
export const InjectableModeSchema = Type.Union(INJECTABLE_MODES.map((m) => Type.Literal(m)));
