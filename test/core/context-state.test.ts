import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { toConfig } from '../../src/config.js';
import { createPasswords } from '../../src/core/accounts/passwords.js';
import { openDatabase } from '../../src/db/database.js';
import { createScratchDatabase, PG_URL } from '../support/services.js';

describe('state lives in what the context opens, not in modules', () => {
  it.runIf(inject('postgres'))(
    "parses BIGINT as a number on the pool it opens, leaving pg's process-wide parsers alone",
    async () => {
      const scratch = await createScratchDatabase();
      const opened = openDatabase(toConfig({ DATABASE_URL: scratch.url }));
      const other = new pg.Client({ connectionString: PG_URL });
      try {
        const r = await sql<{ n: unknown }>`select count(*) as n`.execute(opened.db);
        expect(r.rows[0]!.n).toBe(1);
        // Another pg user in the same process still gets pg's default: BIGINT as text.
        await other.connect();
        const raw = await other.query('select count(*) as n');
        expect(raw.rows[0].n).toBe('1');
        expect(pg.types.getTypeParser(20, 'text')('12')).toBe('12');
      } finally {
        await other.end().catch(() => {});
        await opened.close();
        await scratch.drop();
      }
    },
  );

  it("hashes passwords with each context's own cost, and answers an unknown account with false", async () => {
    const cheap = createPasswords({ passwordHashMemoryKib: 1024 });
    const dearer = createPasswords({ passwordHashMemoryKib: 2048 });
    const h1 = await cheap.hash('SecurePass123');
    const h2 = await dearer.hash('SecurePass123');
    expect(h1).toMatch(/^\$argon2id\$v=19\$m=1024,/);
    expect(h2).toMatch(/^\$argon2id\$v=19\$m=2048,/);
    expect(await cheap.verify(h2, 'SecurePass123')).toBe(true);
    expect(await cheap.verify(h2, 'WrongPass123')).toBe(false);
    expect(await cheap.verify(null, 'SecurePass123')).toBe(false);
    expect(await dearer.verify(null, 'not-a-real-password-0')).toBe(false);
  });
});
