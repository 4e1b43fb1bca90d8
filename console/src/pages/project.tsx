import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, qs, type Domain, type Injectable, type KeyRecord, type License, type Page, type Project } from '../api';
import { Check, Confirm, CopyText, Field, FormError, Listing, Loading, Reveal, Secret, SaveCancel, Select, opts, useAction, useCursor, useLoad, when } from '../ui';
import { AuditLog } from './audit-log';
import { Reroll } from '../reroll';
import { KeyTable } from './developer-keys';
import { Generations } from './generations';
import { Payments } from './payments';
import { Webhooks } from './webhooks';

const TABS = [
  ['', 'Overview'],
  ['keys', 'API keys'],
  ['licenses', 'Licenses'],
  ['domains', 'Domains'],
  ['injectables', 'Injectables'],
  ['generations', 'Generations'],
  ['payments', 'Payments'],
  ['webhooks', 'Webhooks'],
  ['audit', 'Audit log'],
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
      {tab === 'webhooks' && <Webhooks project={data} onSaved={reload} />}
      {tab === 'audit' && <AuditLog projectId={id} />}
    </section>
  );
}

function Overview({ project, onSaved }: { project: Project; onSaved: () => void }) {
  const [f, setF] = useState({
    name: project.name,
    description: project.description ?? '',
    defaultRedirectUrl: project.defaultRedirectUrl ?? '',
    logoUrl: project.logoUrl ?? '',
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
              logoUrl: f.logoUrl || null,
              hasPaid,
              isActive,
            };
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
        <Field label="Logo URL" name="logoUrl" value={f.logoUrl} onInput={set('logoUrl')} error={save.error} />
        <p>
          <small>
            The webhook URL and secret are on the <a href={`/console/projects/${project.id}/webhooks`}>Webhooks</a> tab.
          </small>
        </p>
        <Check label="Paid (the runtime check reports this project as paid)" checked={hasPaid} onChange={setHasPaid} />
        <Check label="Active" checked={isActive} onChange={setIsActive} />
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
        <KeyTable
          caption="Project API keys"
          items={data.items}
          onRevoke={(k) => revoke.run(async () => (await api('DELETE', `/projects/${projectId}/keys/${k.id}`), reload()))}
          rerollPath={(k) => `/projects/${projectId}/keys/${k.id}/reroll`}
          onReroll={reload}
        />
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
  const { cursor, resetting, pager } = useCursor();
  const { data, error, reload } = useLoad(() => api<Page<License>>('GET', `/projects/${projectId}/licenses${qs({ status, cursor })}`), [projectId, status, cursor]);
  const [f, setF] = useState({ title: '', expiresAt: '', maxDomains: '', maxUsagePerDay: '', allowedIps: '', allowedCountries: '', maxDevices: '', heartbeatInterval: '', componentMatch: 'any' });
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
              maxDevices: num(f.maxDevices),
              heartbeatInterval: num(f.heartbeatInterval),
              componentMatch: f.componentMatch,
            });
            setKey(r.key);
            setF({ title: '', expiresAt: '', maxDomains: '', maxUsagePerDay: '', allowedIps: '', allowedCountries: '', maxDevices: '', heartbeatInterval: '', componentMatch: 'any' });
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
        <Field label="Maximum devices (empty: unlimited)" name="maxDevices" type="number" value={f.maxDevices} onInput={set('maxDevices')} error={create.error} />
        <Field label="Heartbeat interval (seconds)" name="heartbeatInterval" type="number" value={f.heartbeatInterval} onInput={set('heartbeatInterval')} error={create.error} />
        <Select
          label="Device components must match"
          name="componentMatch"
          value={f.componentMatch}
          onChange={set('componentMatch')}
          options={[['any', 'Any one'], ['majority', 'A majority'], ['all', 'All']]}
          error={create.error}
        />
        <Check label="Test license" checked={isTest} onChange={setIsTest} />
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          Create license
        </button>
      </form>
      <div class="row">
        <Select
          label="Show"
          value={status}
          onChange={resetting(setStatus)}
          options={[['', 'All licenses'], ['active', 'Active'], ['revoked', 'Revoked'], ['expired', 'Expired']]}
        />
      </div>
      <FormError error={act.error} />
      <Listing
        data={data}
        error={error}
        empty="No licenses."
        caption="Licenses"
        columns={['Title', 'Key', 'Status', 'Expires', '']}
        row={(l) => (
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
              <Reroll path={`/projects/${projectId}/licenses/${l.id}/reroll`} label="license key" onDone={reload} />{' '}
              <Confirm label="Delete" onConfirm={() => act.run(async () => (await api('DELETE', `/projects/${projectId}/licenses/${l.id}`), reload()))} />
            </td>
          </tr>
        )}
      />
      {pager(data?.nextCursor)}
    </>
  );
}

