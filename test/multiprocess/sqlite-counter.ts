import { sql } from 'kysely';
import { readEnv, toConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';

/**
 * One OS process of sqlite-writers.test.ts: `argv[2]` transactions on the SQLite file of
 * DATABASE_URL, four at a time, each reading a counter and, after yielding to the others,
 * writing it back plus one. Prints `{"done": n, "errors": {code: count}}`.
 */
const total = Number(process.argv[2]);
const { db, close } = openDatabase(toConfig(readEnv()));
await sql`create table if not exists multiprocess_counter (id integer primary key, n integer not null)`.execute(db);
await sql`insert or ignore into multiprocess_counter (id, n) values (1, 0)`.execute(db);

let done = 0;
let started = 0;
const errors: Record<string, number> = {};
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (started < total) {
      started++;
      try {
        await db.transaction().execute(async (trx) => {
          const r = await sql<{ n: number }>`select n from multiprocess_counter where id = 1`.execute(trx);
          await new Promise((resolve) => setImmediate(resolve));
          await sql`update multiprocess_counter set n = ${Number(r.rows[0]!.n) + 1} where id = 1`.execute(trx);
        });
        done++;
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err as Error).message;
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }
  }),
);
await close();
process.stdout.write(`${JSON.stringify({ done, errors })}\n`);
