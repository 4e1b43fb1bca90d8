import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, uniqueEmail } from '../support/seed.js';
import { ensureBuilt, startServe, tmpDir, tollgate } from './built-cli.js';

beforeAll(ensureBuilt, 180_000);

/** An operator key in printed text; keys may end in '-' or '_', where \b would not match. */
const OPERATOR_KEY = /(?<![A-Za-z0-9_-])(op_[A-Za-z0-9_-]{32})(?![A-Za-z0-9_-])/g;

const keysIn = (text: string) => [...text.matchAll(OPERATOR_KEY)].map((m) => m[1]!);
const mode = (p: string) => fs.statSync(p).mode & 0o777;

const register = (url: string, operatorKey: string) =>
  fetch(`${url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-operator-key': operatorKey },
    body: JSON.stringify({ email: uniqueEmail('dev'), password: PASSWORD }),
  }).then((r) => r.status);

describe.concurrent('the command line: version, and which database the admin commands use', {
  timeout: 120_000,
}, () => {
  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    const [long, short] = await Promise.all([tollgate(['--version']), tollgate(['-v'])]);
    expect(long).toEqual({ code: 0, stdout: `tollgate ${pkg.version}\n`, stderr: '' });
    expect(short.stdout).toBe(long.stdout);
  });

  it('run from a folder without a data directory, refuse to make one and say how to name it', async () => {
    const folder = tmpDir();
    const runs = await Promise.all([
      tollgate(['create-operator', '--email', uniqueEmail('ops')], {}, { cwd: folder }),
      tollgate(['set-tier', '--developer', 'dev@example.com', '--tier', 'cloud_starter'], {}, { cwd: folder }),
      tollgate(['migrate'], {}, { cwd: folder }),
      tollgate(['rotate-operator-key', '--email', 'ops@example.com'], {}, { cwd: folder }),
    ]);
    for (const run of runs) {
      expect(run.code, JSON.stringify(run)).toBe(1);
      expect(run.stderr).toBe(
        `tollgate: no database at ${folder}/data/tollgate.sqlite: run this from the folder where the server runs (DATA_DIR defaults to ./data there), or name its data directory with --data-dir or DATA_DIR\n`,
      );
    }
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('with --data-dir, say that a new database was created, and later which one is used', async () => {
    const dataDir = path.join(tmpDir(), 'data');
    const first = await tollgate(['create-operator', '--data-dir', dataDir, '--email', uniqueEmail('ops')]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.split('\n')[0]).toBe(
      `Database: created a new, empty SQLite database ${dataDir}/tollgate.sqlite`,
    );
    const [second, migrate, setTier] = await Promise.all([
      tollgate(['create-operator', '--email', uniqueEmail('ops')], { DATA_DIR: dataDir }),
      tollgate(['migrate', '--data-dir', dataDir]),
      tollgate([
        'set-tier',
        '--data-dir',
        path.join(dataDir, 'elsewhere'),
        '--developer',
        'dev@example.com',
        '--tier',
        'cloud_starter',
      ]),
    ]);
    expect(second.stdout.split('\n')[0]).toBe(`Database: the SQLite database ${dataDir}/tollgate.sqlite`);
    expect(migrate).toEqual({
      code: 0,
      stdout: `Database: the SQLite database ${dataDir}/tollgate.sqlite\ndatabase is up to date\n`,
      stderr: '',
    });
    // set-tier has nothing to work on in a new database: it refuses instead of creating one.
    expect(setTier.code).toBe(1);
    expect(setTier.stderr).toMatch(
      /^tollgate: no database at .*elsewhere\/tollgate\.sqlite: check --data-dir, DATA_DIR or DATABASE_URL\n$/,
    );
    expect(fs.existsSync(path.join(dataDir, 'elsewhere'))).toBe(false);
  });
});

describe('the data directory: owner-only, and the first-operator hint only while there is none', {
  timeout: 120_000,
}, () => {
  it('creates DATA_DIR 0700 and the database, its -wal and -shm files and the secret 0600; the blob directory 0700', async () => {
    const dataDir = path.join(tmpDir(), 'data');
    const server = await startServe({ DATA_DIR: dataDir });
    try {
      expect(mode(dataDir)).toBe(0o700);
      for (const f of ['tollgate.sqlite', 'tollgate.sqlite-wal', 'tollgate.sqlite-shm', 'secret.key'])
        expect([f, mode(path.join(dataDir, f))]).toEqual([f, 0o600]);
      expect(mode(path.join(dataDir, 'blobs'))).toBe(0o700);
      expect(server.listening.msg).toContain(
        'Create the first operator with: npm run tollgate -- create-operator --email',
      );
    } finally {
      expect(await server.stop()).toBe(0);
    }

    const created = await tollgate(['create-operator', '--email', uniqueEmail('ops')], { DATA_DIR: dataDir });
    expect(created.code, created.stderr).toBe(0);
    const again = await startServe({ DATA_DIR: dataDir });
    try {
      expect(again.listening.msg).not.toContain('create-operator');
    } finally {
      await again.stop();
    }
  });
});

describe('rotate-operator-key: a lost operator key is replaced', { timeout: 120_000 }, () => {
  it('prints a new key once; the old one is refused at once by a running server; audited as the command line', async () => {
    const dataDir = tmpDir();
    const email = uniqueEmail('ops');
    const created = await tollgate(['create-operator', '--email', email], { DATA_DIR: dataDir });
    const [oldKey] = keysIn(created.stdout);
    expect(oldKey).toBeDefined();
    const server = await startServe({ DATA_DIR: dataDir, RATE_LIMIT: 'false', PASSWORD_HASH_MEMORY_KIB: '1024' });
    try {
      expect(await register(server.url, oldKey!)).toBe(201);

      const rotated = await tollgate(['rotate-operator-key', '--email', email.toUpperCase()], { DATA_DIR: dataDir });
      expect(rotated.code, rotated.stderr).toBe(0);
      const printed = keysIn(rotated.stdout);
      expect(printed).toHaveLength(1);
      expect(printed[0]).not.toBe(oldKey);
      expect(rotated.stdout).toContain('its old key is revoked');

      expect(await register(server.url, oldKey!)).toBe(403);
      expect(await register(server.url, printed[0]!)).toBe(201);
    } finally {
      await server.stop();
    }

    const db = new Database(path.join(dataDir, 'tollgate.sqlite'), { readonly: true });
    try {
      const keys = db
        .prepare(
          'select k.id, k.is_active from api_keys k join users u on u.id = k.user_id where u.email = ? order by k.created_at, k.id',
        )
        .all(email) as Array<{ id: string; is_active: number }>;
      expect(keys.map((k) => k.is_active)).toEqual([0, 1]);
      const audit = db
        .prepare(
          "select action, target_id, actor_type, actor_id, owner_id from audit_log where target_id in (?, ?) and action like 'operator_key.%' order by action, target_id",
        )
        .all(keys[0]!.id, keys[1]!.id);
      expect(audit).toEqual([
        {
          action: 'operator_key.created',
          target_id: keys[0]!.id,
          actor_type: 'system',
          actor_id: 'cli',
          owner_id: null,
        },
        {
          action: 'operator_key.created',
          target_id: keys[1]!.id,
          actor_type: 'system',
          actor_id: 'cli',
          owner_id: null,
        },
        {
          action: 'operator_key.revoked',
          target_id: keys[0]!.id,
          actor_type: 'system',
          actor_id: 'cli',
          owner_id: null,
        },
      ]);
    } finally {
      db.close();
    }
  });

  it('refuses an email that is no operator, and a missing --email', async () => {
    const dataDir = tmpDir();
    await tollgate(['migrate'], { DATA_DIR: dataDir });
    const [unknown, missing] = await Promise.all([
      tollgate(['rotate-operator-key', '--email', 'nobody@example.com'], { DATA_DIR: dataDir }),
      tollgate(['rotate-operator-key'], { DATA_DIR: dataDir }),
    ]);
    expect(unknown).toMatchObject({ code: 1, stderr: 'tollgate: Operator not found\n' });
    expect(unknown.stdout).not.toMatch(/op_/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^tollgate: rotate-operator-key needs --email\n/);
  });
});
