import type { ColumnType } from 'kysely';

/** PostgreSQL returns Date, SQLite returns ISO text; write either. */
export type Timestamp = ColumnType<Date | string, Date | string, Date | string>;
export type NullableTimestamp = ColumnType<
  Date | string | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** PostgreSQL returns boolean, SQLite returns 0/1; always write a boolean. */
export type Bool = ColumnType<boolean | number, boolean, boolean>;
