import { useRoute } from 'preact-iso';
import { api, type Project } from '../api';
import { Loading, useLoad } from '../ui';
import { AuditLog } from './audit-log';
import { Generations } from './generations';
import { Payments } from './payments';
import { Domains } from './project/domains';
import { Injectables } from './project/injectables';
import { Keys } from './project/keys';
import { Licenses } from './project/licenses';
import { Overview } from './project/settings';
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
