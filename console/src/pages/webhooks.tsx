import { useState } from 'preact/hooks';
import { api, qs, type Project } from '../api';
import {
  Check,
  Field,
  FormError,
  Listing,
  Loading,
  Select,
  opts,
  useAction,
  useCursor,
  useLoad,
  useReloadWhile,
  when,
} from '../ui';

interface Delivery {
  id: string;
  eventId: string;
  event: string;
  status: 'pending' | 'retrying' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}
interface Attempt {
  attemptedAt: string;
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
}

const STATUS_BADGE: Record<Delivery['status'], string> = {
  delivered: 'ok',
  pending: 'off',
  retrying: 'warn',
  failed: 'bad',
};

/** A project's webhooks: the endpoint (URL, secret never shown), a test event, and the delivery log. */
export function Webhooks({ project, onSaved }: { project: Project; onSaved: () => void }) {
  const [url, setUrl] = useState(project.webhookUrl ?? '');
  const [secret, setSecret] = useState('');
  const [removeSecret, setRemoveSecret] = useState(false);
  const [saved, setSaved] = useState(false);
  const [sentTest, setSentTest] = useState(false);
  const [logVersion, setLogVersion] = useState(0);
  const save = useAction();
  const test = useAction();
  return (
    <>
      <form
        class="card"
        aria-label="Webhook endpoint"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          save.run(async () => {
            const body: Record<string, unknown> = { url: url.trim() || null };
            if (removeSecret) body.secret = null;
            else if (secret) body.secret = secret;
            await api('PUT', `/projects/${project.id}/webhook`, body);
            setSecret('');
            setRemoveSecret(false);
            setSaved(true);
            onSaved();
          });
        }}
      >
        <h2>Webhook endpoint</h2>
        <p>Tollgate posts this project’s events to the URL, signed with the secret (Standard Webhooks).</p>
        {project.webhookDisabledAt && (
          <p class="alert warn" role="status">
            Deliveries stopped on {when(project.webhookDisabledAt)} because the endpoint kept failing. Save the URL
            again to turn them back on.
          </p>
        )}
        {project.webhookWarning && (
          <p class="alert warn" role="status">
            {project.webhookWarning}
          </p>
        )}
        <Field
          label="Webhook URL"
          name="webhookUrl"
          value={url}
          onInput={setUrl}
          error={save.error}
          hint="An http(s) URL; leave empty to stop deliveries."
        />
        <Field
          label="Webhook secret"
          name="webhookSecret"
          type="password"
          value={secret}
          onInput={setSecret}
          error={save.error}
          autoComplete="off"
          hint={
            project.hasWebhookSecret
              ? 'A secret is set and is never shown; type a new one to replace it.'
              : 'No secret set: deliveries are unsigned.'
          }
        />
        {project.hasWebhookSecret && (
          <Check
            label="Remove the secret (deliveries are then unsigned)"
            checked={removeSecret}
            onChange={setRemoveSecret}
          />
        )}
        <FormError error={save.error} />
        {saved && <p role="status">Saved.</p>}
        <div class="row">
          <button type="submit" class="primary" disabled={save.busy}>
            {save.busy ? 'Saving…' : 'Save endpoint'}
          </button>
          <button
            type="button"
            disabled={test.busy}
            onClick={() => {
              setSentTest(false);
              test.run(async () => {
                await api('POST', `/projects/${project.id}/webhook-test`);
                setSentTest(true);
                setLogVersion((v) => v + 1);
              });
            }}
          >
            {test.busy ? 'Sending…' : 'Send test event'}
          </button>
        </div>
        <FormError error={test.error} inWords />
        {sentTest && <p role="status">Test event queued; it appears in the delivery log below.</p>}
      </form>
      <DeliveryLog projectId={project.id} version={logVersion} />
    </>
  );
}

