import { useState } from 'preact/hooks';
import { api, qs, type License, type Page } from '../../api';
import {
  Check,
  Confirm,
  Field,
  FormError,
  Listing,
  Loading,
  Reveal,
  Secret,
  Select,
  useAction,
  useCursor,
  useLoad,
  when,
} from '../../ui';
import { Reroll } from '../../reroll';

interface Identifier {
  identifier: string;
  firstSeenAt: string;
  lastSeenAt: string;
  count: number;
}

/** Where a license has been used from (its identifiers), fetched when asked for. */
function UsedFrom({ projectId, licenseId }: { projectId: string; licenseId: string }) {
  const { data, error } = useLoad(
    () => api<{ identifiers: Identifier[] }>('GET', `/projects/${projectId}/licenses/${licenseId}`),
    [licenseId],
  );
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

/** The new-license form as it opens, and as it resets after a create. */
const EMPTY_FORM = {
  title: '',
  expiresAt: '',
  maxDomains: '',
  maxUsagePerDay: '',
  allowedIps: '',
  allowedCountries: '',
  maxDevices: '',
  heartbeatInterval: '',
  componentMatch: 'any',
};

export function Licenses({ projectId }: { projectId: string }) {
  const [open, setOpen] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const { cursor, resetting, pager } = useCursor();
  const { data, error, reload } = useLoad(
    () => api<Page<License>>('GET', `/projects/${projectId}/licenses${qs({ status, cursor })}`),
    [projectId, status, cursor],
  );
  const [f, setF] = useState(EMPTY_FORM);
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
            setF(EMPTY_FORM);
            reload();
          });
        }}
      >
        <h2>New license</h2>
        <Field label="Title" name="title" value={f.title} onInput={set('title')} error={create.error} required />
        <Field
          label="Expires (date)"
          name="expiresAt"
          type="date"
          value={f.expiresAt}
          onInput={set('expiresAt')}
          error={create.error}
        />
        <Field
          label="Maximum domains"
          name="maxDomains"
          type="number"
          value={f.maxDomains}
          onInput={set('maxDomains')}
          error={create.error}
        />
        <Field
          label="Maximum checks per day"
          name="maxUsagePerDay"
          type="number"
          value={f.maxUsagePerDay}
          onInput={set('maxUsagePerDay')}
          error={create.error}
        />
        <Field
          label="Allowed IPs or CIDR ranges (comma-separated)"
          name="allowedIps"
          value={f.allowedIps}
          onInput={set('allowedIps')}
          error={create.error}
        />
        <Field
          label="Allowed countries (ISO codes, comma-separated)"
          name="allowedCountries"
          value={f.allowedCountries}
          onInput={set('allowedCountries')}
          error={create.error}
        />
        <Field
          label="Maximum devices (empty: unlimited)"
          name="maxDevices"
          type="number"
          value={f.maxDevices}
          onInput={set('maxDevices')}
          error={create.error}
        />
        <Field
          label="Heartbeat interval (seconds)"
          name="heartbeatInterval"
          type="number"
          value={f.heartbeatInterval}
          onInput={set('heartbeatInterval')}
          error={create.error}
        />
        <Select
          label="Device components must match"
          name="componentMatch"
          value={f.componentMatch}
          onChange={set('componentMatch')}
          options={[
            ['any', 'Any one'],
            ['majority', 'A majority'],
            ['all', 'All'],
          ]}
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
          options={[
            ['', 'All licenses'],
            ['active', 'Active'],
            ['revoked', 'Revoked'],
            ['expired', 'Expired'],
          ]}
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
                <button
                  type="button"
                  onClick={() =>
                    act.run(
                      async () => (await api('POST', `/projects/${projectId}/licenses/${l.id}/reactivate`), reload()),
                    )
                  }
                >
                  Reactivate
                </button>
              ) : (
                <Confirm
                  label="Revoke"
                  onConfirm={() =>
                    act.run(async () => (await api('POST', `/projects/${projectId}/licenses/${l.id}/revoke`), reload()))
                  }
                />
              )}{' '}
              <Reroll path={`/projects/${projectId}/licenses/${l.id}/reroll`} label="license key" onDone={reload} />{' '}
              <Confirm
                label="Delete"
                onConfirm={() =>
                  act.run(async () => (await api('DELETE', `/projects/${projectId}/licenses/${l.id}`), reload()))
                }
              />
            </td>
          </tr>
        )}
      />
      {pager(data?.nextCursor)}
    </>
  );
}
