import { useState } from 'preact/hooks';
import { api, type KeyRecord } from '../api';
import { Reroll } from '../reroll';
import { Confirm, Field, FormError, Listing, Loading, Reveal, Secret, useAction, useLoad, when } from '../ui';

/** `rerollPath`: where a key's Reroll posts (its console path + `/reroll`); `onReroll`: reload after. */
export function KeyTable({
  items,
  onRevoke,
  caption,
  rerollPath,
  onReroll,
}: {
  items: KeyRecord[];
  onRevoke: (k: KeyRecord) => Promise<void>;
  caption: string;
  rerollPath: (k: KeyRecord) => string;
  onReroll: () => void;
}) {
  return (
    <Listing
      data={{ items }}
      error={null}
      empty="No keys yet."
      caption={caption}
      columns={['Name', 'Prefix', 'Created', 'Last used', 'Status', '']}
      row={(k) => (
        <tr>
          <td>{k.name ?? '—'}</td>
          <td>
            <code>{k.keyPrefix}…</code>
          </td>
          <td>{when(k.createdAt)}</td>
          <td>{when(k.lastUsedAt)}</td>
          <td>
            <span class={`badge ${k.isActive ? 'ok' : 'off'}`}>{k.isActive ? 'Active' : 'Revoked'}</span>
          </td>
          <td class="actions">
            {k.isActive && <Reroll path={rerollPath(k)} label={caption.replace(/s$/, '')} onDone={onReroll} />}{' '}
            {k.isActive && <Confirm label="Revoke" onConfirm={() => onRevoke(k)} />}
          </td>
        </tr>
      )}
    />
  );
}

export function DeveloperKeys() {
  const { data, error, reload } = useLoad(() => api<{ items: KeyRecord[] }>('GET', '/developer-keys'), []);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAction();
  const revoke = useAction();
  return (
    <section>
      <h1>Developer keys</h1>
      <p>
        A developer key signs your own calls to the Dev Kit API (X-Developer-Key) and acts as a global key on the
        DevPayr API.
      </p>
      {secret && (
        <Reveal title="New developer key" onDone={() => setSecret(null)}>
          <Secret label="Developer key" value={secret} />
        </Reveal>
      )}
      <form
        class="card"
        aria-label="New developer key"
        onSubmit={(e) => {
          e.preventDefault();
          create.run(async () => {
            const r = await api<{ secret: string }>('POST', '/developer-keys', { name: name || null });
            setSecret(r.secret);
            setName('');
            reload();
          });
        }}
      >
        <Field label="Key name" name="name" value={name} onInput={setName} error={create.error} />
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          Create developer key
        </button>
      </form>
      <FormError error={revoke.error} />
      {!data ? (
        <Loading error={error} />
      ) : (
        <KeyTable
          caption="Developer keys"
          items={data.items}
          onRevoke={(k) => revoke.run(async () => (await api('DELETE', `/developer-keys/${k.id}`), reload()))}
          rerollPath={(k) => `/developer-keys/${k.id}/reroll`}
          onReroll={reload}
        />
      )}
    </section>
  );
}
