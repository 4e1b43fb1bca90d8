import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../../config.js';

/** The UTC day (YYYY-MM-DD) of a timestamp column, in SQL both dialects answer alike. */
export function utcDayOf(dialect: Dialect, column: string): RawBuilder<string> {
  return dialect === 'postgres'
    ? sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD')`
    : sql<string>`substr(${sql.ref(column)}, 1, 10)`;
}

/** The first instant of the window of the last `days` UTC days, today included. */
export function windowStart(now: Date, days: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
}

/** One entry per day of the window, oldest first, with the day's count or 0. */
export function zeroFilled(
  from: Date,
  days: number,
  rows: Array<{ day: string; n: number | string | bigint | null }>,
): Array<{ day: string; count: number }> {
  const byDay = new Map(rows.map((r) => [r.day, Number(r.n ?? 0)]));
  return Array.from({ length: days }, (_, i) => {
    const day = new Date(from.getTime() + i * 86400_000).toISOString().slice(0, 10);
    return { day, count: byDay.get(day) ?? 0 };
  });
}
