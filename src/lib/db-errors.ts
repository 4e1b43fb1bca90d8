/** True when a database error is a unique-constraint violation (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(err: unknown, constraintHint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string } | null;
  if (!e) return false;
  const unique =
    e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  if (!unique || !constraintHint) return unique;
  // PostgreSQL names the constraint; SQLite names the columns ("UNIQUE constraint failed: projects.slug").
  return (e.constraint ?? '').includes(constraintHint) || (e.message ?? '').includes(constraintHint);
}
