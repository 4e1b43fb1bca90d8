import { useState } from 'preact/hooks';
import { api, qs, type Reveal as RevealData } from '../api';
import {
  Field,
  FormError,
  Listing,
  Loading,
  Reveal,
  SavedCheck,
  SearchForm,
  Secret,
  useAction,
  useCursor,
  useLoad,
  when,
} from '../ui';

interface Developer {
  id: string;
  email: string;
  fullName: string | null;
  tier: string;
  isActive: boolean;
  createdAt: string;
  projects: number;
}

function TierSelect({
  dev,
  tiers,
  onChanged,
}: {
  dev: Developer;
  tiers: Array<{ name: string; label: string }>;
  onChanged: () => void;
}) {
  const act = useAction();
  const id = `tier-${dev.id}`;
  return (
    <div>
      <label for={id} class="sr-only">
        Tier of {dev.email}
      </label>
      <select
        id={id}
        value={dev.tier}
        disabled={act.busy}
        onChange={(e) => {
          const tier = (e.target as HTMLSelectElement).value;
          act.run(async () => {
            await api('PUT', `/operator/developers/${dev.id}/tier`, { tier });
            onChanged();
          });
        }}
      >
        {tiers.map((t) => (
          <option value={t.name}>{t.label}</option>
        ))}
      </select>
      {act.error && <small class="err">{act.error.message}</small>}
    </div>
  );
}

export function Operators() {
  const [applied, setApplied] = useState('');
  const { cursor, resetting, pager } = useCursor();
  const { data, error, reload } = useLoad(
    () =>
      api<{ items: Developer[]; nextCursor: string | null; tiers: Array<{ name: string; label: string }> }>(
        'GET',
        `/operator/developers${qs({ search: applied, cursor })}`,
      ),
    [applied, cursor],
  );
  const settings = useLoad(() => api<{ signUpOpen: boolean }>('GET', '/operator/settings'), []);
  const toggle = useAction();
  const [f, setF] = useState({ email: '', password: '', fullName: '' });
  const [reveal, setReveal] = useState<RevealData | null>(null);
  const create = useAction();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <section>
      <h1>Developers</h1>
      <section class="card" aria-labelledby="signup-h">
        <h2 id="signup-h">Developer sign-up</h2>
        {settings.data ? (
          <SavedCheck
            label="Anyone may sign up as a developer in the console"
            checked={settings.data.signUpOpen}
            act={toggle}
            save={(signUpOpen) => api('PUT', '/operator/settings', { signUpOpen }).then(() => undefined)}
          />
        ) : (
          <Loading error={settings.error} />
        )}
        <FormError error={toggle.error} />
      </section>
      {reveal && (
        <Reveal title="Developer created" onDone={() => setReveal(null)}>
          <Secret label="Developer key" value={reveal.developerKey} />
          <Secret label="Project ID" value={reveal.projectId} />
          <Secret label="Project API key" value={reveal.apiKey} />
        </Reveal>
      )}
      <form
        class="card"
        aria-label="Create a developer"
        onSubmit={(e) => {
          e.preventDefault();
          create.run(async () => {
            const r = await api<{ reveal: RevealData }>('POST', '/operator/developers', {
              email: f.email,
              password: f.password,
              fullName: f.fullName || null,
            });
            setReveal(r.reveal);
            setF({ email: '', password: '', fullName: '' });
            reload();
          });
        }}
      >
        <h2>Create a developer</h2>
        <Field
          label="Email"
          name="email"
          type="email"
          value={f.email}
          onInput={set('email')}
          error={create.error}
          required
          autoComplete="off"
        />
        <Field
          label="Full name"
          name="fullName"
          value={f.fullName}
          onInput={set('fullName')}
          error={create.error}
          autoComplete="off"
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={f.password}
          onInput={set('password')}
          error={create.error}
          required
          autoComplete="new-password"
        />
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          Create developer
        </button>
      </form>
      <SearchForm label="Search by email or name" onSearch={resetting(setApplied)} />
      <Listing
        data={data}
        error={error}
        empty="No developers found."
        caption="Developer accounts"
        columns={['Email', 'Projects', 'Tier', 'Created']}
        row={(d) => (
          <tr data-developer={d.email}>
            <td>
              {d.email}
              {!d.isActive && <span class="badge off">Inactive</span>}
            </td>
            <td>{d.projects}</td>
            <td>
              <TierSelect dev={d} tiers={data!.tiers} onChanged={reload} />
            </td>
            <td>{when(d.createdAt)}</td>
          </tr>
        )}
      />
      {pager(data?.nextCursor)}
    </section>
  );
}
