import type { SelectQueryBuilder, Transaction } from 'kysely';
import type { Dialect } from '../config.js';
import type { Db } from './database.js';
import type { Database } from './schema/index.js';

/** The keys of the due rows: a subquery (taken in the same statement) or the list a per-row check let through. */
export type DueKeys = SelectQueryBuilder<Database, any, Record<string, string>> | string[];

export interface LeasedClaim<R> {
  /**
   * The due rows' keys, one column, ordered and limited: rows whose time has come and whose
   * lease is free or lapsed. Built on `db`, which is a transaction when `admit` is given.
   */
  due(db: Db | Transaction<Database>): SelectQueryBuilder<Database, any, Record<string, string>>;
  /** Sets the lease (owner or token, until) on the rows of `keys` and returns them. */
  take(db: Db | Transaction<Database>, keys: DueKeys): Promise<R[]>;
  /**
   * PostgreSQL only, optional: a check of one locked candidate, in the claim's transaction, for
   * a limit no single statement can hold under concurrency (a developer's job slots). Each
   * candidate admitted is taken at once (the next check sees it), up to `limit`; on SQLite
   * `due` holds the limit itself.
   */
  admit?(trx: Transaction<Database>, key: string): Promise<boolean>;
}

/**
 * The one way work rows are claimed, so that several processes share them and none is taken
 * twice while its lease holds.
 *
 * SQLite: one UPDATE … WHERE key IN (SELECT … LIMIT n) is atomic (one writer at a time; with
 * several processes on one file the write lock is taken first, db/sqlite-dialect.ts).
 * PostgreSQL: the SELECT locks its rows FOR UPDATE SKIP LOCKED, so processes claiming at once
 * take different rows instead of waiting on each other, in the same statement as the UPDATE,
 * or, with `admit`, in one transaction that checks each candidate first.
 */
export async function claimLeased<R>(
  ctx: { db: Db; dialect: Dialect },
  limit: number,
  claim: LeasedClaim<R>,
): Promise<R[]> {
  if (ctx.dialect === 'sqlite') return claim.take(ctx.db, claim.due(ctx.db));
  const { admit } = claim;
  if (!admit) return claim.take(ctx.db, claim.due(ctx.db).forUpdate().skipLocked());
  return ctx.db.transaction().execute(async (trx) => {
    const candidates = await claim.due(trx).forUpdate().skipLocked().execute();
    const taken: R[] = [];
    for (const c of candidates) {
      if (taken.length === limit) break;
      const key = Object.values(c)[0]!;
      if (await admit(trx, key)) taken.push(...(await claim.take(trx, [key])));
    }
    return taken;
  });
}
