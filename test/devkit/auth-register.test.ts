import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, seedOperator, uniqueEmail } from '../support/seed.js';

const KEY_RE = /^ak_[A-Za-z0-9_-]{32}$/;

forEachDatabase('devkit POST /api/v1/auth/register', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false', REQUIRE_EMAIL_VERIFICATION: 'false' } });
  });
  afterAll(async () => s?.close());

  const register = (headers: Record<string, string>, body: unknown) =>
    s.request('POST', '/api/v1/auth/register', { headers, body });

  describe('an operator registers a developer', () => {
    it('answers as register.mdx shows, with a provisioned project, developer key and API key that work', async () => {
      const op = await seedOperator(s.ctx);
      const email = uniqueEmail();
      const res = await register(op.headers, { email, password: PASSWORD, full_name: 'John Smith' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(
        ['created_at', 'email', 'full_name', 'id', 'is_active', 'provisioning', 'role'].sort(),
      );
      expect(res.body).toMatchObject({ email, full_name: 'John Smith', role: 'developer', is_active: true });
      expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
      const { project_id, developer_key, api_key } = res.body.provisioning;
      expect(developer_key).toMatch(KEY_RE);
      expect(api_key).toMatch(KEY_RE);
      expect(developer_key).not.toBe(api_key);

      // The keys are stored only as hashes.
      const stored = await s.ctx.db.selectFrom('api_keys').selectAll().where('user_id', '=', res.body.id).execute();
      expect(stored.map((k) => k.kind).sort()).toEqual(['developer', 'project']);
      expect(JSON.stringify(stored)).not.toContain(developer_key.slice(3));
      expect(stored.find((k) => k.kind === 'project')!.project_id).toBe(project_id);

      const login = await s.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
      expect(login.status).toBe(200);
      const headers = {
        authorization: `Bearer ${login.body.access_token}`,
        'x-user-role': 'developer',
        'x-developer-key': developer_key,
      };
      const projects = await s.request('GET', '/api/v1/projects/', { headers });
      expect(projects.body).toEqual([
        expect.objectContaining({ id: project_id, name: "John Smith's first project", owner_id: res.body.id }),
      ]);
      const keys = await s.request('GET', `/api/v1/projects/${project_id}/api-keys`, { headers });
      expect(keys.body).toEqual([expect.objectContaining({ key_prefix: api_key.slice(0, 8), project_id })]);
      // On the devpayr face the developer key is global and the API key is scoped to the project.
      expect(
        (await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': api_key } })).body.data.data.map(
          (p: { id: string }) => p.id,
        ),
      ).toEqual([project_id]);
      expect((await s.request('GET', '/api/v1/projects', { headers: { 'x-api-key': developer_key } })).status).toBe(
        200,
      );
    });

    it('names the first project after the email when there is no full name', async () => {
      const op = await seedOperator(s.ctx);
      const res = await register(op.headers, { email: 'solo.dev+x@example.org', password: PASSWORD });
      expect(res.status).toBe(201);
      expect(res.body.full_name).toBeNull();
      const project = await s.ctx.db
        .selectFrom('projects')
        .select('name')
        .where('id', '=', res.body.provisioning.project_id)
        .executeTakeFirstOrThrow();
      expect(project.name).toBe("solo.dev+x's first project");
    });

    it('provisions in one transaction: when a step fails nothing of the account remains', async () => {
      const op = await seedOperator(s.ctx);
      // A fault injected into the database (not our code): inserting any project API key fails.
      if (kind === 'sqlite') {
        await sql`create trigger fail_project_keys before insert on api_keys when new.kind = 'project' begin select raise(abort, 'injected fault'); end`.execute(
          s.ctx.db,
        );
      } else {
        await sql`create function fail_project_keys() returns trigger language plpgsql as $$ begin if new.kind = 'project' then raise exception 'injected fault'; end if; return new; end $$`.execute(
          s.ctx.db,
        );
        await sql`create trigger fail_project_keys before insert on api_keys for each row execute function fail_project_keys()`.execute(
          s.ctx.db,
        );
      }
      const email = uniqueEmail();
      try {
        const res = await register(op.headers, { email, password: PASSWORD, full_name: 'Half Done' });
        expect(res.status).toBe(500);
        expect(res.text).not.toContain('injected');
      } finally {
        await sql`drop trigger fail_project_keys${sql.raw(kind === 'postgres' ? ' on api_keys' : '')}`.execute(
          s.ctx.db,
        );
        if (kind === 'postgres') await sql`drop function fail_project_keys()`.execute(s.ctx.db);
      }
      expect(
        await s.ctx.db.selectFrom('users').select('id').where('email_lower', '=', email.toLowerCase()).execute(),
      ).toEqual([]);
      expect(
        await s.ctx.db.selectFrom('projects').select('id').where('name', '=', "Half Done's first project").execute(),
      ).toEqual([]);
      // Nothing is left half-made that would block a second try.
      expect((await register(op.headers, { email, password: PASSWORD, full_name: 'Half Done' })).status).toBe(201);
    });

    it('keeps developer emails globally unique, whatever the case, also under parallel registration', async () => {
      const op = await seedOperator(s.ctx);
      const email = uniqueEmail();
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          register(op.headers, { email: i % 2 ? email.toUpperCase() : email, password: PASSWORD }),
        ),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 201))
        expect(r).toMatchObject({ status: 400, body: { detail: 'Email already registered' } });
      // An operator's email is taken globally too.
      const opEmail = (
        await s.ctx.db.selectFrom('users').select('email').where('id', '=', op.userId).executeTakeFirstOrThrow()
      ).email;
      expect((await register(op.headers, { email: opEmail, password: PASSWORD })).body).toEqual({
        detail: 'Email already registered',
      });
    });

    it('refuses an unknown or revoked operator key, and a developer key used as one', async () => {
      const op = await seedOperator(s.ctx);
      const dev = await seedDeveloper(s.ctx);
      const body = { email: uniqueEmail(), password: PASSWORD };
      expect(await register({ 'x-operator-key': 'op_not_a_real_key_000000000000' }, body)).toMatchObject({
        status: 403,
        body: { detail: 'Invalid operator key' },
      });
      expect(await register({ 'x-operator-key': dev.developerKey }, body)).toMatchObject({
        status: 403,
        body: { detail: 'Invalid operator key' },
      });
      await s.ctx.db.updateTable('api_keys').set({ is_active: false }).where('user_id', '=', op.userId).execute();
      expect((await register(op.headers, body)).status).toBe(403);
    });
  });

  describe('a developer registers an end user', () => {
    it('creates the end user in the project with a session, as register.mdx shows', async () => {
      const dev = await seedDeveloper(s.ctx);
      const project = (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'App' } }))
        .body;
      const email = uniqueEmail('user');
      const res = await register(
        { 'x-developer-key': dev.developerKey, 'x-project-id': project.id },
        { email, password: PASSWORD, full_name: 'Jane Doe' },
      );
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual([
        'access_token',
        'created_at',
        'email',
        'full_name',
        'id',
        'is_active',
        'project_id',
        'refresh_token',
        'role',
        'token_type',
      ]);
      expect(res.body).toMatchObject({
        email,
        full_name: 'Jane Doe',
        role: 'end_user',
        is_active: true,
        project_id: project.id,
        token_type: 'bearer',
      });
      const me = await s.request('GET', '/api/v1/auth/me', {
        headers: { authorization: `Bearer ${res.body.access_token}` },
      });
      expect(me.body).toMatchObject({ id: res.body.id, role: 'end_user', project_id: project.id });
      expect(
        (await s.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: res.body.refresh_token } })).status,
      ).toBe(200);
    });

    it('scopes email uniqueness to the project', async () => {
      const dev = await seedDeveloper(s.ctx);
      const a = (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'A app' } })).body;
      const b = (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'B app' } })).body;
      const email = uniqueEmail('user');
      const into = (projectId: string, e: string) =>
        register({ 'x-developer-key': dev.developerKey, 'x-project-id': projectId }, { email: e, password: PASSWORD });
      expect((await into(a.id, email)).status).toBe(201);
      expect(await into(a.id, email.toUpperCase())).toMatchObject({
        status: 400,
        body: { detail: 'Email already registered' },
      });
      expect((await into(b.id, email)).status).toBe(201);
      // The developer's own (global) email is free inside a project.
      expect((await into(a.id, dev.email)).status).toBe(201);
    });

    it('refuses a missing or malformed X-Project-ID, a bad developer key, and a project of another developer', async () => {
      const dev = await seedDeveloper(s.ctx);
      const other = await seedDeveloper(s.ctx);
      const theirs = (
        await s.request('POST', '/api/v1/projects/', { headers: other.headers, body: { name: 'Theirs' } })
      ).body;
      const mine = (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Mine' } }))
        .body;
      const body = { email: uniqueEmail('user'), password: PASSWORD };
      expect(await register({ 'x-developer-key': dev.developerKey }, body)).toMatchObject({
        status: 400,
        body: { detail: 'X-Project-ID header is required to register an end user' },
      });
      for (const bad of ['not-a-uuid', '123', '']) {
        expect(await register({ 'x-developer-key': dev.developerKey, 'x-project-id': bad }, body)).toMatchObject({
          status: 400,
          body: { detail: 'Invalid X-Project-ID format. Must be a valid UUID.' },
        });
      }
      expect(
        await register({ 'x-developer-key': 'ak_wrongwrongwrongwrongwrongwrongwr', 'x-project-id': mine.id }, body),
      ).toMatchObject({
        status: 403,
        body: { detail: 'Invalid or revoked developer key' },
      });
      expect(await register({ 'x-developer-key': dev.developerKey, 'x-project-id': theirs.id }, body)).toMatchObject({
        status: 404,
        body: { detail: 'Project not found' },
      });
      expect(
        await register(
          { 'x-developer-key': dev.developerKey, 'x-project-id': '0190a1b2-0000-7000-8000-000000000000' },
          body,
        ),
      ).toMatchObject({ status: 404 });
      // A project API key is not a developer key.
      const apiKey = (
        await s.request('POST', `/api/v1/projects/${mine.id}/api-keys`, { headers: dev.headers, body: {} })
      ).body.key;
      expect((await register({ 'x-developer-key': apiKey, 'x-project-id': mine.id }, body)).status).toBe(403);
      expect(
        await s.ctx.db.selectFrom('users').select('id').where('email_lower', '=', body.email.toLowerCase()).execute(),
      ).toEqual([]);
    });

    it("holds the owner's tier limit on end users per project under parallel registration", async () => {
      const dev = await seedDeveloper(s.ctx);
      const project = (
        await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Crowded' } })
      ).body;
      const other = (await s.request('POST', '/api/v1/projects/', { headers: dev.headers, body: { name: 'Roomy' } }))
        .body;
      const headers = { 'x-developer-key': dev.developerKey, 'x-project-id': project.id };
      // Free Starter: 100 end users per project.
      const results = await Promise.all(
        Array.from({ length: 104 }, () => register(headers, { email: uniqueEmail('crowd'), password: PASSWORD })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(100);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused).toHaveLength(4);
      for (const r of refused) {
        expect(r).toMatchObject({
          status: 403,
          body: {
            detail:
              'Maximum number of end users reached for this project on your subscription tier. Upgrade to add more users.',
          },
        });
      }
      const { n } = await s.ctx.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', project.id)
        .executeTakeFirstOrThrow();
      expect(Number(n)).toBe(100);
      // The limit is per project, and an upgrade lifts it.
      expect(
        (await register({ ...headers, 'x-project-id': other.id }, { email: uniqueEmail('roomy'), password: PASSWORD }))
          .status,
      ).toBe(201);
      await s.ctx.db.updateTable('users').set({ tier: 'cloud_starter' }).where('id', '=', dev.userId).execute();
      expect((await register(headers, { email: uniqueEmail('crowd'), password: PASSWORD })).status).toBe(201);
    });
  });

  describe('refusals and bad input', () => {
    it('rejects registration without an operator or developer key (public registration is disabled)', async () => {
      const res = await register({}, { email: uniqueEmail(), password: PASSWORD });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/^Public registration is disabled/);
      expect(
        (
          await register(
            { 'x-project-id': '0190a1b2-0000-7000-8000-000000000000' },
            { email: uniqueEmail(), password: PASSWORD },
          )
        ).status,
      ).toBe(403);
    });

    it('applies the password rules and the email format, reporting both at once', async () => {
      const op = await seedOperator(s.ctx);
      const rule = 'Password must be at least 8 characters with uppercase, lowercase, and digit';
      for (const password of ['Short1A', 'alllowercase1', 'ALLUPPERCASE1', 'NoDigitsHere', `${'x'.repeat(129)}Aa1`]) {
        const res = await register(op.headers, { email: uniqueEmail(), password });
        expect(res.status).toBe(422);
        expect(res.body.detail).toEqual([{ loc: ['body', 'password'], msg: rule, type: 'value_error.password' }]);
      }
      for (const email of ['nope', 'a@b', 'two words@example.com', '@example.com']) {
        const res = await register(op.headers, { email, password: PASSWORD });
        expect(res.status).toBe(422);
        expect(res.body.detail).toEqual([
          { loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error.email' },
        ]);
      }
      const both = await register(op.headers, { email: 'nope', password: 'weak' });
      expect(both.body.detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['email', 'password']);
    });

    it('answers wrong types, missing and unknown fields, and malformed JSON with FastAPI-style 422s', async () => {
      const op = await seedOperator(s.ctx);
      const missing = await register(op.headers, { email: uniqueEmail() });
      expect(missing.status).toBe(422);
      expect(missing.body.detail).toEqual([
        { loc: ['body', 'password'], msg: 'field required', type: 'value_error.missing' },
      ]);
      const typed = await register(op.headers, { email: 42, password: PASSWORD, full_name: ['x'] });
      expect(typed.status).toBe(422);
      expect(typed.body.detail.map((d: { loc: unknown[] }) => d.loc)).toEqual(
        expect.arrayContaining([
          ['body', 'email'],
          ['body', 'full_name'],
        ]),
      );
      const extra = await register(op.headers, { email: uniqueEmail(), password: PASSWORD, role: 'platform_operator' });
      expect(extra.status).toBe(422);
      expect(extra.body.detail).toEqual([
        { loc: ['body', 'role'], msg: 'extra fields not permitted', type: 'value_error.extra' },
      ]);
      const malformed = await s.request('POST', '/api/v1/auth/register', {
        headers: { ...op.headers, 'content-type': 'application/json' },
        rawBody: '{"email": ',
      });
      expect(malformed.status).toBe(422);
      expect(malformed.body.detail[0].type).toBe('value_error.jsondecode');
      expect((await s.request('POST', '/api/v1/auth/register', { headers: op.headers })).status).toBe(422);
      expect((await register(op.headers, [])).status).toBe(422);
    });
  });
});
