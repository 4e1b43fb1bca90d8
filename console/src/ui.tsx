import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

let nextId = 0;
export const useId = (): string => useState(() => `f${++nextId}`)[0];

/** A label, the control, and under it the hint or the error in words (announced via aria-describedby). */
function Labelled(props: { id: string; label: string; msg?: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && !props.msg && <small id={`${props.id}-hint`}>{props.hint}</small>}
      {props.msg && (
        <small class="err" id={`${props.id}-err`}>
          {props.msg}
        </small>
      )}
    </div>
  );
}

/** The attributes that tie a control to its error or hint. */
const described = (id: string, msg: string | undefined, hint?: string) => ({
  'aria-invalid': msg ? ('true' as const) : undefined,
  'aria-describedby': msg ? `${id}-err` : hint ? `${id}-hint` : undefined,
});

/** A labelled input (a text area with `rows`) whose error, if any, is shown in words right under it. */
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
  rows?: number;
}) {
  const id = useId();
  const msg = props.error?.field(props.name);
  const common = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    ...described(id, msg, props.hint),
  };
  return (
    <Labelled id={id} label={props.label} msg={msg} hint={props.hint}>
      {props.rows ? (
        <textarea
          {...common}
          rows={props.rows}
          onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)}
        />
      ) : (
        <input
          {...common}
          {...({ type: props.type ?? 'text' } as { type: 'text' })}
          autoComplete={props.autoComplete}
          onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
        />
      )}
    </Labelled>
  );
}

/** A labelled drop-down; options are [value, label] pairs. */
export function Select(props: {
  label: string;
  name?: string;
  value: string;
  onChange: (v: string) => void;
  options: ReadonlyArray<readonly [string, string]>;
  error?: ApiError | null;
}) {
  const id = useId();
  const msg = props.name ? props.error?.field(props.name) : undefined;
  return (
    <Labelled id={id} label={props.label} msg={msg}>
      <select
        id={id}
        name={props.name}
        value={props.value}
        {...described(id, msg)}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.options.map(([v, l]) => (
          <option value={v}>{l}</option>
        ))}
      </select>
    </Labelled>
  );
}

/**
 * A list from the server as a table: loading and its error in words, `empty` when there is
 * nothing, else a captioned table whose columns are named once (an empty name: the actions
 * column, named for screen readers only). `stack` turns each row into a card at 390 px.
 */
export function Listing<T>(props: {
  data: { items: T[] } | null;
  error: ApiError | null;
  empty: string;
  caption: string;
  columns: string[];
  stack?: boolean;
  row: (item: T) => ComponentChildren;
}) {
  if (!props.data) return <Loading error={props.error} />;
  if (props.data.items.length === 0) return <p>{props.empty}</p>;
  return (
    <div class="table-wrap">
      <table class={props.stack ? 'stack' : undefined}>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th scope="col">{c || <span class="sr-only">Actions</span>}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.data.items.map(props.row)}</tbody>
      </table>
    </div>
  );
}

