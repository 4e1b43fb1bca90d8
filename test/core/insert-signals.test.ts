import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { toConfig } from '../../src/config.js';
import { openDatabase, type OpenedDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { forEachDatabase, sharedDatabase } from '../support/harness.js';

forEachDatabase('inserts signalled to the background loops of this process', (kind) => {
  let opened: OpenedDatabase;
  let drop = async () => {};
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-signals-'));
  beforeAll(async () => {
    const shared = await sharedDatabase(kind);
    drop = shared.drop;
    opened = openDatabase(toConfig({ DATABASE_URL: shared.url, DATA_DIR: dataDir }));
    await migrateToLatest(opened.db, opened.dialect);
  });
  afterAll(async () => {
    await opened?.close();
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const change = (projectId: string) => ({
    project_id: projectId,
    license_id: null,
    key_hash: null,
    created_at: new Date(),
  });
  const visible = async (projectId: string) =>
    (await opened.db.selectFrom('runtime_changes').select('seq').where('project_id', '=', projectId).execute()).length;

  it('fires after the commit, once per table, when the rows are visible to every connection; never for a rollback', async () => {
    const seen: string[] = [];
    // What the listener sees is read right after it fires: on PostgreSQL from another pooled connection.
    const reads: Array<Promise<number>> = [];
    let project = 'committed';
    opened.inserted.on('runtime_changes', () => {
      seen.push('runtime_changes');
      reads.push(visible(project));
    });

    await opened.db.transaction().execute(async (trx) => {
      await trx.insertInto('runtime_changes').values(change('committed')).execute();
      await trx.insertInto('runtime_changes').values(change('committed')).execute();
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['runtime_changes']);
    expect(await Promise.all(reads)).toEqual([2]);

    await expect(
      opened.db.transaction().execute(async (trx) => {
        await trx.insertInto('runtime_changes').values(change('rolled-back')).execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(seen).toHaveLength(1);

    // Outside a transaction the insert is its own commit; an update is no new work.
    project = 'alone';
    await opened.db.insertInto('runtime_changes').values(change('alone')).execute();
    await opened.db
      .updateTable('runtime_changes')
      .set({ license_id: null })
      .where('project_id', '=', 'alone')
      .execute();
    expect(seen).toHaveLength(2);
    expect(await Promise.all(reads)).toEqual([2, 1]);
  });
});
