import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, qs, type Domain, type Injectable, type KeyRecord, type License, type Page, type Project } from '../api';
import { Confirm, CopyText, Field, FormError, Loading, Reveal, Secret, useAction, useLoad, when } from '../ui';
import { Generations } from './generations';
import { Payments } from './payments';
import { KeyTable } from './developer-keys';

const TABS = [
  ['', 'Overview'],
  ['keys', 'API keys'],
  ['licenses', 'Licenses'],
  ['domains', 'Domains'],
  ['injectables', 'Injectables'],
  ['generations', 'Generations'],
  ['payments', 'Payments'],
] as const;

export function ProjectPage() {
  const { params } = useRoute();
  const id = params.id!;
  const tab = params.tab ?? '';
  const { data, error, reload } = useLoad(() => api<Project>('GET', `/projects/${id}`), [id]);
  if (!data) return <Loading error={error} />;
  return (
    <section>
      <p>
        <a href="/console/projects">← Projects</a>
      </p>
      <h1>{data.name}</h1>
      <nav aria-label="Project sections" class="subnav">
        <ul>
          {TABS.map(([t, label]) => (
            <li>
              <a href={`/console/projects/${id}${t ? `/${t}` : ''}`} aria-current={tab === t ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {tab === '' && <Overview project={data} onSaved={reload} />}
      {tab === 'keys' && <Keys projectId={id} />}
      {tab === 'licenses' && <Licenses projectId={id} />}
      {tab === 'domains' && <Domains projectId={id} />}
      {tab === 'injectables' && <Injectables projectId={id} />}
      {tab === 'generations' && <Generations projectId={id} />}
      {tab === 'payments' && <Payments projectId={id} />}
    </section>
  );
}

function Overview({ project, onSaved }: { project: Project; onSaved: () => void }) {
  const [f, setF] = useState({
    name: project.name,
    description: project.description ?? '',
    defaultRedirectUrl: project.defaultRedirectUrl ?? '',
    webhookUrl: project.webhookUrl ?? '',
    logoUrl: project.logoUrl ?? '',
    webhookSecret: '',
  });
  const [hasPaid, setHasPaid] = useState(project.hasPaid);
  const [isActive, setIsActive] = useState(project.isActive);
  const [confirm, setConfirm] = useState('');
  const save = useAction();
  const del = useAction();
  const [saved, setSaved] = useState(false);
  const { route } = useLocation();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <>
      <dl class="card ids">
        <dt>Project ID</dt>
        <dd>
          <CopyText label="project ID" value={project.id} />
        </dd>
        <dt>Slug</dt>
        <dd>
          <code>{project.slug}</code>
        </dd>
        <dt>Created</dt>
        <dd>{when(project.createdAt)}</dd>
      </dl>
      <form
        class="card"
        aria-label="Project settings"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          save.run(async () => {
            const body: Record<string, unknown> = {
              name: f.name,
              description: f.description || null,
              defaultRedirectUrl: f.defaultRedirectUrl || null,
              webhookUrl: f.webhookUrl || null,
              logoUrl: f.logoUrl || null,
              hasPaid,
              isActive,
            };
            if (f.webhookSecret) body.webhookSecret = f.webhookSecret;
            await api('PATCH', `/projects/${project.id}`, body);
            setSaved(true);
            onSaved();
          });
        }}
      >
        <h2>Settings</h2>
        <Field label="Name" name="name" value={f.name} onInput={set('name')} error={save.error} required />
        <Field label="Description" name="description" value={f.description} onInput={set('description')} error={save.error} />
        <Field label="Default redirect URL" name="defaultRedirectUrl" value={f.defaultRedirectUrl} onInput={set('defaultRedirectUrl')} error={save.error} />
        <Field label="Webhook URL" name="webhookUrl" value={f.webhookUrl} onInput={set('webhookUrl')} error={save.error} />
        <Field
          label="Webhook secret"
          name="webhookSecret"
          type="password"
          value={f.webhookSecret}
          onInput={set('webhookSecret')}
          error={save.error}
          autoComplete="off"
          hint={project.hasWebhookSecret ? 'A secret is set; type a new one to replace it.' : 'No secret set.'}
        />
        <Field label="Logo URL" name="logoUrl" value={f.logoUrl} onInput={set('logoUrl')} error={save.error} />
        <div class="check">
          <input id="has-paid" type="checkbox" checked={hasPaid} onChange={(e) => setHasPaid((e.target as HTMLInputElement).checked)} />
          <label for="has-paid">Paid (the runtime check reports this project as paid)</label>
        </div>
        <div class="check">
          <input id="is-active" type="checkbox" checked={isActive} onChange={(e) => setIsActive((e.target as HTMLInputElement).checked)} />
          <label for="is-active">Active</label>
        </div>
        <FormError error={save.error} />
        {saved && <p role="status">Saved.</p>}
        <button type="submit" class="primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save settings'}
        </button>
      </form>
      <form
        class="card danger-zone"
        aria-label="Delete project"
        onSubmit={(e) => {
          e.preventDefault();
          del.run(async () => {
            await api('DELETE', `/projects/${project.id}`, { confirm });
            route('/console/projects');
          });
        }}
      >
        <h2>Delete project</h2>
        <p>This deletes the project with its keys, licenses, domains, injectables and end users. It cannot be undone.</p>
        <Field label={`Type “${project.name}” to confirm`} name="confirm" value={confirm} onInput={setConfirm} error={del.error} autoComplete="off" />
        <FormError error={del.error} />
        <button type="submit" class="danger" disabled={confirm !== project.name || del.busy}>
          Delete this project
        </button>
      </form>
    </>
  );
}

function Keys({ projectId }: { projectId: string }) {
  const { data, error, reload } = useLoad(() => api<{ items: KeyRecord[]; max: number | null }>('GET', `/projects/${projectId}/keys`), [projectId]);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAction();
  const revoke = useAction();
  const active = data?.items.filter((k) => k.isActive).length ?? 0;
  return (
    <>
      {secret && (
        <Reveal title="New project API key" onDone={() => setSecret(null)}>
          <Secret label="Project API key" value={secret} />
          <p>Try it:</p>
          <pre class="curl">
            {`curl -H "X-API-KEY: ${secret}" ${location.origin}/api/v1/project/${projectId}`}
          </pre>
        </Reveal>
      )}
      <form
        class="card"
        aria-label="New project API key"
        onSubmit={(e) => {
          e.preventDefault();
          create.run(async () => {
            const r = await api<{ secret: string }>('POST', `/projects/${projectId}/keys`, { name: name || null });
            setSecret(r.secret);
            setName('');
            reload();
          });
        }}
      >
        <h2>API keys</h2>
        {data && <p>{data.max === null ? `${active} active keys (no limit on your plan).` : `${active} of ${data.max} active keys your plan allows.`}</p>}
        <Field label="Key name" name="name" value={name} onInput={setName} error={create.error} />
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          Create API key
        </button>
      </form>
      <FormError error={revoke.error} />
      {!data ? (
        <Loading error={error} />
      ) : (
        <KeyTable caption="Project API keys" items={data.items} onRevoke={(k) => revoke.run(async () => (await api('DELETE', `/projects/${projectId}/keys/${k.id}`), reload()))} />
      )}
    </>
  );
}

interface Identifier {
  identifier: string;
  firstSeenAt: string;
  lastSeenAt: string;
  count: number;
}

/** Where a license has been used from (its identifiers), fetched when asked for. */
function UsedFrom({ projectId, licenseId }: { projectId: string; licenseId: string }) {
  const { data, error } = useLoad(() => api<{ identifiers: Identifier[] }>('GET', `/projects/${projectId}/licenses/${licenseId}`), [licenseId]);
  if (!data) return <Loading error={error} />;
  if (data.identifiers.length === 0) return <p>Not used anywhere yet.</p>;
  return (
    <ul class="used-from" aria-label="Used from">
      {data.identifiers.map((i) => (
        <li>
          <code>{i.identifier}</code> — {i.count} checks, last {when(i.lastSeenAt)}
        </li>
      ))}
    </ul>
  );
}

function Licenses({ projectId }: { projectId: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1]!;
  const { data, error, reload } = useLoad(() => api<Page<License>>('GET', `/projects/${projectId}/licenses${qs({ status, cursor })}`), [projectId, status, cursor]);
  const [f, setF] = useState({ title: '', expiresAt: '', maxDomains: '', maxUsagePerDay: '', allowedIps: '', allowedCountries: '' });
  const [isTest, setIsTest] = useState(false);
  const [key, setKey] = useState<string | null>(null);
  const create = useAction();
  const act = useAction();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const num = (v: string) => (v.trim() === '' ? null : Number(v));
  return (
    <>
      {key && (
        <Reveal title="New license key" onDone={() => setKey(null)}>
          <Secret label="License key" value={key} />
        </Reveal>
      )}
      <form
        class="card"
        aria-label="New license"
        onSubmit={(e) => {
          e.preventDefault();
          create.run(async () => {
            const r = await api<{ key: string }>('POST', `/projects/${projectId}/licenses`, {
              title: f.title,
              expiresAt: f.expiresAt || null,
              maxDomains: num(f.maxDomains),
              maxUsagePerDay: num(f.maxUsagePerDay),
              allowedIps: f.allowedIps || null,
              allowedCountries: f.allowedCountries || null,
              isTestLicense: isTest,
            });
            setKey(r.key);
            setF({ title: '', expiresAt: '', maxDomains: '', maxUsagePerDay: '', allowedIps: '', allowedCountries: '' });
            reload();
          });
        }}
      >
        <h2>New license</h2>
        <Field label="Title" name="title" value={f.title} onInput={set('title')} error={create.error} required />
        <Field label="Expires (date)" name="expiresAt" type="date" value={f.expiresAt} onInput={set('expiresAt')} error={create.error} />
        <Field label="Maximum domains" name="maxDomains" type="number" value={f.maxDomains} onInput={set('maxDomains')} error={create.error} />
        <Field label="Maximum checks per day" name="maxUsagePerDay" type="number" value={f.maxUsagePerDay} onInput={set('maxUsagePerDay')} error={create.error} />
        <Field label="Allowed IPs or CIDR ranges (comma-separated)" name="allowedIps" value={f.allowedIps} onInput={set('allowedIps')} error={create.error} />
        <Field label="Allowed countries (ISO codes, comma-separated)" name="allowedCountries" value={f.allowedCountries} onInput={set('allowedCountries')} error={create.error} />
        <div class="check">
          <input id="lic-test" type="checkbox" checked={isTest} onChange={(e) => setIsTest((e.target as HTMLInputElement).checked)} />
          <label for="lic-test">Test license</label>
        </div>
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          Create license
        </button>
      </form>
      <div class="row">
        <div class="field">
          <label for="lic-status">Show</label>
          <select id="lic-status" value={status} onChange={(e) => (setCursors([null]), setStatus((e.target as HTMLSelectElement).value))}>
            <option value="">All licenses</option>
            <option value="active">Active</option>
            <option value="revoked">Revoked</option>
            <option value="expired">Expired</option>
          </select>
        </div>
      </div>
      <FormError error={act.error} />
      {!data ? (
        <Loading error={error} />
      ) : data.items.length === 0 ? (
        <p>No licenses.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Licenses</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((l) => (
                <tr>
                  <td>{l.title}</td>
                  <td>
                    <code>{l.maskedKey}</code>
                  </td>
                  <td>
                    <span class={`badge ${l.status === 'active' ? 'ok' : 'off'}`}>{l.status}</span>
                  </td>
                  <td>
                    {when(l.expiresAt)}
                    {open === l.id && <UsedFrom projectId={projectId} licenseId={l.id} />}
                  </td>
                  <td class="actions">
                    <button type="button" aria-expanded={open === l.id} onClick={() => setOpen(open === l.id ? null : l.id)}>
                      Used from
                    </button>{' '}
                    {l.status === 'revoked' ? (
                      <button type="button" onClick={() => act.run(async () => (await api('POST', `/projects/${projectId}/licenses/${l.id}/reactivate`), reload()))}>
                        Reactivate
                      </button>
                    ) : (
                      <Confirm label="Revoke" onConfirm={() => act.run(async () => (await api('POST', `/projects/${projectId}/licenses/${l.id}/revoke`), reload()))} />
                    )}{' '}
                    <Confirm label="Delete" onConfirm={() => act.run(async () => (await api('DELETE', `/projects/${projectId}/licenses/${l.id}`), reload()))} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="row" aria-label="Pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!data?.nextCursor} onClick={() => data?.nextCursor && setCursors([...cursors, data.nextCursor])}>
          Next page
        </button>
      </nav>
    </>
  );
}

function Domains({ projectId }: { projectId: string }) {
  const { data, error, reload } = useLoad(() => api<Page<Domain>>('GET', `/projects/${projectId}/domains`), [projectId]);
  const [domain, setDomain] = useState('');
  const [environment, setEnvironment] = useState('production');
  const create = useAction();
  const act = useAction();
  return (
    <>
      <form
        class="card"
        aria-label="New domain"
        onSubmit={(e) => {
          e.preventDefault();
          create.run(async () => {
            await api('POST', `/projects/${projectId}/domains`, { domain, environment });
            setDomain('');
            reload();
          });
        }}
      >
        <h2>Domains</h2>
        <Field label="Domain" name="domain" value={domain} onInput={setDomain} error={create.error} required hint="e.g. example.com" />
        <div class="field">
          <label for="dom-env">Environment</label>
          <select id="dom-env" value={environment} onChange={(e) => setEnvironment((e.target as HTMLSelectElement).value)}>
            <option value="production">Production</option>
            <option value="staging">Staging</option>
            <option value="development">Development</option>
          </select>
        </div>
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          Add domain
        </button>
      </form>
      <FormError error={act.error} />
      {!data ? (
        <Loading error={error} />
      ) : data.items.length === 0 ? (
        <p>No domains.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Domains</caption>
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">Environment</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((d) => (
                <tr>
                  <td>{d.domain}</td>
                  <td>{d.environment}</td>
                  <td>
                    <span class={`badge ${d.isActive ? 'ok' : 'off'}`}>{d.isActive ? 'Active' : 'Inactive'}</span>
                  </td>
                  <td>
                    <Confirm label="Delete" onConfirm={() => act.run(async () => (await api('DELETE', `/projects/${projectId}/domains/${d.id}`), reload()))} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function Injectables({ projectId }: { projectId: string }) {
  const { data, error, reload } = useLoad(() => api<Page<Injectable>>('GET', `/projects/${projectId}/injectables`), [projectId]);
  const [f, setF] = useState({ title: '', targetPath: '', secret: '', content: '' });
  const [type, setType] = useState('html');
  const [mode, setMode] = useState('inject');
  const create = useAction();
  const act = useAction();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <>
      <form
        class="card"
        aria-label="New injectable"
        onSubmit={(e) => {
          e.preventDefault();
          create.run(async () => {
            await api('POST', `/projects/${projectId}/injectables`, { title: f.title || null, type, mode, targetPath: f.targetPath || null, secret: f.secret, content: f.content });
            setF({ title: '', targetPath: '', secret: '', content: '' });
            reload();
          });
        }}
      >
        <h2>Injectables</h2>
        <p>The content is encrypted when uploaded and never shown again; only its hash is listed.</p>
        <Field label="Title" name="title" value={f.title} onInput={set('title')} error={create.error} />
        <div class="field">
          <label for="inj-type">Type</label>
          <select id="inj-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            {['html', 'snippet', 'script', 'css', 'json', 'config', 'markdown', 'template'].map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="inj-mode">Mode</label>
          <select id="inj-mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value)}>
            {['inject', 'write', 'replace', 'append', 'prepend', 'inline_render'].map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </div>
        <Field label="Target path" name="targetPath" value={f.targetPath} onInput={set('targetPath')} error={create.error} />
        <Field label="Delivery secret (at least 8 characters)" name="secret" type="password" value={f.secret} onInput={set('secret')} error={create.error} required autoComplete="off" />
        <div class="field">
          <label for="inj-content">Content</label>
          <textarea id="inj-content" rows={5} value={f.content} onInput={(e) => set('content')((e.target as HTMLTextAreaElement).value)} aria-invalid={create.error?.field('content') ? 'true' : undefined} />
          {create.error?.field('content') && <small class="err">{create.error.field('content')}</small>}
        </div>
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          {create.busy ? 'Uploading…' : 'Upload injectable'}
        </button>
      </form>
      <FormError error={act.error} />
      {!data ? (
        <Loading error={error} />
      ) : data.items.length === 0 ? (
        <p>No injectables.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Injectables</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Type / mode</th>
                <th scope="col">Content hash</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((i) => (
                <tr>
                  <td>{i.title ?? i.slug}</td>
                  <td>
                    {i.type} / {i.mode}
                  </td>
                  <td>
                    <code>{i.contentHash.slice(0, 16)}…</code>
                  </td>
                  <td>
                    <Confirm label="Delete" onConfirm={() => act.run(async () => (await api('DELETE', `/projects/${projectId}/injectables/${i.id}`), reload()))} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
