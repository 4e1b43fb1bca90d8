import { useState } from 'preact/hooks';
import { QUOTA_NOTE } from '../quota';
import { api, qs } from '../api';
import {
  Confirm,
  FormError,
  Loading,
  Pager,
  SavedCheck,
  Select,
  useAction,
  useLoad,
  useReloadWhile,
  when,
} from '../ui';

interface Generation {
  id: string;
  instructions: string;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  isPublic: boolean;
  error: string | null;
  imageUrl: string | null;
  thumbnailUrl: string | null;
  createdAt: string;
}
interface Gallery {
  items: Generation[];
  total: number;
  page: number;
  pageSize: number;
  usage: { month: string; used: number; limit: number | null };
}

const STATUS_LABEL: Record<Generation['status'], string> = {
  pending: 'Waiting',
  processing: 'Generating…',
  completed: 'Completed',
  failed: 'Failed',
};

function Usage({ usage }: { usage: Gallery['usage'] }) {
  if (usage.limit === null) {
    return (
      <p class="card">
        Quota used this month ({usage.month}): <strong>{usage.used}</strong>; your plan has no monthly limit.
      </p>
    );
  }
  return (
    <div class="card usage">
      <label for="gen-usage">
        Quota used this month ({usage.month}): <strong>{usage.used}</strong> of {usage.limit} your plan allows
      </label>
      <progress id="gen-usage" max={usage.limit} value={Math.min(usage.used, usage.limit)} />
      <small>{QUOTA_NOTE}</small>
    </div>
  );
}

/** One generation: its image (or where it stands), the public switch and delete, each error shown on the card. */
function Card({ projectId, g, onChanged }: { projectId: string; g: Generation; onChanged: () => void }) {
  const act = useAction();
  const short = g.instructions.length > 80 ? `${g.instructions.slice(0, 80)}…` : g.instructions;
  return (
    <li class="card gen" data-generation={g.id}>
      {g.thumbnailUrl ? (
        g.imageUrl ? (
          <a href={g.imageUrl} target="_blank" rel="noopener">
            <img src={g.thumbnailUrl} alt={`Generated image: ${short}`} loading="lazy" width={240} height={240} />
          </a>
        ) : (
          <img
            src={g.thumbnailUrl}
            alt={`Example for: ${short}`}
            loading="lazy"
            width={240}
            height={240}
            class="pending"
          />
        )
      ) : (
        <div class="thumb-empty" aria-hidden="true" />
      )}
      <p class="gen-text" title={g.instructions}>
        {short}
      </p>
      <p>
        <span
          class={`badge ${g.status === 'completed' ? 'ok' : g.status === 'failed' ? 'bad' : 'off'}`}
          aria-live="polite"
        >
          {STATUS_LABEL[g.status]}
        </span>{' '}
        <small>{when(g.createdAt)}</small>
      </p>
      {g.error && <p class="err">{g.error}</p>}
      <SavedCheck
        label="Public"
        checked={g.isPublic}
        act={act}
        save={async (isPublic) => (
          await api('PATCH', `/projects/${projectId}/generations/${g.id}`, { isPublic }), onChanged()
        )}
      />
      <Confirm
        label="Delete"
        onConfirm={() =>
          act.run(async () => (await api('DELETE', `/projects/${projectId}/generations/${g.id}`), onChanged()))
        }
      />
      <FormError error={act.error} />
    </li>
  );
}

/** The project's gallery: usage against the quota, a status filter and pages from the server. */
export function Generations({ projectId }: { projectId: string }) {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const { data, error, reload } = useLoad(
    () => api<Gallery>('GET', `/projects/${projectId}/generations${qs({ status, page })}`),
    [projectId, status, page],
  );
  // While a generation is on its way, look again every few seconds (its progress, in words on its card).
  useReloadWhile(
    data?.items.some((g) => g.status === 'pending' || g.status === 'processing') ?? false,
    reload,
    2000,
    data,
  );
  return (
    <>
      {data && <Usage usage={data.usage} />}
      <div class="row">
        <Select
          label="Show"
          value={status}
          options={[
            ['', 'All generations'],
            ['completed', 'Completed'],
            ['processing', 'Generating'],
            ['pending', 'Waiting'],
            ['failed', 'Failed'],
          ]}
          onChange={(v) => (setPage(1), setStatus(v))}
        />
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {!data ? (
        <Loading error={error} />
      ) : data.items.length === 0 ? (
        <p>
          {status ? 'No generations with this status.' : 'No generations yet. Your end users’ generations appear here.'}
        </p>
      ) : (
        <ul class="gallery" aria-label="Generations">
          {data.items.map((g) => (
            <Card key={g.id} projectId={projectId} g={g} onChanged={reload} />
          ))}
        </ul>
      )}
      <Pager page={page} total={data?.total} pageSize={data?.pageSize} onPage={setPage} />
    </>
  );
}
