import { useState } from 'preact/hooks';
import { api, type Me, type Meta, type Reveal as RevealData } from '../api';
import { Field, FormError, Reveal, Secret, useAction } from '../ui';

export function SignIn({ meta, onSignedIn }: { meta: Meta; onSignedIn: (me: Me) => void }) {
  const [mode, setMode] = useState<'developer' | 'operator' | 'sign-up'>('developer');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fullName, setFullName] = useState('');
  const [key, setKey] = useState('');
  const [reveal, setReveal] = useState<{ data: RevealData; me: Me | null; activation: boolean } | null>(null);
  const { busy, error, run, setError } = useAction();

  if (reveal) {
    return (
      <main id="main" class="narrow">
        <Reveal
          title="Your account is ready"
          onDone={() => {
            if (reveal.me) onSignedIn(reveal.me);
            else {
              setReveal(null);
              setMode('developer');
            }
          }}
        >
          <Secret label="Developer key" value={reveal.data.developerKey} />
          <Secret label="Project ID" value={reveal.data.projectId} />
          <Secret label="Project API key" value={reveal.data.apiKey} />
          {reveal.activation && <p>We sent you an email: activate your account from it, then sign in.</p>}
        </Reveal>
      </main>
    );
  }

  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => {
      if (mode === 'developer') onSignedIn(await api<Me>('POST', '/sign-in', { email, password }));
      else if (mode === 'operator') onSignedIn(await api<Me>('POST', '/sign-in/operator', { key }));
      else {
        const r = await api<{ me: Me | null; activationRequired: boolean; reveal: RevealData }>('POST', '/sign-up', {
          email,
          password,
          fullName: fullName || null,
        });
        setReveal({ data: r.reveal, me: r.me, activation: r.activationRequired });
      }
    });
  };
  const tab = (m: typeof mode, label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={mode === m}
      class={mode === m ? 'tab on' : 'tab'}
      onClick={() => (setMode(m), setError(null))}
    >
      {label}
    </button>
  );
  return (
    <main id="main" class="narrow">
      {meta.insecure && (
        <p class="banner" role="status">
          This console is served without TLS: anyone on the network path can read what you do here.
        </p>
      )}
      <h1>Tollgate console</h1>
      <div role="tablist" aria-label="How to sign in" class="tabs">
        {tab('developer', 'Developer')}
        {tab('operator', 'Operator')}
        {meta.signUpOpen && tab('sign-up', 'Sign up')}
      </div>
      <form onSubmit={submit} class="card" aria-label={mode === 'sign-up' ? 'Sign up' : 'Sign in'}>
        {mode === 'operator' ? (
          <Field
            label="Operator key"
            name="key"
            type="password"
            value={key}
            onInput={setKey}
            error={error}
            required
            autoComplete="off"
          />
        ) : (
          <>
            {mode === 'sign-up' && (
              <Field
                label="Full name"
                name="fullName"
                value={fullName}
                onInput={setFullName}
                error={error}
                autoComplete="name"
              />
            )}
            <Field
              label="Email"
              name="email"
              type="email"
              value={email}
              onInput={setEmail}
              error={error}
              required
              autoComplete="username"
            />
            <Field
              label="Password"
              name="password"
              type="password"
              value={password}
              onInput={setPassword}
              error={error}
              required
              autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
              hint={
                mode === 'sign-up'
                  ? 'At least 8 characters with an uppercase letter, a lowercase letter and a digit.'
                  : undefined
              }
            />
          </>
        )}
        <FormError error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Working…' : mode === 'sign-up' ? 'Create account' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
