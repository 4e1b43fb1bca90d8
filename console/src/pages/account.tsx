import { useState } from 'preact/hooks';
import { api, ApiError, type Me } from '../api';
import { currentTheme, saveTheme, type Theme } from '../theme';
import { Confirm, Field, FormError, Listing, Loading, useAction, useLoad, when } from '../ui';

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
        <dt>Account</dt>
        <dd>{me.kind === 'operator' ? 'Operator' : `Developer (${me.tier})`}</dd>
      </dl>
      {me.kind === 'developer' && (
        <>
          <Profile />
          <Password onChanged={reload} />
        </>
      )}
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
      <Listing
        data={data}
        error={error}
        empty="No active sessions."
        caption="Active sessions"
        columns={['Browser', 'Address', 'Signed in', 'Last active', '']}
        row={(s) => (
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
        )}
      />
    </section>
  );
}

/** The name on the account (the email is the sign-in name and stays). */
function Profile() {
  const { data, error } = useLoad(() => api<Me>('GET', '/me'), []);
  const [name, setName] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useAction();
  if (!data) return <Loading error={error} />;
  const value = name ?? data.fullName ?? '';
  return (
    <form
      class="card"
      aria-label="Profile"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        save.run(async () => {
          const r = await api<Me>('PATCH', '/account', { fullName: value.trim() || null });
          setName(r.fullName ?? '');
          setSaved(true);
        });
      }}
    >
      <h2>Profile</h2>
      <Field label="Full name" name="fullName" value={value} onInput={setName} error={save.error} autoComplete="name" />
      <p>
        <small>Your email, {data.email}, is your sign-in name and cannot be changed here.</small>
      </p>
      <FormError error={save.error} />
      {saved && <p role="status">Profile saved.</p>}
      <button type="submit" class="primary" disabled={save.busy}>
        {save.busy ? 'Saving…' : 'Save profile'}
      </button>
    </form>
  );
}

const MISMATCH = 'The two new passwords are not the same.';

/** Changing the password ends every other sign-in (other browsers, API refresh tokens); this one stays. */
function Password({ onChanged }: { onChanged: () => void }) {
  const empty = { currentPassword: '', newPassword: '', confirm: '' };
  const [f, setF] = useState(empty);
  const [done, setDone] = useState<number | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const change = useAction();
  const set = (k: keyof typeof empty) => (v: string) => setF({ ...f, [k]: v });
  return (
    <form
      class="card"
      aria-label="Change password"
      onSubmit={(e) => {
        e.preventDefault();
        setDone(null);
        setMismatch(f.newPassword !== f.confirm);
        if (f.newPassword !== f.confirm) return;
        change.run(async () => {
          const r = await api<{ sessionsEnded: number }>('POST', '/account/password', {
            currentPassword: f.currentPassword,
            newPassword: f.newPassword,
          });
          setF(empty);
          setDone(r.sessionsEnded);
          onChanged();
        });
      }}
    >
      <h2>Change password</h2>
      <Field
        label="Current password"
        name="currentPassword"
        type="password"
        value={f.currentPassword}
        onInput={set('currentPassword')}
        error={change.error}
        autoComplete="current-password"
        required
      />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        value={f.newPassword}
        onInput={set('newPassword')}
        error={change.error}
        autoComplete="new-password"
        required
        hint="At least 8 characters with uppercase, lowercase and a digit."
      />
      <Field
        label="New password again"
        name="confirm"
        type="password"
        value={f.confirm}
        onInput={set('confirm')}
        autoComplete="new-password"
        required
        error={mismatch ? new ApiError(0, 'mismatch', MISMATCH, [{ field: 'confirm', message: MISMATCH }]) : null}
      />
      <FormError error={change.error} />
      {done !== null && (
        <p role="status">
          Password changed.{' '}
          {done === 0
            ? 'No other sessions were signed in.'
            : `${done} other ${done === 1 ? 'session was' : 'sessions were'} signed out.`}{' '}
          Apps using the API must sign in again.
        </p>
      )}
      <button type="submit" class="primary" disabled={change.busy}>
        {change.busy ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}
