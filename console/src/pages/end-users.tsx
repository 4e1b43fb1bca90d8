import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, qs, type Page, type Project } from '../api';
import { DayChart } from '../chart';
import { Field, Listing, Loading, money, Pager, Select, StatCards, useLoad, when } from '../ui';

interface EndUser {
  id: string;
  email: string;
  fullName: string | null;
  isActive: boolean;
  createdAt: string;
  projectId: string;
  projectName: string;
}

/** The registration trend: the server answers the whole series in one call. */
function Trend({ projectId }: { projectId: string }) {
  const { data, error } = useLoad(
    () => api<{ days: Array<{ day: string; count: number }> }>('GET', `/end-users/trend${qs({ days: 30, projectId })}`),
    [projectId],
  );
  if (!data) return <Loading error={error} />;
  return (
    <DayChart
      days={data.days.map((d) => ({ day: d.day, n: d.count }))}
      label="Registrations"
      caption="End users registered, last 30 days"
    />
  );
}

export function EndUsers() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [status, setStatus] = useState('');
  const [projectId, setProjectId] = useState('');
  const [page, setPage] = useState(1);
  const projects = useLoad(() => api<Page<Project>>('GET', '/projects?perPage=50'), []);
  const { data, error } = useLoad(
    () =>
      api<{ items: EndUser[]; total: number; pageSize: number }>(
        'GET',
        `/end-users${qs({ search: applied, page, projectId, isActive: status === '' ? undefined : status })}`,
      ),
    [applied, page, status, projectId],
  );
  return (
    <section>
      <h1>End users</h1>
      <Trend projectId={projectId} />
      <form
        role="search"
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setApplied(search);
        }}
      >
        <Field label="Search by email or name" name="search" value={search} onInput={setSearch} />
        <Select
          label="Project"
          value={projectId}
          options={[['', 'All projects'], ...(projects.data?.items ?? []).map((p): [string, string] => [p.id, p.name])]}
          onChange={(v) => (setPage(1), setProjectId(v))}
        />
        <Select
          label="Status"
          value={status}
          options={[
            ['', 'All'],
            ['true', 'Active'],
            ['false', 'Inactive'],
          ]}
          onChange={(v) => (setPage(1), setStatus(v))}
        />
        <button type="submit">Search</button>
      </form>
      <Listing
        data={data}
        error={error}
        empty="No end users found."
        caption="End users"
        columns={['Email', 'Name', 'Project', 'Status', 'Registered']}
        stack
        row={(u) => (
          <tr>
            <td data-label="Email">
              <a href={`/console/end-users/${u.id}`}>{u.email}</a>
            </td>
            <td data-label="Name">{u.fullName ?? '—'}</td>
            <td data-label="Project">{u.projectName}</td>
            <td data-label="Status">
              <span class={`badge ${u.isActive ? 'ok' : 'off'}`}>{u.isActive ? 'Active' : 'Inactive'}</span>
            </td>
            <td data-label="Registered">{when(u.createdAt)}</td>
          </tr>
        )}
      />
      <Pager page={page} total={data?.total} pageSize={data?.pageSize} onPage={setPage} />
    </section>
  );
}

interface SubscriptionState {
  status: string;
  planName: string | null;
  currentPeriodEnd: string | null;
  cancelAt: string | null;
}
interface Details {
  user: EndUser & { updatedAt: string | null; emailVerifiedAt: string | null };
  generations: { total: number; pending: number; processing: number; completed: number; failed: number };
  subscriptions: { test: SubscriptionState | null; live: SubscriptionState | null };
  payments: {
    total: number;
    recent: Array<{
      id: string;
      isTestMode: boolean;
      status: string;
      amountCents: number;
      currency: string;
      createdAt: string;
    }>;
  };
}

/** One end user: profile, project, generations by status, subscription state per mode, recent payments. */
export function EndUserDetails() {
  const { params } = useRoute();
  const { data, error } = useLoad(() => api<Details>('GET', `/end-users/${params.id}`), [params.id]);
  if (!data) {
    return (
      <section>
        <p>
          <a href="/console/end-users">← End users</a>
        </p>
        <Loading error={error} />
      </section>
    );
  }
  const { user: u, generations: g } = data;
  return (
    <section>
      <p>
        <a href="/console/end-users">← End users</a>
      </p>
      <h1>{u.email}</h1>
      <dl class="card ids" aria-label="Profile">
        <dt>Name</dt>
        <dd>{u.fullName ?? '—'}</dd>
        <dt>Project</dt>
        <dd>
          <a href={`/console/projects/${u.projectId}`}>{u.projectName}</a>
        </dd>
        <dt>Status</dt>
        <dd>
          <span class={`badge ${u.isActive ? 'ok' : 'off'}`}>{u.isActive ? 'Active' : 'Inactive'}</span>
        </dd>
        <dt>Registered</dt>
        <dd>{when(u.createdAt)}</dd>
        <dt>Email verified</dt>
        <dd>{u.emailVerifiedAt ? when(u.emailVerifiedAt) : 'Not verified'}</dd>
        <dt>User ID</dt>
        <dd>
          <code>{u.id}</code>
        </dd>
      </dl>
      <h2>Generations</h2>
      <StatCards
        label="Generations"
        cards={[
          ['Total', g.total],
          ['Completed', g.completed],
          ['In progress', g.pending + g.processing],
          ['Failed', g.failed],
        ]}
      />
      <p>
        <a href={`/console/projects/${u.projectId}/generations`}>The project’s gallery</a>
      </p>
      <h2>Subscription</h2>
      <Listing
        data={{ items: ['live', 'test'] as Array<'live' | 'test'> }}
        error={null}
        empty=""
        caption="Current subscription by mode"
        columns={['Mode', 'Status', 'Plan', 'Current period ends']}
        row={(mode) => {
          const s = data.subscriptions[mode];
          return (
            <tr>
              <th scope="row">{mode === 'live' ? 'Live' : 'Test'}</th>
              <td>
                {s ? (
                  <span class={`badge ${s.status === 'active' || s.status === 'trialing' ? 'ok' : 'off'}`}>
                    {s.status}
                  </span>
                ) : (
                  'No subscription'
                )}
              </td>
              <td>{s?.planName ?? '—'}</td>
              <td>{s ? when(s.cancelAt ?? s.currentPeriodEnd) : '—'}</td>
            </tr>
          );
        }}
      />
      <h2>Payments</h2>
      {data.payments.total > 0 && (
        <p>
          {data.payments.total} in total; the latest {data.payments.recent.length}:
        </p>
      )}
      <Listing
        data={{ items: data.payments.recent }}
        error={null}
        empty="No payments."
        caption="Latest payments"
        columns={['Date', 'Amount', 'Status', 'Mode']}
        stack
        row={(t) => (
          <tr>
            <td data-label="Date">{when(t.createdAt)}</td>
            <td data-label="Amount">{money(t.amountCents, t.currency)}</td>
            <td data-label="Status">
              <span class={`badge ${t.status === 'succeeded' ? 'ok' : 'off'}`}>{t.status}</span>
            </td>
            <td data-label="Mode">{t.isTestMode ? 'Test' : 'Live'}</td>
          </tr>
        )}
      />
    </section>
  );
}
