import type { Static } from '@sinclair/typebox';
import type { InstanceHealthSchema } from '../../../src/http/console/shapes';
import { api } from '../api';
import { Listing, Loading, useLoad, when } from '../ui';

type InstanceHealth = Static<typeof InstanceHealthSchema>;
type Check = InstanceHealth['components'][number];

const BADGE: Record<Check['status'], [string, string]> = {
  ok: ['ok', 'OK'],
  off: ['', 'Off'],
  warning: ['warn', 'Lagging'],
  error: ['bad', 'Failing'],
};

function Checks({ title, checks }: { title: string; checks: Check[] }) {
  const id = `health-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <Listing
        data={{ items: checks }}
        error={null}
        empty="Nothing to show."
        caption={title}
        columns={['Part', 'Status', 'Details']}
        stack
        row={(c) => (
          <tr data-check={c.name}>
            <td data-label="Part">
              <strong>{c.name}</strong>
            </td>
            <td data-label="Status">
              <span class={`badge ${BADGE[c.status][0]}`}>{BADGE[c.status][1]}</span>
            </td>
            <td data-label="Details">{c.summary}</td>
          </tr>
        )}
      />
    </section>
  );
}

/** The operators' view of the instance: each part and background loop in words, and the version. */
export function InstanceHealthPage() {
  const { data, error, reload } = useLoad(() => api<InstanceHealth>('GET', '/operator/health'), []);
  if (!data) return <Loading error={error} />;
  return (
    <section>
      <h1>Instance health</h1>
      <p>
        Tollgate {data.version} on Node {data.node}; this process has run for {Math.round(data.uptimeSeconds / 60)}{' '}
        minutes. Checked {when(data.checkedAt)}.{' '}
        <button type="button" onClick={reload}>
          Check again
        </button>
      </p>
      <Checks title="Services" checks={data.components} />
      <Checks title="Background loops" checks={data.loops} />
    </section>
  );
}
