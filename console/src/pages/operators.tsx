import { useState } from 'preact/hooks';
import { api, qs, type Reveal as RevealData } from '../api';
import { Field, FormError, Loading, Reveal, Secret, useAction, useLoad, when } from '../ui';

interface Developer {
  id: string;
  email: string;
  fullName: string | null;
  tier: string;
  isActive: boolean;
  createdAt: string;
  projects: number;
}

function TierSelect({ dev, tiers, onChanged }: { dev: Developer; tiers: Array<{ name: string; label: string }>; onChanged: () => void }) {
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
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1]!;
  const { data, error, reload } = useLoad(
    () => api<{ items: Developer[]; nextCursor: string | null; tiers: Array<{ name: string; label: string }> }>('GET', `/operator/developers${qs({ search: applied, cursor })}`),
    [applied, cursor],
  );
  const settings = useLoad(() => api<{ signUpOpen: boolean }>('GET', '/operator/settings'), []);
  const toggle = useAction();
  const [open, setOpen] = useState<boolean | null>(null);
  const signUpOpen = open ?? settings.data?.signUpOpen ?? false;
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
          <div class="check">
            <input
              id="signup-open"
              type="checkbox"
              checked={signUpOpen}
              disabled={toggle.busy}
              onChange={(e) => {
                const want = (e.target as HTMLInputElement).checked;
                setOpen(want);
                toggle.run(async () => {
                  try {
                    const r = await api<{ signUpOpen: boolean }>('PUT', '/operator/settings', { signUpOpen: want });
                    setOpen(r.signUpOpen);
                  } catch (err) {
                    setOpen(!want);
                    throw err;
                  }
                });
              }}
            />
            <label for="signup-open">Anyone may sign up as a developer in the console</label>
          </div>
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
            const r = await api<{ reveal: RevealData }>('POST', '/operator/developers', { email: f.email, password: f.password, fullName: f.fullName || null });
            setReveal(r.reveal);
            setF({ email: '', password: '', fullName: '' });
            reload();
          });
        }}
      >
        <h2>Create a developer</h2>
        <Field label="Email" name="email" type="email" value={f.email} onInput={set('email')} error={create.error} required autoComplete="off" />
        <Field label="Full name" name="fullName" value={f.fullName} onInput={set('fullName')} error={create.error} autoComplete="off" />
        <Field label="Password" name="password" type="password" value={f.password} onInput={set('password')} error={create.error} required autoComplete="new-password" />
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          Create developer
        </button>
      </form>
      <form
        role="search"
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([null]);
          setApplied(search);
        }}
      >
        <Field label="Search by email or name" name="search" value={search} onInput={setSearch} />
        <button type="submit">Search</button>
      </form>
      {!data ? (
        <Loading error={error} />
      ) : data.items.length === 0 ? (
        <p>No developers found.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Developer accounts</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Projects</th>
                <th scope="col">Tier</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((d) => (
                <tr data-developer={d.email}>
                  <td>
                    {d.email}
                    {!d.isActive && <span class="badge off">Inactive</span>}
                  </td>
                  <td>{d.projects}</td>
                  <td>
                    <TierSelect dev={d} tiers={data.tiers} onChanged={reload} />
                  </td>
                  <td>{when(d.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="row" aria-label="Pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!data?.nextCursor} onClick={() => data?.nextCursor && setCursors([...cursors, data.nextCursor])}>
          Next page
        </button>
      </nav>
    </section>
  );
}
