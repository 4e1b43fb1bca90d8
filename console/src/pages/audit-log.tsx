import { useState } from 'preact/hooks';
import { api, qs, type Page, type Project } from '../api';
import { Field, Listing, Select, useCursor, useLoad, when } from '../ui';

interface AuditEntry {
  id: string;
  createdAt: string;
  actorType: string;
  actorId: string | null;
  keyPrefix: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  projectId: string | null;
  ip: string | null;
  requestId: string | null;
  changedFields: string[];
}

const ACTORS = [
  ['', 'Anyone'],
  ['developer', 'You (console or token)'],
  ['developer_key', 'Your developer key'],
  ['project_key', 'A project API key'],
  ['end_user', 'An end user'],
  ['operator', 'An operator'],
  ['system', 'Tollgate'],
  ['anonymous', 'An anonymous caller'],
] as const;

const EMPTY = { projectId: '', action: '', actorType: '', since: '', until: '' };

/** A date picked in the browser, as the start or the end of that local day in ISO 8601. */
const dayEdge = (day: string, end: boolean): string | undefined => {
  if (!day) return undefined;
  const d = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? day : d.toISOString();
};

/** The audit log page: every entry about the developer's data, across projects. */
export function AuditLogPage() {
  return (
    <section>
      <h1>Audit log</h1>
      <AuditLog />
    </section>
  );
}

/**
 * Audit entries with the API's filters (project, action, actor type, since, until), newest
 * first, paged on the server. Inside a project (`projectId`), confined to that project.
 */
export function AuditLog({ projectId }: { projectId?: string }) {
  const [form, setForm] = useState(EMPTY);
  const [applied, setApplied] = useState(EMPTY);
  const { cursor, reset, pager } = useCursor();
  const projects = useLoad(
    () => (projectId ? Promise.resolve(null) : api<Page<Project>>('GET', '/projects?perPage=50')),
    [projectId],
  );
  const { data, error } = useLoad(
    () =>
      api<Page<AuditEntry>>(
        'GET',
        `/audit-log${qs({ projectId: projectId ?? applied.projectId, action: applied.action.trim(), actorType: applied.actorType, since: dayEdge(applied.since, false), until: dayEdge(applied.until, true), cursor })}`,
      ),
    [projectId, applied, cursor],
  );
  const names = new Map((projects.data?.items ?? []).map((p) => [p.id, p.name]));
  const set = (k: keyof typeof EMPTY) => (v: string) => setForm({ ...form, [k]: v });
  return (
    <>
      <form
        role="search"
        aria-label="Filter the audit log"
        class="card filters"
        onSubmit={(e) => {
          e.preventDefault();
          reset();
          setApplied(form);
        }}
      >
        {!projectId && (
          <Select
            label="Project"
            name="projectId"
            value={form.projectId}
            onChange={set('projectId')}
            error={error}
            options={[['', 'All projects'], ...(projects.data?.items ?? []).map((p) => [p.id, p.name] as const)]}
          />
        )}
        <Field
          label="Action"
          name="action"
          value={form.action}
          onInput={set('action')}
          error={error}
          hint="e.g. license.created"
        />
        <Select
          label="Done by"
          name="actorType"
          value={form.actorType}
          onChange={set('actorType')}
          error={error}
          options={ACTORS}
        />
        <Field label="From (date)" name="since" type="date" value={form.since} onInput={set('since')} error={error} />
        <Field label="To (date)" name="until" type="date" value={form.until} onInput={set('until')} error={error} />
        <div class="row">
          <button type="submit" class="primary">
            Apply filters
          </button>
          <button type="button" onClick={() => (reset(), setForm(EMPTY), setApplied(EMPTY))}>
            Clear
          </button>
        </div>
      </form>
      <Listing
        data={data}
        error={error}
        empty={`No entries${JSON.stringify(applied) === JSON.stringify(EMPTY) ? ' yet' : ' match these filters'}.`}
        caption="Audit entries"
        columns={['When', 'Action', 'Target', ...(projectId ? [] : ['Project']), 'Done by', 'Changed', 'Address']}
        stack
        row={(e) => (
          <tr data-action={e.action}>
            <td data-label="When">{when(e.createdAt)}</td>
            <td data-label="Action">
              <code>{e.action}</code>
            </td>
            <td data-label="Target">
              {e.targetType}
              {e.targetId && (
                <>
                  {' '}
                  <code title={e.targetId}>{e.targetId.slice(-8)}</code>
                </>
              )}
            </td>
            {!projectId && (
              <td data-label="Project">
                {e.projectId ? (names.get(e.projectId) ?? <code>{e.projectId.slice(-8)}</code>) : '—'}
              </td>
            )}
            <td data-label="Done by">
              {ACTORS.find(([v]) => v === e.actorType)?.[1] ?? e.actorType}
              {e.keyPrefix && (
                <>
                  {' '}
                  <code>{e.keyPrefix}…</code>
                </>
              )}
            </td>
            <td data-label="Changed">{e.changedFields.length ? e.changedFields.join(', ') : '—'}</td>
            <td data-label="Address">{e.ip ?? '—'}</td>
          </tr>
        )}
      />
      {pager(data?.nextCursor)}
    </>
  );
}