const ENVIRONMENTS = [
  ['production', 'Production'],
  ['staging', 'Staging'],
  ['development', 'Development'],
] as const;

function Domains({ projectId }: { projectId: string }) {
  const { data, error, reload } = useLoad(() => api<Page<Domain>>('GET', `/projects/${projectId}/domains`), [projectId]);
  const [domain, setDomain] = useState('');
  const [environment, setEnvironment] = useState('production');
  const [editing, setEditing] = useState<string | null>(null);
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
        <Select label="Environment" value={environment} onChange={setEnvironment} options={ENVIRONMENTS} />
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          Add domain
        </button>
      </form>
      <FormError error={act.error} />
      <Listing
        data={data}
        error={error}
        empty="No domains."
        caption="Domains"
        columns={['Domain', 'Environment', 'Status', '']}
        stack
        row={(d) => [
          <tr>
            <td data-label="Domain">
              {d.domain} {d.isPrimary && <span class="badge">Primary</span>}
            </td>
            <td data-label="Environment">{d.environment}</td>
            <td data-label="Status">
              <span class={`badge ${d.isActive ? 'ok' : 'off'}`}>{d.isActive ? 'Active' : 'Inactive'}</span> {d.hasPaid && <span class="badge ok">Paid</span>}
            </td>
            <EditActions id={d.id} name={d.domain} editing={editing} setEditing={setEditing} onDelete={() => act.run(async () => (await api('DELETE', `/projects/${projectId}/domains/${d.id}`), reload()))} />
          </tr>,
          editing === d.id && (
            <EditorRow columns={4}>
              <DomainEdit projectId={projectId} domain={d} onDone={() => (setEditing(null), reload())} onCancel={() => setEditing(null)} />
            </EditorRow>
          ),
        ]}
      />
    </>
  );
}

/** The actions cell of an editable row: Edit (opens the row's editor below it) and a confirmed Delete. */
function EditActions(props: { id: string; name: string; editing: string | null; setEditing: (id: string | null) => void; onDelete: () => void }) {
  const open = props.editing === props.id;
  return (
    <td class="actions">
      <button type="button" aria-expanded={open} onClick={() => props.setEditing(open ? null : props.id)}>
        Edit <span class="sr-only">{props.name}</span>
      </button>{' '}
      <Confirm label="Delete" onConfirm={props.onDelete} />
    </td>
  );
}

/** The editor of an editable row, as a full-width row beneath it. */
function EditorRow(props: { columns: number; children: ComponentChildren }) {
  return (
    <tr class="expanded">
      <td colSpan={props.columns}>{props.children}</td>
    </tr>
  );
}

