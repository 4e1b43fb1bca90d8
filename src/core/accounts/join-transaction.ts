import type { Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema/index.js';

/**
 * Runs `fn` in one transaction with a context whose `db` is that transaction. Core operations
 * called with it (createProject, createProjectKey ...) open "their own" transaction through
 * `db.transaction()`, which here joins the outer one instead of failing (Kysely does not nest),
 * so a composite operation commits or rolls back as a whole.
 */
export async function inTransaction<C extends { db: Db }, T>(
  ctx: C,
  fn: (tx: C, trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction().execute((trx) => fn({ ...ctx, db: joined(trx) }, trx));
}

function joined(trx: Transaction<Database>): Db {
  const transaction = () => ({ execute: <R>(f: (t: Transaction<Database>) => Promise<R>) => f(trx) });
  return new Proxy(trx, {
    get(target, prop) {
      if (prop === 'transaction') return transaction;
      // Kysely keeps its state in private fields: methods must run with the real instance as `this`.
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as unknown as Db;
}
