import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, type Project } from '../../api';
import { Check, CopyText, Field, FormError, useAction, when } from '../../ui';

/** The project's overview: its identifiers, its settings, and the danger zone. */
export function Overview({ project, onSaved }: { project: Project; onSaved: () => void }) {
  const [f, setF] = useState({
    name: project.name,
    description: project.description ?? '',
    defaultRedirectUrl: project.defaultRedirectUrl ?? '',
    logoUrl: project.logoUrl ?? '',
  });
  const [hasPaid, setHasPaid] = useState(project.hasPaid);
  const [isActive, setIsActive] = useState(project.isActive);
  const [confirm, setConfirm] = useState('');
  const save = useAction();
  const del = useAction();
  const [saved, setSaved] = useState(false);
  const { route } = useLocation();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <>
      <dl class="card ids">
        <dt>Project ID</dt>
        <dd>
          <CopyText label="project ID" value={project.id} />
        </dd>
        <dt>Slug</dt>
        <dd>
          <code>{project.slug}</code>
        </dd>
        <dt>Created</dt>
        <dd>{when(project.createdAt)}</dd>
      </dl>
      <form
        class="card"
        aria-label="Project settings"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          save.run(async () => {
            const body: Record<string, unknown> = {
              name: f.name,
              description: f.description || null,
              defaultRedirectUrl: f.defaultRedirectUrl || null,
              logoUrl: f.logoUrl || null,
              hasPaid,
              isActive,
            };
            await api('PATCH', `/projects/${project.id}`, body);
            setSaved(true);
            onSaved();
          });
        }}
      >
        <h2>Settings</h2>
        <Field label="Name" name="name" value={f.name} onInput={set('name')} error={save.error} required />
        <Field
          label="Description"
          name="description"
          value={f.description}
          onInput={set('description')}
          error={save.error}
        />
        <Field
          label="Default redirect URL"
          name="defaultRedirectUrl"
          value={f.defaultRedirectUrl}
          onInput={set('defaultRedirectUrl')}
          error={save.error}
        />
        <Field label="Logo URL" name="logoUrl" value={f.logoUrl} onInput={set('logoUrl')} error={save.error} />
        <p>
          <small>
            The webhook URL and secret are on the <a href={`/console/projects/${project.id}/webhooks`}>Webhooks</a> tab.
          </small>
        </p>
        <Check label="Paid (the runtime check reports this project as paid)" checked={hasPaid} onChange={setHasPaid} />
        <Check label="Active" checked={isActive} onChange={setIsActive} />
        <FormError error={save.error} />
        {saved && <p role="status">Saved.</p>}
        <button type="submit" class="primary" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save settings'}
        </button>
      </form>
      <form
        class="card danger-zone"
        aria-label="Delete project"
        onSubmit={(e) => {
          e.preventDefault();
          del.run(async () => {
            await api('DELETE', `/projects/${project.id}`, { confirm });
            route('/console/projects');
          });
        }}
      >
        <h2>Delete project</h2>
        <p>
          This deletes the project with its keys, licenses, domains, injectables and end users. It cannot be undone.
        </p>
        <Field
          label={`Type “${project.name}” to confirm`}
          name="confirm"
          value={confirm}
          onInput={setConfirm}
          error={del.error}
          autoComplete="off"
        />
        <FormError error={del.error} />
        <button type="submit" class="danger" disabled={confirm !== project.name || del.busy}>
          Delete this project
        </button>
      </form>
    </>
  );
}
