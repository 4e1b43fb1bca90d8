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
