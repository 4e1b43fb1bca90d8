import { useState } from 'preact/hooks';
import { api, type Domain } from '../../api';
import { Check, Field, SaveCancel, Select, useAction } from '../../ui';
import { CreateCard, EditableList } from './editable-list';

const ENVIRONMENTS = [
  ['production', 'Production'],
  ['staging', 'Staging'],
  ['development', 'Development'],
] as const;

export function Domains({ projectId }: { projectId: string }) {
  return (
    <EditableList<Domain>
      projectId={projectId}
      collection="domains"
      caption="Domains"
      empty="No domains."
      columns={['Domain', 'Environment', 'Status']}
      name={(d) => d.domain}
      create={(reload) => <NewDomain projectId={projectId} onCreated={reload} />}
      cells={(d) => (
        <>
          <td data-label="Domain">
            {d.domain} {d.isPrimary && <span class="badge">Primary</span>}
          </td>
          <td data-label="Environment">{d.environment}</td>
          <td data-label="Status">
            <span class={`badge ${d.isActive ? 'ok' : 'off'}`}>{d.isActive ? 'Active' : 'Inactive'}</span>{' '}
            {d.hasPaid && <span class="badge ok">Paid</span>}
          </td>
        </>
      )}
      editor={(d, onDone, onCancel) => (
        <DomainEdit projectId={projectId} domain={d} onDone={onDone} onCancel={onCancel} />
      )}
    />
  );
}

function NewDomain({ projectId, onCreated }: { projectId: string; onCreated: () => void }) {
  const [domain, setDomain] = useState('');
  const [environment, setEnvironment] = useState('production');
  const create = useAction();
  return (
    <CreateCard
      label="New domain"
      title="Domains"
      button="Add domain"
      action={create}
      onSubmit={async () => {
        await api('POST', `/projects/${projectId}/domains`, { domain, environment });
        setDomain('');
        onCreated();
      }}
    >
      <Field
        label="Domain"
        name="domain"
        value={domain}
        onInput={setDomain}
        error={create.error}
        required
        hint="e.g. example.com"
      />
      <Select label="Environment" value={environment} onChange={setEnvironment} options={ENVIRONMENTS} />
    </CreateCard>
  );
}

function DomainEdit({
  projectId,
  domain,
  onDone,
  onCancel,
}: {
  projectId: string;
  domain: Domain;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [f, setF] = useState({
    domain: domain.domain,
    environment: domain.environment,
    isPrimary: domain.isPrimary,
    isVerified: domain.isVerified,
    isActive: domain.isActive,
    hasPaid: domain.hasPaid,
  });
  const save = useAction();
  const set =
    <K extends keyof typeof f>(k: K) =>
    (v: (typeof f)[K]) =>
      setF({ ...f, [k]: v });
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
      <Select
        label="Environment"
        name="environment"
        value={f.environment}
        onChange={set('environment')}
        options={ENVIRONMENTS}
        error={save.error}
      />
      <Check label="Primary domain of the project" checked={f.isPrimary} onChange={set('isPrimary')} />
      <Check label="Verified" checked={f.isVerified} onChange={set('isVerified')} />
      <Check label="Active (accepted by runtime checks)" checked={f.isActive} onChange={set('isActive')} />
      <Check label="Paid (runtime checks from this domain report paid)" checked={f.hasPaid} onChange={set('hasPaid')} />
      <SaveCancel error={save.error} busy={save.busy} label="Save domain" onCancel={onCancel} />
    </form>
  );
}
