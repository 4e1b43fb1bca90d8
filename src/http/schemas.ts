import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_OVERLAP_SECONDS } from '../core/keys/overlap.js';

/** A value of `t`, or null: the one spelling of an optional column on both faces. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** The body of every reroll (issue 21): how long the old secret keeps working, 0 (not at all) to 30 days. */
export const RerollRequest = Type.Object(
  {
    overlap_seconds: Type.Integer({
      minimum: 0,
      maximum: MAX_OVERLAP_SECONDS,
      description: 'Seconds the old secret keeps working (0 to 30 days)',
    }),
  },
  { additionalProperties: false },
);
