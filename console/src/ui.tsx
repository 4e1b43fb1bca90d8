import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

let nextId = 0;
export const useId = (): string => useState(() => `f${++nextId}`)[0];

/** A labelled input whose error, if any, is shown in words right under it and announced. */
export function Field(props: {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  error?: ApiError | null;
  type?: 'text' | 'email' | 'password' | 'date' | 'number';
  required?: boolean;
  hint?: string;
  autoComplete?: 'off' | 'name' | 'username' | 'new-password' | 'current-password';
}) {
  const id = useId();
  const msg = props.error?.field(props.name);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        {...(({ type: props.type ?? 'text' }) as { type: 'text' })}
        value={props.value}
        required={props.required}
        autoComplete={props.autoComplete}
        aria-invalid={msg ? 'true' : undefined}
        aria-describedby={msg ? `${id}-err` : props.hint ? `${id}-hint` : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {props.hint && !msg && <small id={`${id}-hint`}>{props.hint}</small>}
      {msg && (
        <small class="err" id={`${id}-err`}>
          {msg}
        </small>
      )}
    </div>
  );
}

/** The error not tied to one input, shown where the action was taken. */
export function FormError({ error }: { error: ApiError | null | undefined }) {
  if (!error) return null;
  if (error.fields.length && error.code === 'invalid') {
    return (
      <p class="alert err" role="alert">
        Please correct the fields marked below.
      </p>
    );
  }
  return (
    <p class="alert err" role="alert">
      {error.message}
    </p>
  );
}

/** A destructive action: the first press asks, the second does it. */
export function Confirm(props: { label: string; confirmLabel?: string; onConfirm: () => Promise<void> | void; danger?: boolean }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" class={props.danger === false ? '' : 'danger'} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={`Confirm: ${props.label}`}>
      <button
        type="button"
        class="danger"
        disabled={busy}
        autoFocus
        onClick={async () => {
          setBusy(true);
          try {
            await props.onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {busy ? 'Working…' : props.confirmLabel ?? `Yes, ${props.label.toLowerCase()}`}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** A secret shown once, right after creation, with a copy button. */
export function Secret({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="secret">
      <span class="secret-label">{label}</span>
      <code data-secret>{value}</code>
      <button
        type="button"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setCopied(true);
          } catch {
            setCopied(false);
          }
        }}
      >
        {copied ? 'Copied' : `Copy ${label.toLowerCase()}`}
      </button>
    </div>
  );
}

export function Reveal(props: { title: string; children: ComponentChildren; onDone: () => void }) {
  return (
    <section class="reveal" aria-labelledby="reveal-title">
      <h2 id="reveal-title">{props.title}</h2>
      <p>This is the only time these are shown. Copy them now and keep them somewhere safe.</p>
      {props.children}
      <button type="button" class="primary" onClick={props.onDone}>
        I have saved them
      </button>
    </section>
  );
}

/** Loads data for a page, with loading and error states in words. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: ApiError | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setError(null)),
      (e: ApiError) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { data, error, reload: () => setN((x) => x + 1) };
}

export function Loading({ error }: { error: ApiError | null }) {
  return error ? (
    <p class="alert err" role="alert">
      {error.message}
    </p>
  ) : (
    <p aria-live="polite">Loading…</p>
  );
}

export const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '—');

/** Runs an action with busy state and its error kept for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'client', String(e), []));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}

/** Totals as a row of cards. */
export function StatCards({ label, cards }: { label: string; cards: Array<[string, number | string]> }) {
  return (
    <ul class="cards" aria-label={label}>
      {cards.map(([l, n]) => (
        <li class="card stat">
          <span class="stat-n">{n}</span>
          <span class="stat-l">{l}</span>
        </li>
      ))}
    </ul>
  );
}

/** A labelled select (filters, choices). */
export function SelectField(props: { label: string; value: string; options: Array<[string, string]>; onChange: (v: string) => void; id?: string }) {
  const generated = useId();
  const id = props.id ?? generated;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {props.options.map(([v, l]) => (
          <option value={v}>{l}</option>
        ))}
      </select>
    </div>
  );
}

/** Numbered pages of a list the server pages (it answers with total and pageSize). */
export function Pager(props: { page: number; total: number | undefined; pageSize: number | undefined; onPage: (p: number) => void }) {
  const pages = props.total !== undefined && props.pageSize ? Math.max(1, Math.ceil(props.total / props.pageSize)) : 1;
  return (
    <nav class="row" aria-label="Pages">
      <button type="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
        Previous page
      </button>
      <span>
        Page {props.page} of {pages}
      </span>
      <button type="button" disabled={props.page >= pages} onClick={() => props.onPage(props.page + 1)}>
        Next page
      </button>
    </nav>
  );
}

/** Cents as money in the currency's own format. */
export const money = (cents: number, currency: string): string => {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
};

/** A value that is not secret (an id, a URL) with a button that copies it. */
export function CopyText({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span class="copy">
      <code>{value}</code>{' '}
      <button type="button" onClick={() => navigator.clipboard.writeText(value).then(() => setCopied(true), () => setCopied(false))}>
        {copied ? 'Copied' : `Copy ${label}`}
      </button>
    </span>
  );
}

/** A table of rows, one cell per column; the caption is for screen readers. */
export function DataTable<T>(props: { caption: string; columns: Array<[string, (row: T) => ComponentChildren]>; rows: T[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map(([h]) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr>
              {props.columns.map(([, cell]) => (
                <td>{cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
