import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { api, whenSignedOut, type Me, type Meta } from './api';
import { Account } from './pages/account';
import { AuditLogPage } from './pages/audit-log';
import { Dashboard } from './pages/dashboard';
import { DeveloperKeys } from './pages/developer-keys';
import { EndUserDetails, EndUsers } from './pages/end-users';
import { InstanceHealthPage } from './pages/instance-health';
import { Operators } from './pages/operators';
import { ProjectPage } from './pages/project';
import { Projects } from './pages/projects';
import { SignIn } from './pages/sign-in';
import { applyTheme, currentTheme } from './theme';

applyTheme(currentTheme());

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <a href="/console">Back to the dashboard</a>
      </p>
    </section>
  );
}

function Shell({ me, insecure, onSignOut }: { me: Me; insecure: boolean; onSignOut: () => void }) {
  const { path } = useLocation();
  const links =
    me.kind === 'operator'
      ? [
          ['/console/operators', 'Developers'],
          ['/console/instance', 'Instance health'],
          ['/console/account', 'Account'],
        ]
      : [
          ['/console', 'Dashboard'],
          ['/console/projects', 'Projects'],
          ['/console/end-users', 'End users'],
          ['/console/developer-keys', 'Developer keys'],
          ['/console/audit-log', 'Audit log'],
          ['/console/account', 'Account'],
        ];
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      {insecure && (
        <p class="banner" role="status">
          This console is served without TLS: anyone on the network path can read what you do here. Put it behind HTTPS
          and set PUBLIC_URL.
        </p>
      )}
      <header class="top">
        <a class="brand" href="/console">
          Tollgate
        </a>
        <nav aria-label="Main">
          <ul>
            {links.map(([href, label]) => (
              <li>
                <a
                  href={href}
                  aria-current={
                    path === href || (href !== '/console' && path.startsWith(`${href}/`)) ? 'page' : undefined
                  }
                >
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          onClick={async () => {
            await api('POST', '/sign-out').catch(() => undefined);
            onSignOut();
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main">
        <Router>
          {me.kind === 'operator' ? (
            <Route path="/console" component={Operators} />
          ) : (
            <Route path="/console" component={Dashboard} />
          )}
          <Route path="/console/projects" component={Projects} />
          <Route path="/console/projects/:id/:tab?" component={ProjectPage} />
          <Route path="/console/end-users" component={EndUsers} />
          <Route path="/console/end-users/:id" component={EndUserDetails} />
          <Route path="/console/developer-keys" component={DeveloperKeys} />
          <Route path="/console/audit-log" component={AuditLogPage} />
          <Route path="/console/account" component={() => <Account me={me} />} />
          <Route path="/console/operators" component={Operators} />
          <Route path="/console/instance" component={InstanceHealthPage} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </>
  );
}

function App() {
  const [meta, setMeta] = useState<Meta | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => api<Meta>('GET', '/meta').then(setMeta, (e: Error) => setError(e.message));
  useEffect(() => {
    refresh();
    whenSignedOut(() => void refresh());
  }, []);
  if (error)
    return (
      <p class="alert err" role="alert">
        {error}
      </p>
    );
  if (!meta) return <p aria-live="polite">Loading…</p>;
  if (!meta.me) return <SignIn meta={meta} onSignedIn={(me) => setMeta({ ...meta, signedIn: true, me })} />;
  return <Shell me={meta.me} insecure={meta.insecure} onSignOut={() => void refresh()} />;
}

render(
  <LocationProvider>
    <App />
  </LocationProvider>,
  document.getElementById('app')!,
);
