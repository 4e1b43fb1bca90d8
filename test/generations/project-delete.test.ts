import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { toConfig } from '../../src/config.js';
import { createContext } from '../../src/compose.js';
import { deleteProject } from '../../src/core/projects/delete-project.js';
import { forEachDatabase, startServer, type DbKind, type TestServer } from '../support/harness.js';
import { createScratchDatabase } from '../support/services.js';
import {
  eventually,
  FAST_JOBS,
  finishedGenerations,
  projectBlobKeys,
  queuedBlobDeletions,
  send,
  seedProjectUser,
  storedBlobs,
  type SeededEndUser,
} from './fixtures.js';

forEachDatabase('generations: deleting a project deletes its generations’ images (local store)', (kind) => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startServer(kind, { env: FAST_JOBS });
  });
  afterAll(() => s.close());

  const faces: Array<[string, (u: SeededEndUser) => Promise<number>]> = [
    [
      'devkit',
      async (u) =>
        (await send(s.url, 'DELETE', `/api/v1/projects/${u.projectId}`, { headers: u.developer.headers })).status,
    ],
    [
      'devpayr',
      async (u) =>
        (await send(s.url, 'DELETE', `/api/v1/project/${u.projectId}`, { headers: u.developer.apiKeyHeaders })).status,
    ],
  ];
  for (const [face, remove] of faces) {
    it(`${face} face: the project's example and result files go, another project's stay`, async () => {
      const u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
      const other = await seedProjectUser(s.ctx, { developer: u.developer, tier: 'cloud_premium' });
      await finishedGenerations(s.url, u);
      await finishedGenerations(s.url, other);
      const keys = await projectBlobKeys(s.ctx, u.projectId);
      const otherKeys = await projectBlobKeys(s.ctx, other.projectId);
      expect(keys).toHaveLength(6);
      expect(await storedBlobs(s.ctx, keys)).toBe(6);

      expect(await remove(u)).toBeLessThan(300);
      expect(
        await s.ctx.db.selectFrom('generations').select('id').where('project_id', '=', u.projectId).execute(),
      ).toEqual([]);
      await eventually(
        'the files are deleted',
        async () => (await storedBlobs(s.ctx, keys)) === 0 && (await queuedBlobDeletions(s.ctx)) === 0,
      );
      // The generations' folders go with their files; the other project's are untouched.
      const root = path.join(s.config.dataDir, 'blobs', 'generations');
      const folders = new Set(keys.map((k) => k.split('/')[1]));
      expect(fs.readdirSync(root).filter((d) => folders.has(d))).toEqual([]);
      expect(await storedBlobs(s.ctx, otherKeys)).toBe(6);
    });
  }
});

forEachDatabase(
  'generations: the images of a deleted project go even if the process dies after the delete',
  (kind: DbKind) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-gen-delete-'));
    let databaseUrl: string | undefined;
    let drop: (() => Promise<void>) | null = null;

    beforeAll(async () => {
      if (kind === 'postgres') ({ url: databaseUrl, drop } = await createScratchDatabase());
    });
    afterAll(async () => {
      await drop?.();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const env = { ...FAST_JOBS, DATA_DIR: dir };

    it('the deletion is queued in the delete’s transaction; a process started later removes the files', async () => {
      const first = await startServer(kind, { env, ...(databaseUrl ? { databaseUrl } : {}) });
      let u: SeededEndUser;
      let keys: string[];
      try {
        u = await seedProjectUser(first.ctx, { tier: 'cloud_premium' });
        await finishedGenerations(first.url, u);
        keys = await projectBlobKeys(first.ctx, u.projectId);
      } finally {
        await first.close();
      }

      // A process that deletes the project and stops before any cleanup runs (it runs no workers, like one killed after the commit).
      const config = toConfig({
        DATA_DIR: dir,
        LOG_LEVEL: 'silent',
        PASSWORD_HASH_MEMORY_KIB: '1024',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      });
      const dying = await createContext(config, { log: pino({ level: 'silent' }) });
      try {
        await deleteProject(
          dying,
          { kind: 'developer', userId: u.developer.userId, tier: 'cloud_premium', keyId: u.developer.developerKeyId },
          u.projectId,
        );
        expect(await dying.db.selectFrom('projects').select('id').where('id', '=', u.projectId).execute()).toEqual([]);
        expect(await storedBlobs(dying, keys)).toBe(keys.length);
        expect(await queuedBlobDeletions(dying)).toBe(2);
      } finally {
        await dying.close();
      }

      const later = await startServer(kind, { env, ...(databaseUrl ? { databaseUrl } : {}) });
      try {
        await eventually(
          'a later process deleted the files',
          async () => (await storedBlobs(later.ctx, keys)) === 0 && (await queuedBlobDeletions(later.ctx)) === 0,
        );
      } finally {
        await later.close();
      }
    });
  },
);
