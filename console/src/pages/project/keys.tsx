import { useState } from 'preact/hooks';
import { api, type KeyRecord } from '../../api';
import { Field, FormError, Loading, Reveal, Secret, useAction, useLoad } from '../../ui';
import { KeyTable } from '../developer-keys';

export function Keys({ projectId }: { projectId: string }) {
  const { data, error, reload } = useLoad(
    () => api<{ items: KeyRecord[]; max: number | null }>('GET', `/projects/${projectId}/keys`),
    [projectId],
  );
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
          <pre class="curl">{`curl -H "X-API-KEY: ${secret}" ${location.origin}/api/v1/project/${projectId}`}</pre>
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
        {data && (
          <p>
            {data.max === null
              ? `${active} active keys (no limit on your plan).`
              : `${active} of ${data.max} active keys your plan allows.`}
          </p>
        )}
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
          onRevoke={(k) =>
            revoke.run(async () => (await api('DELETE', `/projects/${projectId}/keys/${k.id}`), reload()))
          }
          rerollPath={(k) => `/projects/${projectId}/keys/${k.id}/reroll`}
          onReroll={reload}
        />
      )}
    </>
  );
}
