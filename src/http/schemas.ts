import { Type, type TSchema } from '@sinclair/typebox';

/** A value of `t`, or null: the one spelling of an optional column on both faces. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
