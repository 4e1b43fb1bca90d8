import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { toConfig } from '../../src/config.js';
import { createContext } from '../../src/compose.js';
import type { Context } from '../../src/context.js';
import { announceExpiredLicenses } from '../../src/core/licenses/license-expiry.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { uuidv7 } from '../../src/lib/ids.js';
import { forEachDatabase } from '../support/harness.js';
import { createScratchDatabase } from '../support/services.js';
import { seedDeveloper } from '../support/seed.js';
import { seedLicense, seedProject } from '../devpayr/runtime-fixtures.js';

/** Migrations that move data, run over a database that holds data from before them. */
forEachDatabase('migrations over existing data', (kind) => {
  let ctx: Context;
  let drop: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (kind === 'postgres') {
      const scratch = await createScratchDatabase();
      databaseUrl = scratch.url;
      drop = scratch.drop;
    }
    const config = toConfig({
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-migrate-')),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    ctx = await createContext(config, { skipMigrations: true, log: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await ctx?.close();
    await drop?.();
  });

  it('004 keeps the expiries a runtime check already announced, and the sweeper announces only the others', async () => {
    await migrateToLatest(ctx.db, ctx.dialect, '003-runtime-feed');
    const dev = await seedDeveloper(ctx);
    const project = await seedProject(ctx, dev.userId);
    const expiredAt = new Date(Date.now() - 3_600_000);
    const announced = await seedLicense(ctx, project, { expiresAt: expiredAt, note: false });
    const unannounced = await seedLicense(ctx, project, { expiresAt: expiredAt, note: false });
    const stillValid = await seedLicense(ctx, project, { expiresAt: new Date(Date.now() + 3_600_000), note: false });
    const announcedAt = new Date(Date.now() - 1_800_000);
    // What the 003-era runtime check wrote when it first saw the expiry.
    await ctx.db
      .insertInto('events')
      .values({
        id: uuidv7(),
        owner_id: dev.userId,
        project_id: project,
        type: 'license.expired',
        payload: JSON.stringify({ license_id: announced.id, title: 'old', expires_at: expiredAt.toISOString() }),
        created_at: announcedAt,
      })
      .execute();

    const result = await migrateToLatest(ctx.db, ctx.dialect);
    expect(result.results?.map((r) => r.migrationName)).toContain('004-license-expiry');

    const rows = await ctx.db
      .selectFrom('licenses')
      .select(['id', 'expiry_event_at'])
      .where('project_id', '=', project)
      .execute();
    const at = Object.fromEntries(
      rows.map((r) => [r.id, r.expiry_event_at === null ? null : new Date(r.expiry_event_at).toISOString()]),
    );
    expect(at).toEqual({ [announced.id]: announcedAt.toISOString(), [unannounced.id]: null, [stillValid.id]: null });

    expect(await announceExpiredLicenses(ctx)).toBe(1);
    const events = await ctx.db
      .selectFrom('events')
      .select('payload')
      .where('project_id', '=', project)
      .where('type', '=', 'license.expired')
      .execute();
    // The 003-era event names its license `license_id`; events since 006 carry the license as the devpayr face shows it (`id`).
    expect(
      events
        .map((e) => {
          const p = JSON.parse(e.payload) as { license_id?: string; id?: string };
          return p.license_id ?? p.id;
        })
        .sort(),
    ).toEqual([announced.id, unannounced.id].sort());
  });
});
