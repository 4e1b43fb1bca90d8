import { useState } from 'preact/hooks';
import { api } from './api';
import { FormError, Reveal, Secret, Select, useAction, when } from './ui';

/** How long the old secret keeps working (seconds), as offered; the API takes 0 to 30 days. */
const OVERLAPS = [
  ['0', 'Stop the old one now'],
  ['3600', 'Keep the old one 1 hour'],
  ['86400', 'Keep the old one 1 day'],
  ['604800', 'Keep the old one 7 days'],
  ['2592000', 'Keep the old one 30 days'],
] as const;

/**
 * The Reroll action of a key or license (issue 21): asks for the overlap, posts to `path`
 * (`…/reroll`) and shows the new secret once, with when the old one stops working.
 */
export function Reroll({ path, label, onDone }: { path: string; label: string; onDone: () => void }) {
  const [asking, setAsking] = useState(false);
  const [overlap, setOverlap] = useState('3600');
  const [shown, setShown] = useState<{ secret: string; until: string | null } | null>(null);
  const act = useAction();
  if (shown) {
    return (
      <Reveal title={`New ${label}`} onDone={() => (setShown(null), onDone())}>
        <Secret label={label} value={shown.secret} />
        <p>{shown.until ? `The old one works until ${when(shown.until)}.` : 'The old one no longer works.'}</p>
      </Reveal>
    );
  }
  if (!asking) {
    return (
      <button type="button" onClick={() => setAsking(true)}>
        Reroll
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label="Confirm: Reroll">
      <Select
        label="Old secret"
        name="overlapSeconds"
        value={overlap}
        onChange={setOverlap}
        options={OVERLAPS}
        error={act.error}
      />
      <button
        type="button"
        class="danger"
        disabled={act.busy}
        onClick={() =>
          act.run(async () => {
            const r = await api<{ secret: string; previousKeyExpiresAt: string | null }>('POST', path, {
              overlapSeconds: Number(overlap),
            });
            setAsking(false);
            setShown({ secret: r.secret, until: r.previousKeyExpiresAt });
          })
        }
      >
        {act.busy ? 'Working…' : 'Yes, reroll'}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
      <FormError error={act.error} />
    </span>
  );
}
