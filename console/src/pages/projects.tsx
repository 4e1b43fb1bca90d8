import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, qs, type Page, type Project } from '../api';
import { Field, FormError, Loading, useAction, useLoad, when } from '../ui';

export function Projects() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1]!;
  const { data, error, reload } = useLoad(() => api<Page<Project>>('GET', `/projects${qs({ search: applied, cursor, perPage: 20 })}`), [applied, cursor]);
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
        <Field label="Description" name="description" value={description} onInput={setDescription} error={create.error} />
        <FormError error={create.error} />
        <button type="submit" class="primary" disabled={create.busy}>
          {create.busy ? 'Creating…' : 'Create project'}
        </button>
      </form>
      <form
        role="search"
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([null]);
          setApplied(search);
        }}
      >
        <Field label="Search projects by name" name="search" value={search} onInput={setSearch} />
        <button type="submit">Search</button>
      </form>
      {!data ? (
        <Loading error={error} />
      ) : data.items.length === 0 ? (
        <p>{applied ? 'No project matches that search.' : 'No projects yet.'}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Your projects</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((p) => (
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
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="row" aria-label="Pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!data?.nextCursor} onClick={() => data?.nextCursor && setCursors([...cursors, data.nextCursor])}>
          Next page
        </button>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </nav>
    </section>
  );
}
