import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from '../api';
import { Loading, useLoad } from '../ui';

interface Dashboard {
  tier: { name: string; label: string; maxProjects: number | null; maxApiKeysPerProject: number | null };
  counts: { projects: number; apiKeys: number; endUsers: number; licenses: number; activeDomains: number; injectables: number };
  chart: Array<{ day: string; checks: number }>;
  health: string[];
}

function Chart({ data }: { data: Dashboard['chart'] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const host = el.current;
    const xs = data.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
    let plot: uPlot | null = null;
    // Canvas colours are fixed when drawn: draw again when the theme changes.
    const draw = () => {
      plot?.destroy();
      const css = getComputedStyle(document.documentElement);
      const color = css.getPropertyValue('--accent').trim() || '#1d4ed8';
      const fg = css.getPropertyValue('--fg').trim() || '#16181d';
      const grid = css.getPropertyValue('--line').trim() || '#c9ced8';
      const width = Math.max(260, Math.min(720, host.clientWidth || 600));
      const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
      plot = new uPlot(
        {
          width,
          height: 220,
          scales: { y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
          series: [{}, { label: 'Runtime checks', stroke: color, width: 2, fill: `${color}33` }],
          axes: [axis, { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 1e6, 1e7] }],
          legend: { show: false },
        },
        [xs, data.map((d) => d.checks)],
        host,
      );
    };
    draw();
    const watch = new MutationObserver(draw);
    watch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      watch.disconnect();
      plot?.destroy();
    };
  }, [data]);
  const total = data.reduce((s, d) => s + d.checks, 0);
  return (
    <figure class="card chart">
      <figcaption>
        Runtime checks, last 14 days: <strong>{total}</strong>
      </figcaption>
      <div ref={el} role="img" aria-label={`Chart of runtime checks per day for the last 14 days, ${total} in total`} />
    </figure>
  );
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
      <ul class="cards" aria-label="Totals">
        {cards.map(([label, n]) => (
          <li class="card stat">
            <span class="stat-n">{n}</span>
            <span class="stat-l">{label}</span>
          </li>
        ))}
      </ul>
      <Chart data={data.chart} />
      {steps.some((s) => !s.done) && (
        <section class="card" aria-labelledby="setup">
          <h2 id="setup">Get set up</h2>
          <ol class="checklist">
            {steps.map((s) => (
              <li class={s.done ? 'done' : ''}>
                {s.done ? <span>✓ {s.label}</span> : <a href={s.href}>{s.label}</a>}
              </li>
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
