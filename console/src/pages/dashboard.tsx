import { api } from '../api';
import { QUOTA_NOTE } from '../quota';
import { DayChart } from '../chart';
import { Loading, StatCards, useLoad } from '../ui';

interface Dashboard {
  tier: { name: string; label: string; maxProjects: number | null; maxApiKeysPerProject: number | null };
  counts: {
    projects: number;
    apiKeys: number;
    endUsers: number;
    licenses: number;
    activeDomains: number;
    injectables: number;
    activeSubscriptions: number;
  };
  generations: { month: string; used: number; limit: number | null };
  chart: Array<{ day: string; checks: number; generations: number }>;
  health: string[];
}

export function Dashboard() {
  const { data, error } = useLoad(() => api<Dashboard>('GET', '/dashboard'), []);
  if (!data) return <Loading error={error} />;
  const c = data.counts;
  const steps = [
    { done: c.projects > 0, label: 'Create a project', href: '/console/projects' },
    { done: c.apiKeys > 0, label: 'Create a project API key', href: '/console/projects' },
    { done: c.licenses > 0, label: 'Issue a license', href: '/console/projects' },
    { done: c.activeDomains > 0, label: 'Add a domain', href: '/console/projects' },
  ];
  const cards: Array<[string, number | string]> = [
    ['Projects', data.tier.maxProjects === null ? c.projects : `${c.projects} / ${data.tier.maxProjects}`],
    ['Active API keys', c.apiKeys],
    ['End users', c.endUsers],
    ['Licenses', c.licenses],
    ['Active domains', c.activeDomains],
    ['Injectables', c.injectables],
    [
      'Generation quota used this month',
      data.generations.limit === null
        ? `${data.generations.used} (no limit)`
        : `${data.generations.used} / ${data.generations.limit}`,
    ],
    ['Active subscriptions', c.activeSubscriptions],
  ];
  return (
    <section>
      <h1>Dashboard</h1>
      {data.health.length > 0 && (
        <div class="alert err" role="alert">
          <strong>Something is wrong with this instance:</strong>
          <ul>
            {data.health.map((h) => (
              <li>{h}</li>
            ))}
          </ul>
        </div>
      )}
      <p>
        Plan: <strong>{data.tier.label}</strong>
      </p>
      <StatCards label="Totals" cards={cards} />
      <DayChart
        days={data.chart.map((d) => ({ day: d.day, n: d.checks }))}
        label="Runtime checks"
        caption="Runtime checks, last 14 days"
      />
      <DayChart
        days={data.chart.map((d) => ({ day: d.day, n: d.generations }))}
        label="Generations"
        caption="Generations kept, by the day they were made, last 14 days"
      />
      <p>
        <small>{QUOTA_NOTE}</small>
      </p>
      {steps.some((s) => !s.done) && (
        <section class="card" aria-labelledby="setup">
          <h2 id="setup">Get set up</h2>
          <ol class="checklist">
            {steps.map((s) => (
              <li class={s.done ? 'done' : ''}>{s.done ? <span>✓ {s.label}</span> : <a href={s.href}>{s.label}</a>}</li>
            ))}
          </ol>
        </section>
      )}
      <section aria-labelledby="quick">
        <h2 id="quick">Quick actions</h2>
        <p class="row">
          <a class="button" href="/console/projects">
            New project
          </a>
          <a class="button" href="/console/developer-keys">
            Developer keys
          </a>
        </p>
      </section>
    </section>
  );
}
