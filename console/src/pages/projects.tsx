import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, qs, type Page, type Project } from '../api';
import { Field, FormError, Listing, SearchForm, useAction, useCursor, useLoad, when } from '../ui';

export function Projects() {
  const [applied, setApplied] = useState('');
  const { cursor, resetting, pager } = useCursor();
  const { data, error, reload } = useLoad(
    () => api<Page<Project>>('GET', `/projects${qs({ search: applied, cursor, perPage: 20 })}`),
    [applied, cursor],
  );
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useAction();
  const { route } = useLocation();

  return (
    <section>
      <h1>Projects</h1>
      <form
        class="card"
        aria-label="New project"
        onSubmit={(e) => {
          e.preventDefault();
          create.run(async () => {
            const p = await api<Project>('POST', '/projects', { name, description: description || null });
            route(`/console/projects/${p.id}`);
          });
        }}
      >
        <h2>New project</h2>
        <Field label="Name" name="name" value={name} onInput={setName} error={create.error} required />
        <Field
          label="Description"
          name="description"
          value={description}
          onInput={setDescription}
          error={create.error}
        />
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          {create.busy ? 'Creating…' : 'Create project'}
        </button>
      </form>
      <SearchForm label="Search projects by name" onSearch={resetting(setApplied)} />
      <Listing
        data={data}
        error={error}
        empty={applied ? 'No project matches that search.' : 'No projects yet.'}
        caption="Your projects"
        columns={['Name', 'Status', 'Created']}
        row={(p) => (
          <tr>
            <td>
              <a href={`/console/projects/${p.id}`}>{p.name}</a>
            </td>
            <td>
              <span class={`badge ${p.isActive ? 'ok' : 'off'}`}>{p.isActive ? 'Active' : 'Inactive'}</span>{' '}
              {p.hasPaid && <span class="badge ok">Paid</span>}
            </td>
            <td>{when(p.createdAt)}</td>
          </tr>
        )}
      />
      {pager(
        data?.nextCursor,
        <button type="button" onClick={reload}>
          Refresh
        </button>,
      )}
    </section>
  );
}
