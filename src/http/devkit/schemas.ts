import { Type } from '@sinclair/typebox';

export { Nullable, RerollRequest } from '../schemas.js';

/** Documented for the OpenAPI page; checked by the `developer` credential (http/auth.ts, with the documented messages), not by the schema. */
export const DevkitAuthHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <access token>' })),
  'x-user-role': Type.Optional(Type.String({ description: 'developer' })),
  'x-developer-key': Type.Optional(Type.String({ description: 'An active developer key (ak_...)' })),
});

/** Path ids are checked in the core (unknown and foreign ids alike answer 404). */
export const ProjectIdParams = Type.Object({ project_id: Type.String() });

export const CountStats = Type.Object({ total: Type.Integer(), active: Type.Integer() });