function DeliveryLog({ projectId, version }: { projectId: string; version: number }) {
  const [status, setStatus] = useState('');
  const [event, setEvent] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [resent, setResent] = useState<string | null>(null);
  const { cursor, resetting, pager } = useCursor();
  const { data, error, reload } = useLoad(
    () =>
      api<{ items: Delivery[]; nextCursor: string | null; eventTypes: string[] }>(
        'GET',
        `/projects/${projectId}/webhook-deliveries${qs({ status, event, cursor })}`,
      ),
    [projectId, status, event, cursor, version],
  );
  const act = useAction();
  // A delivery waiting for its first or a resent attempt is picked up within moments: follow it.
  const waiting = data?.items.some((d) => d.status === 'pending') ?? false;
  useReloadWhile(waiting, reload, 1500, data);
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">Delivery log</h2>
      <div class="row" role="group" aria-label="Filter deliveries">
        <Select
          label="Status"
          value={status}
          onChange={resetting(setStatus)}
          options={[
            ['', 'All statuses'],
            ['pending', 'Pending'],
            ['retrying', 'Retrying'],
            ['delivered', 'Delivered'],
            ['failed', 'Failed'],
          ]}
        />
        <Select
          label="Event type"
          value={event}
          onChange={resetting(setEvent)}
          options={[['', 'All events'], ...opts(data?.eventTypes ?? (event ? [event] : []))]}
        />
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <p class="sr-only" aria-live="polite">
        {waiting ? 'Waiting for a delivery attempt…' : ''}
      </p>
      <FormError error={act.error} inWords />
      <Listing
        data={data}
        error={error}
        empty={`No deliveries${status || event ? ' match these filters' : ' yet'}.`}
        caption="Webhook deliveries"
        columns={['Event', 'Status', 'Attempts', 'Last answer', 'Created', '']}
        stack
        row={(d) => [
          <tr data-delivery={d.id}>
            <td data-label="Event">
              <code>{d.event}</code>
            </td>
            <td data-label="Status">
              <span class={`badge ${STATUS_BADGE[d.status]}`}>{d.status}</span>
              {d.status === 'retrying' && d.nextAttemptAt && <small> next {when(d.nextAttemptAt)}</small>}
            </td>
            <td data-label="Attempts">{d.attempts}</td>
            <td data-label="Last answer">
              {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')}
            </td>
            <td data-label="Created">{when(d.createdAt)}</td>
            <td class="actions">
              <button
                type="button"
                aria-expanded={open === d.id}
                aria-controls={`attempts-${d.id}`}
                onClick={() => setOpen(open === d.id ? null : d.id)}
              >
                Attempts
              </button>{' '}
              <button
                type="button"
                disabled={act.busy}
                onClick={() =>
                  act.run(async () => {
                    setResent(null);
                    await api('POST', `/projects/${projectId}/webhook-deliveries/${d.id}/resend`);
                    setResent(d.id);
                    reload();
                  })
                }
              >
                Resend
              </button>
              {resent === d.id && <span role="status"> Queued again.</span>}
            </td>
          </tr>,
          open === d.id && (
            <tr class="expanded">
              <td colSpan={6} id={`attempts-${d.id}`}>
                <AttemptLog projectId={projectId} deliveryId={d.id} attempts={d.attempts} />
              </td>
            </tr>
          ),
        ]}
      />
      {pager(data?.nextCursor)}
    </section>
  );
}

/** Every logged attempt of one delivery, oldest first; fetched when opened (and again as attempts are made). */
function AttemptLog({ projectId, deliveryId, attempts }: { projectId: string; deliveryId: string; attempts: number }) {
  const { data, error } = useLoad(
    () => api<{ attempts: Attempt[] }>('GET', `/projects/${projectId}/webhook-deliveries/${deliveryId}`),
    [deliveryId, attempts],
  );
  if (!data) return <Loading error={error} />;
  if (data.attempts.length === 0) return <p>No attempt yet: it is due now.</p>;
  return (
    <ol class="attempts" aria-label="Attempts">
      {data.attempts.map((a) => (
        <li>
          <dl class="ids">
            <dt>When</dt>
            <dd>{when(a.attemptedAt)}</dd>
            <dt>Status code</dt>
            <dd>{a.statusCode ?? 'none'}</dd>
            <dt>Duration</dt>
            <dd>{a.durationMs} ms</dd>
            {a.error && (
              <>
                <dt>Error</dt>
                <dd class="err">{a.error}</dd>
              </>
            )}
            <dt>Response (first 1 KB)</dt>
            <dd>{a.responseBody ? <pre class="body">{a.responseBody}</pre> : '—'}</dd>
          </dl>
        </li>
      ))}
    </ol>
  );
}
