import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, qs } from '../api';
import {
  Confirm,
  CopyText,
  Field,
  FormError,
  Listing,
  Loading,
  money,
  Pager,
  Select,
  StatCards,
  useAction,
  useLoad,
  when,
} from '../ui';

type Mode = 'test' | 'live';
interface ModeConfig {
  secretKey: string | null;
  publishableKey: string | null;
  webhookSecret: string | null;
  configured: boolean;
  configuredAt: string | null;
}
interface Config {
  isActive: boolean;
  test: ModeConfig;
  live: ModeConfig;
}
interface Stats {
  totalSubscriptions: number;
  activeSubscriptions: number;
  totalPayments: number;
  successfulPayments: number;
  revenueCents: number;
  currency: string;
}
interface Overview {
  config: Config | null;
  webhookUrls: Record<Mode, string>;
  stats: { live: Stats; all: Stats };
}

const TITLE: Record<Mode, string> = { test: 'Test', live: 'Live' };

/** One mode's credentials: saved only as typed (blank keeps what is saved), shown back masked only. */
function ModeSettings({
  projectId,
  mode,
  saved,
  webhookUrl,
  onSaved,
}: {
  projectId: string;
  mode: Mode;
  saved: ModeConfig | null;
  webhookUrl: string;
  onSaved: () => void;
}) {
  const T = TITLE[mode];
  const [f, setF] = useState({ secretKey: '', publishableKey: '', webhookSecret: '' });
  const [done, setDone] = useState<string | null>(null);
  const save = useAction();
  const set = (k: keyof typeof f) => (v: string) => (setDone(null), setF({ ...f, [k]: v }));
  const name = (k: keyof typeof f) => `${mode}${k[0]!.toUpperCase()}${k.slice(1)}`;
  const hint = (masked: string | null | undefined) =>
    masked ? `Saved: ${masked}. Type a new value to replace it.` : 'Not set.';
  return (
    <form
      class="card"
      aria-label={`${T} mode Stripe settings`}
      onSubmit={(e) => {
        e.preventDefault();
        setDone(null);
        save.run(async () => {
          const body: Record<string, string> = {};
          for (const k of Object.keys(f) as Array<keyof typeof f>) if (f[k].trim()) body[name(k)] = f[k].trim();
          if (Object.keys(body).length === 0) throw new ApiError(422, 'invalid', 'Type at least one key to save.', []);
          await api('PUT', `/projects/${projectId}/payments/config`, body);
          setF({ secretKey: '', publishableKey: '', webhookSecret: '' });
          setDone(`${T} mode settings saved.`);
          onSaved();
        });
      }}
    >
      <h3>{T} mode</h3>
      <p>
        {saved?.configured ? (
          <span class="badge ok">Configured {when(saved.configuredAt)}</span>
        ) : (
          <span class="badge off">Not configured</span>
        )}
      </p>
      <Field
        label={`${T} secret key`}
        name={name('secretKey')}
        type="password"
        autoComplete="off"
        value={f.secretKey}
        onInput={set('secretKey')}
        error={save.error}
        hint={hint(saved?.secretKey)}
      />
      <Field
        label={`${T} publishable key`}
        name={name('publishableKey')}
        value={f.publishableKey}
        onInput={set('publishableKey')}
        error={save.error}
        hint={hint(saved?.publishableKey)}
      />
      <Field
        label={`${T} webhook signing secret`}
        name={name('webhookSecret')}
        type="password"
        autoComplete="off"
        value={f.webhookSecret}
        onInput={set('webhookSecret')}
        error={save.error}
        hint={hint(saved?.webhookSecret)}
      />
      <p class="hook">
        <span>{T} webhook URL, to paste into Stripe (Developers → Webhooks):</span>{' '}
        <CopyText label={`${mode} webhook URL`} value={webhookUrl} />
      </p>
      <FormError error={save.error} />
      {done && <p role="status">{done}</p>}
      <div class="row">
        <button type="submit" class="primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : `Save ${mode} settings`}
        </button>
        <button
          type="button"
          disabled={save.busy || !f.secretKey.trim()}
          onClick={() => {
            setDone(null);
            save.run(async () => {
              const r = await api<{ valid: boolean; message: string }>(
                'POST',
                `/projects/${projectId}/payments/validate`,
                { mode, secretKey: f.secretKey.trim() },
              );
              if (!r.valid)
                throw new ApiError(422, 'invalid', r.message, [
                  { field: name('secretKey'), message: `Stripe refused this key: ${r.message}` },
                ]);
              setDone(`Stripe accepted this ${mode} secret key.`);
            });
          }}
        >
          Check secret key with Stripe
        </button>
      </div>
    </form>
  );
}

function statCards(s: Stats): Array<[string, string | number]> {
  return [
    ['Active subscriptions', s.activeSubscriptions],
    ['Subscriptions', s.totalSubscriptions],
    ['Successful payments', `${s.successfulPayments} / ${s.totalPayments}`],
    ['Revenue', money(s.revenueCents, s.currency)],
  ];
}