/** The end of an edit form: its error, save and cancel. */
export function SaveCancel(props: { error: ApiError | null; busy: boolean; label: string; onCancel: () => void }) {
  return (
    <>
      <FormError error={props.error} />
      <div class="row">
        <button type="submit" class="primary" disabled={props.busy}>
          {props.busy ? 'Saving…' : props.label}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}

/** A labelled checkbox. */
export function Check(props: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  const id = useId();
  return (
    <div class="check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/**
 * A checkbox that saves as soon as it changes: the new state is shown at once and put back if
 * the save fails (the error is kept in `act`, for a FormError).
 */
export function SavedCheck(props: {
  label: string;
  checked: boolean;
  act: ReturnType<typeof useAction>;
  save: (v: boolean) => Promise<void>;
}) {
  const [on, setOn] = useState(props.checked);
  useEffect(() => setOn(props.checked), [props.checked]);
  return (
    <Check
      label={props.label}
      checked={on}
      disabled={props.act.busy}
      onChange={(v) => {
        setOn(v);
        props.act.run(async () => {
          try {
            await props.save(v);
          } catch (err) {
            setOn(!v);
            throw err;
          }
        });
      }}
    />
  );
}

/** Same values as options of a Select: each value is its own label. */
export const opts = (values: readonly string[]): Array<[string, string]> => values.map((v) => [v, v]);

/**
 * Server-side cursor paging: the cursors walked so far, so "Previous" goes back without the
 * server keeping state. A filter's setter goes through `resetting` (or calls `reset()`) so
 * that a new filter starts from the first page.
 */
export function useCursor() {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const reset = () => setCursors([null]);
  return {
    cursor: cursors[cursors.length - 1]!,
    reset,
    /** `set`, after going back to the first page. */
    resetting:
      <T,>(set: (value: T) => void) =>
      (value: T) => {
        reset();
        set(value);
      },
    /** The pages' buttons for the answer's next cursor; `extra` goes after them (a Refresh button). */
    pager: (next: string | null | undefined, extra?: ComponentChildren) => (
      <PageNav
        previous={cursors.length > 1 ? () => setCursors(cursors.slice(0, -1)) : undefined}
        next={next ? () => setCursors([...cursors, next]) : undefined}
      >
        {extra}
      </PageNav>
    ),
  };
}

/** Previous and next page (a button without its action is disabled), where we are in words when known (`at`), then `children`. */
function PageNav(props: { previous?: () => void; next?: () => void; at?: string; children?: ComponentChildren }) {
  return (
    <nav class="row" aria-label="Pages">
      <button type="button" disabled={!props.previous} onClick={props.previous}>
        Previous page
      </button>
      {props.at && <span>{props.at}</span>}
      <button type="button" disabled={!props.next} onClick={props.next}>
        Next page
      </button>
      {props.children}
    </nav>
  );
}

/** The error not tied to one input, shown where the action was taken (`inWords`: always the server's words). */
export function FormError({ error, inWords }: { error: ApiError | null | undefined; inWords?: boolean }) {
  if (!error) return null;
  if (error.fields.length && error.code === 'invalid' && !inWords) {
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
export function Confirm(props: {
  label: string;
  confirmLabel?: string;
  onConfirm: () => Promise<void> | void;
  danger?: boolean;
}) {
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
        // biome-ignore lint/a11y/noAutofocus: the confirmation appears in place of the button the user just pressed; focus must follow it
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
        {busy ? 'Working…' : (props.confirmLabel ?? `Yes, ${props.label.toLowerCase()}`)}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** A secret shown once, right after creation, with a copy button. */
export function Secret({ label, value }: { label: string; value: string }) {
  return (
    <div class="secret">
      <span class="secret-label">{label}</span>
      <code data-secret>{value}</code>
      <CopyButton label={label.toLowerCase()} value={value} />
    </div>
  );
}

/** "Copy <label>", and "Copied" once the value is on the clipboard. */
function CopyButton({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={() =>
        navigator.clipboard.writeText(value).then(
          () => setCopied(true),
          () => setCopied(false),
        )
      }
    >
      {copied ? 'Copied' : `Copy ${label}`}
    </button>
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
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | null; error: ApiError | null; reload: () => void } {
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

/** While the server is still working on something shown (`pending`), loads again every `ms`. */
export function useReloadWhile(pending: boolean, reload: () => void, ms: number, data: unknown): void {
  useEffect(() => {
    if (!pending) return;
    const t = setTimeout(reload, ms);
    return () => clearTimeout(t);
  }, [data, pending]);
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

/** Numbered pages of a list the server pages (it answers with total and pageSize); `useCursor` pages by cursor. */
export function Pager(props: {
  page: number;
  total: number | undefined;
  pageSize: number | undefined;
  onPage: (p: number) => void;
}) {
  const pages = props.total !== undefined && props.pageSize ? Math.max(1, Math.ceil(props.total / props.pageSize)) : 1;
  return (
    <PageNav
      previous={props.page > 1 ? () => props.onPage(props.page - 1) : undefined}
      next={props.page < pages ? () => props.onPage(props.page + 1) : undefined}
      at={`Page ${props.page} of ${pages}`}
    />
  );
}

/** Cents as money in the currency's own format. */
export const money = (cents: number, currency: string): string => {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(
      cents / 100,
    );
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
};

/** A value that is not secret (an id, a URL) with a button that copies it. */
export function CopyText({ label, value }: { label: string; value: string }) {
  return (
    <span class="copy">
      <code>{value}</code> <CopyButton label={label} value={value} />
    </span>
  );
}

/** A search box that applies its text on submit (Enter or the button), not on every keystroke. */
export function SearchForm(props: { label: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState('');
  return (
    <form
      role="search"
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSearch(text);
      }}
    >
      <Field label={props.label} name="search" value={text} onInput={setText} />
      <button type="submit">Search</button>
    </form>
  );
}
