import { useState } from 'preact/hooks';
import { api, type Me } from '../api';
import { currentTheme, saveTheme, type Theme } from '../theme';
import { Confirm, FormError, Loading, useAction, useLoad, when } from '../ui';

interface SessionRow {
  id: string;
  current: boolean;
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
}

export function Account({ me }: { me: Me }) {
  const { data, error, reload } = useLoad(() => api<{ items: SessionRow[] }>('GET', '/sessions'), []);
  const [theme, setTheme] = useState<Theme>(currentTheme());
  const act = useAction();
  return (
    <section>
      <h1>Account</h1>
      <dl class="card ids">
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Name</dt>
        <dd>{me.fullName ?? '—'}</dd>
        <dt>Account</dt>
        <dd>{me.kind === 'operator' ? 'Operator' : `Developer (${me.tier})`}</dd>
      </dl>
      <fieldset class="card">
        <legend>Theme</legend>
        {(['light', 'dark'] as const).map((t) => (
          <div class="check">
            <input
              type="radio"
              id={`theme-${t}`}
              name="theme"
              checked={theme === t}
              onChange={() => {
                setTheme(t);
                saveTheme(t);
              }}
            />
            <label for={`theme-${t}`}>{t === 'light' ? 'Light' : 'Dark'}</label>
          </div>
        ))}
      </fieldset>
      <h2>Active sessions</h2>
      <FormError error={act.error} />
      {!data ? (
        <Loading error={error} />
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Active sessions</caption>
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((s) => (
                <tr data-session={s.id}>
                  <td>
                    {(s.userAgent ?? 'Unknown').slice(0, 60)} {s.current && <span class="badge ok">This session</span>}
                  </td>
                  <td>{s.ip ?? '—'}</td>
                  <td>{when(s.createdAt)}</td>
                  <td>{when(s.lastSeenAt)}</td>
                  <td>
                    <Confirm
                      label={s.current ? 'Sign out here' : 'Revoke'}
                      onConfirm={() =>
                        act.run(async () => {
                          await api('DELETE', `/sessions/${s.id}`);
                          if (s.current) location.assign('/console');
                          else reload();
                        })
                      }
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