/** A list of the project's subscriptions or transactions, filtered by mode and status and paged on the server. */
function PaymentList<T>(props: {
  title: string;
  path: string;
  statuses: string[];
  columns: string[];
  row: (item: T) => ComponentChildren;
  empty: string;
}) {
  const [mode, setMode] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const { data, error } = useLoad(
    () => api<{ items: T[]; total: number; pageSize: number }>('GET', `${props.path}${qs({ mode, status, page })}`),
    [props.path, mode, status, page],
  );
  return (
    <section aria-label={props.title}>
      <h2>{props.title}</h2>
      <div class="row">
        <Select
          label={`${props.title}: mode`}
          value={mode}
          options={[
            ['', 'Both modes'],
            ['live', 'Live'],
            ['test', 'Test'],
          ]}
          onChange={(v) => (setPage(1), setMode(v))}
        />
        <Select
          label={`${props.title}: status`}
          value={status}
          options={[['', 'Any status'], ...props.statuses.map((s): [string, string] => [s, s.replace(/_/g, ' ')])]}
          onChange={(v) => (setPage(1), setStatus(v))}
        />
      </div>
      <Listing
        data={data}
        error={error}
        empty={props.empty}
        caption={props.title}
        columns={props.columns}
        stack
        row={props.row}
      />
      <Pager page={page} total={data?.total} pageSize={data?.pageSize} onPage={setPage} />
    </section>
  );
}

interface Subscription {
  subscriptionId: string;
  userId: string | null;
  isTestMode: boolean;
  status: string;
  planName: string | null;
  currentPeriodEnd: string | null;
  cancelAt: string | null;
  createdAt: string;
}
interface Transaction {
  paymentIntentId: string;
  userId: string | null;
  isTestMode: boolean;
  status: string;
  amountCents: number;
  refundedAmountCents: number;
  currency: string;
  description: string | null;
  createdAt: string;
}

const badge = (status: string, ok: string[]) => (
  <span class={`badge ${ok.includes(status) ? 'ok' : 'off'}`}>{status.replace(/_/g, ' ')}</span>
);
const who = (userId: string | null) => (userId ? <a href={`/console/end-users/${userId}`}>End user</a> : '—');
const modeOf = (t: { isTestMode: boolean }) => (t.isTestMode ? 'Test' : 'Live');

/** The project's payments: Stripe settings per mode with the webhook URLs, the stats, subscriptions and transactions. */
export function Payments({ projectId }: { projectId: string }) {
  const { data, error, reload } = useLoad(() => api<Overview>('GET', `/projects/${projectId}/payments`), [projectId]);
  const off = useAction();
  if (!data) return <Loading error={error} />;
  const c = data.config;
  return (
    <>
      <section aria-labelledby="pay-stats">
        <h2 id="pay-stats">Payment stats</h2>
        <StatCards label="Live mode" cards={statCards(data.stats.live)} />
        <p>
          With test mode: {data.stats.all.activeSubscriptions} active of {data.stats.all.totalSubscriptions}{' '}
          subscriptions, {data.stats.all.successfulPayments} of {data.stats.all.totalPayments} payments succeeded,{' '}
          {money(data.stats.all.revenueCents, data.stats.all.currency)}.
        </p>
      </section>
      <section aria-labelledby="pay-settings">
        <h2 id="pay-settings">Stripe settings</h2>
        {c && !c.isActive && (
          <p class="alert" role="status">
            Payments are deactivated for this project: checkouts and Stripe webhooks are refused. Save settings to turn
            them on again.
          </p>
        )}
        <p>Keys are stored encrypted and only ever shown masked. Each mode has its own keys and webhook endpoint.</p>
        <div class="modes">
          {(['test', 'live'] as const).map((m) => (
            <ModeSettings
              projectId={projectId}
              mode={m}
              saved={c?.[m] ?? null}
              webhookUrl={data.webhookUrls[m]}
              onSaved={reload}
            />
          ))}
        </div>
        {c?.isActive && (
          <div class="card danger-zone">
            <h3>Deactivate payments</h3>
            <p>Checkouts and Stripe webhooks stop; subscriptions and payments already recorded stay.</p>
            <Confirm
              label="Deactivate payments"
              onConfirm={() =>
                off.run(async () => (await api('DELETE', `/projects/${projectId}/payments/config`), reload()))
              }
            />
            <FormError error={off.error} />
          </div>
        )}
      </section>
      <PaymentList<Subscription>
        title="Subscriptions"
        path={`/projects/${projectId}/payments/subscriptions`}
        statuses={[
          'active',
          'trialing',
          'past_due',
          'unpaid',
          'incomplete',
          'incomplete_expired',
          'canceled',
          'paused',
        ]}
        empty="No subscriptions match."
        columns={['Plan', 'Status', 'Mode', 'Period ends', 'Customer']}
        row={(s) => (
          <tr>
            <td data-label="Plan">{s.planName ?? s.subscriptionId}</td>
            <td data-label="Status">{badge(s.status, ['active', 'trialing'])}</td>
            <td data-label="Mode">{modeOf(s)}</td>
            <td data-label="Period ends">{when(s.cancelAt ?? s.currentPeriodEnd)}</td>
            <td data-label="Customer">{who(s.userId)}</td>
          </tr>
        )}
      />
      <PaymentList<Transaction>
        title="Transactions"
        path={`/projects/${projectId}/payments/transactions`}
        statuses={['succeeded', 'failed', 'pending']}
        empty="No transactions match."
        columns={['Date', 'Amount', 'Status', 'Mode', 'Customer']}
        row={(t) => (
          <tr>
            <td data-label="Date">{when(t.createdAt)}</td>
            <td data-label="Amount">
              {money(t.amountCents, t.currency) +
                (t.refundedAmountCents ? ` (${money(t.refundedAmountCents, t.currency)} refunded)` : '')}
            </td>
            <td data-label="Status">{badge(t.status, ['succeeded'])}</td>
            <td data-label="Mode">{modeOf(t)}</td>
            <td data-label="Customer">{who(t.userId)}</td>
          </tr>
        )}
      />
    </>
  );
}