function DomainEdit({ projectId, domain, onDone, onCancel }: { projectId: string; domain: Domain; onDone: () => void; onCancel: () => void }) {
  const [f, setF] = useState({ domain: domain.domain, environment: domain.environment, isPrimary: domain.isPrimary, isVerified: domain.isVerified, isActive: domain.isActive, hasPaid: domain.hasPaid });
  const save = useAction();
  const set = <K extends keyof typeof f>(k: K) => (v: (typeof f)[K]) => setF({ ...f, [k]: v });
  return (
    <form
      aria-label={`Edit domain ${domain.domain}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.run(async () => {
          await api('PATCH', `/projects/${projectId}/domains/${domain.id}`, f);
          onDone();
        });
      }}
    >
      <Field label="Domain name" name="domain" value={f.domain} onInput={set('domain')} error={save.error} required />
      <Select label="Environment" name="environment" value={f.environment} onChange={set('environment')} options={ENVIRONMENTS} error={save.error} />
      <Check label="Primary domain of the project" checked={f.isPrimary} onChange={set('isPrimary')} />
      <Check label="Verified" checked={f.isVerified} onChange={set('isVerified')} />
      <Check label="Active (accepted by runtime checks)" checked={f.isActive} onChange={set('isActive')} />
      <Check label="Paid (runtime checks from this domain report paid)" checked={f.hasPaid} onChange={set('hasPaid')} />
      <SaveCancel error={save.error} busy={save.busy} label="Save domain" onCancel={onCancel} />
    </form>
  );
}

const INJECTABLE_TYPES = ['html', 'snippet', 'script', 'css', 'json', 'config', 'markdown', 'template', 'component', 'include', 'sdk_module', 'docs'];
const INJECTABLE_MODES = ['inject', 'write', 'replace', 'append', 'prepend', 'inline_render', 'symlink', 'mount', 'stream'];

function Injectables({ projectId }: { projectId: string }) {
  const { data, error, reload } = useLoad(() => api<Page<Injectable>>('GET', `/projects/${projectId}/injectables`), [projectId]);
  const [f, setF] = useState({ title: '', targetPath: '', secret: '', content: '' });
  const [type, setType] = useState('html');
  const [mode, setMode] = useState('inject');
  const [editing, setEditing] = useState<string | null>(null);
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
        <Select label="Type" name="type" value={type} onChange={setType} options={opts(INJECTABLE_TYPES)} error={create.error} />
        <Select label="Mode" name="mode" value={mode} onChange={setMode} options={opts(INJECTABLE_MODES)} error={create.error} />
        <Field label="Target path" name="targetPath" value={f.targetPath} onInput={set('targetPath')} error={create.error} />
        <Field label="Delivery secret (at least 8 characters)" name="secret" type="password" value={f.secret} onInput={set('secret')} error={create.error} required autoComplete="off" />
        <Field rows={5} label="Content" name="content" value={f.content} onInput={set('content')} error={create.error} />
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          {create.busy ? 'Uploading…' : 'Upload injectable'}
        </button>
      </form>
      <FormError error={act.error} />
      <Listing
        data={data}
        error={error}
        empty="No injectables."
        caption="Injectables"
        columns={['Title', 'Type / mode', 'Content hash', '']}
        stack
        row={(i) => [
          <tr>
            <td data-label="Title">
              {i.title ?? i.slug} {!i.isActive && <span class="badge">Inactive</span>}
            </td>
            <td data-label="Type / mode">
              {i.type} / {i.mode}
            </td>
            <td data-label="Content hash">
              <code data-hash>{i.contentHash.slice(0, 16)}…</code>
            </td>
            <EditActions id={i.id} name={i.title ?? i.slug} editing={editing} setEditing={setEditing} onDelete={() => act.run(async () => (await api('DELETE', `/projects/${projectId}/injectables/${i.id}`), reload()))} />
          </tr>,
          editing === i.id && (
            <EditorRow columns={4}>
              <InjectableEdit projectId={projectId} injectable={i} onDone={() => (setEditing(null), reload())} onCancel={() => setEditing(null)} />
            </EditorRow>
          ),
        ]}
      />
    </>
  );
}

/** Edits an injectable's settings; its content is never shown, only replaced (with the delivery secret again). */
function InjectableEdit({ projectId, injectable: i, onDone, onCancel }: { projectId: string; injectable: Injectable; onDone: () => void; onCancel: () => void }) {
  const [f, setF] = useState({ title: i.title ?? '', type: i.type, mode: i.mode, targetPath: i.targetPath ?? '', content: '', secret: '' });
  const [onlyIfPaid, setOnlyIfPaid] = useState(i.onlyIfPaid);
  const [isActive, setIsActive] = useState(i.isActive);
  const save = useAction();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const label = i.title ?? i.slug;
  return (
    <form
      aria-label={`Edit injectable ${label}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.run(async () => {
          const body: Record<string, unknown> = { title: f.title || null, type: f.type, mode: f.mode, targetPath: f.targetPath || null, onlyIfPaid, isActive };
          if (f.content) body.content = f.content;
          if (f.secret) body.secret = f.secret;
          await api('PATCH', `/projects/${projectId}/injectables/${i.id}`, body);
          onDone();
        });
      }}
    >
      <Field label="Title" name="title" value={f.title} onInput={set('title')} error={save.error} />
      <Select label="Type" name="type" value={f.type} onChange={set('type')} options={opts(INJECTABLE_TYPES.includes(i.type) ? INJECTABLE_TYPES : [i.type, ...INJECTABLE_TYPES])} error={save.error} />
      <Select label="Mode" name="mode" value={f.mode} onChange={set('mode')} options={opts(INJECTABLE_MODES)} error={save.error} />
      <Field label="Target path" name="targetPath" value={f.targetPath} onInput={set('targetPath')} error={save.error} />
      <Check label="Only delivered while the project is paid" checked={onlyIfPaid} onChange={setOnlyIfPaid} />
      <Check label="Active" checked={isActive} onChange={setIsActive} />
      <fieldset>
        <legend>Replace the content</legend>
        <p>
          <small>The current content is encrypted and not shown. Type new content to replace it, or leave this empty to keep it.</small>
        </p>
        <Field rows={5} label="New content" name="content" value={f.content} onInput={set('content')} error={save.error} />
        <Field
          label="Delivery secret"
          name="secret"
          type="password"
          value={f.secret}
          onInput={set('secret')}
          error={save.error}
          autoComplete="off"
          hint="Required with new content (at least 8 characters); on its own it replaces the secret."
        />
      </fieldset>
      <SaveCancel error={save.error} busy={save.busy} label="Save injectable" onCancel={onCancel} />
    </form>
  );
}
