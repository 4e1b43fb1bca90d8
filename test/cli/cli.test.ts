import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { nodeArgs } from '../support/node-args.js';
import { PASSWORD, uniqueEmail } from '../support/seed.js';

/** An operator key in printed text; keys may end in '-' or '_', where \b would not match. */
const OPERATOR_KEY = /(?<![A-Za-z0-9_-])(op_[A-Za-z0-9_-]{32})(?![A-Za-z0-9_-])/;

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The command line as an operator types it (`tollgate <command>`), run as its own process
 * against the database of a running server, the way `npx tollgate …` is used beside one.
 */
forEachDatabase('command line: create-operator, set-tier, migrate', (kind) => {
  let s: TestServer;

  const tollgate = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATA_DIR: s.config.dataDir,
        LOG_LEVEL: 'warn',
        DATABASE_URL: s.config.database.url ?? '',
      };
      execFile(process.execPath, [...nodeArgs(MAIN), ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });

  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    s.request('POST', path, { headers, body });

  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false' } });
  });
  afterAll(async () => s.close());

  it('create-operator prints a working operator key once, and refuses the same email twice', async () => {
    const email = uniqueEmail('ops');
    const created = await tollgate('create-operator', '--email', email, '--name', 'Ops Person');
    expect(created.code).toBe(0);
    const key = OPERATOR_KEY.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    expect(created.stdout.split(key!).length - 1).toBe(1);
    const stored = await s.ctx.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .select(['api_keys.key_hash', 'users.role'])
      .where('users.email', '=', email)
      .executeTakeFirstOrThrow();
    expect(stored.role).toBe('platform_operator');
    expect(stored.key_hash).not.toContain(key!.slice(3));

    // The printed key registers a developer on the running server.
    const dev = await post(
      '/api/v1/auth/register',
      { 'x-operator-key': key! },
      { email: uniqueEmail(), password: PASSWORD, full_name: 'Dev' },
    );
    expect(dev.status).toBe(201);

    const again = await tollgate('create-operator', '--email', email.toUpperCase());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^tollgate: .*already/im);
    expect(again.stdout).not.toMatch(/op_/);

    // Audited as the command line's (system/cli), in no developer's log, once: the refused second run wrote nothing.
    const operator = await s.ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const operatorKey = await s.ctx.db
      .selectFrom('api_keys')
      .select('id')
      .where('user_id', '=', operator.id)
      .executeTakeFirstOrThrow();
    const audit = await s.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', 'in', [operator.id, operatorKey.id])
      .orderBy('action')
      .execute();
    expect(audit.map((e) => [e.action, e.target_id, e.actor_type, e.actor_id, e.owner_id, e.ip, e.request_id])).toEqual(
      [
        ['operator.created', operator.id, 'system', 'cli', null, null, null],
        ['operator_key.created', operatorKey.id, 'system', 'cli', null, null, null],
      ],
    );
    expect(JSON.parse(audit[0]!.changed_fields).sort()).toEqual(['email', 'full_name']);
  });

  it('set-tier moves a developer to Cloud Starter: the sixth project is then allowed', async () => {
    const op = await tollgate('create-operator', '--email', uniqueEmail('ops'));
    const opKey = OPERATOR_KEY.exec(op.stdout)![1]!;
    const email = uniqueEmail();
    const reg = await post(
      '/api/v1/auth/register',
      { 'x-operator-key': opKey },
      { email, password: PASSWORD, full_name: 'Tiered Dev' },
    );
    expect(reg.status).toBe(201);
    const login = await post('/api/v1/auth/login', {}, { email, password: PASSWORD });
    const headers = {
      authorization: `Bearer ${login.body.access_token}`,
      'x-user-role': 'developer',
      'x-developer-key': reg.body.provisioning.developer_key,
    };
    // Registration provisioned the first project; four more reach the Free Starter limit.
    for (let i = 2; i <= 5; i++)
      expect((await post('/api/v1/projects/', headers, { name: `Project ${i}` })).status).toBe(201);
    expect((await post('/api/v1/projects/', headers, { name: 'Project 6' })).status).toBe(403);

    const moved = await tollgate('set-tier', '--developer', email, '--tier', 'cloud_starter');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(
      new RegExp(`^Database: the (SQLite|PostgreSQL) database .*\n${email} is now on cloud_starter\\.\n$`),
    );
    expect((await post('/api/v1/projects/', headers, { name: 'Project 6' })).status).toBe(201);

    // By id as well, and back down: existing projects stay, new ones are refused again.
    const back = await tollgate('set-tier', '--developer', reg.body.id, '--tier', 'free_starter');
    expect(back.code).toBe(0);
    expect((await post('/api/v1/projects/', headers, { name: 'Project 7' })).status).toBe(403);
    expect((await s.request('GET', '/api/v1/projects/', { headers })).body).toHaveLength(6);

    // Both moves are in the developer's audit log as the command line's (no stand-in operator).
    const log = await s.request('GET', '/api/v1/audit-log?action=developer.tier_set', { headers });
    expect(log.status).toBe(200);
    expect(log.body.entries).toEqual([
      expect.objectContaining({
        actor_type: 'system',
        actor_id: 'cli',
        key_prefix: null,
        ip: null,
        request_id: null,
        target_id: reg.body.id,
        changed_fields: ['tier'],
      }),
      expect.objectContaining({ actor_type: 'system', actor_id: 'cli', target_id: reg.body.id }),
    ]);
  });

  it('refuses an unknown developer, an unknown tier and missing options with a clear message and exit code 1', async () => {
    const [unknownDev, unknownTier, missing, unknownCommand] = await Promise.all([
      tollgate('set-tier', '--developer', 'nobody@example.com', '--tier', 'cloud_premium'),
      tollgate('set-tier', '--developer', 'nobody@example.com', '--tier', 'gold'),
      tollgate('set-tier', '--tier', 'cloud_premium'),
      tollgate('make-coffee'),
    ]);
    expect(unknownDev.code).toBe(1);
    // It says which database it looked in.
    expect(unknownDev.stdout).toMatch(/^Database: the (SQLite|PostgreSQL) database [^\n]+\n$/);
    expect(unknownDev.stderr).toBe('tollgate: Developer not found\n');
    expect(unknownTier.code).toBe(1);
    expect(unknownTier.stderr).toMatch(/tier must be one of: free_starter, cloud_starter, cloud_premium/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/set-tier needs --developer and --tier/);
    expect(missing.stderr).toMatch(/Usage: tollgate/);
    expect(unknownCommand.code).toBe(1);
    expect(unknownCommand.stderr).toMatch(/unknown command "make-coffee"/);
    for (const r of [unknownDev, unknownTier, missing, unknownCommand]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('migrate reports an up-to-date database, and --help lists the commands', async () => {
    const [migrate, help] = await Promise.all([tollgate('migrate'), tollgate('--help')]);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/^Database: the (SQLite|PostgreSQL) database .*\ndatabase is up to date\n$/);
    expect(help.code).toBe(0);
    for (const command of [
      'serve',
      'migrate',
      'create-operator',
      'rotate-operator-key',
      'set-tier',
      '--data-dir',
      '--version',
    ])
      expect(help.stdout).toContain(command);
  });
});
