import { useState } from 'preact/hooks';
import { api, qs } from '../api';
import { Field, Loading, useLoad, when } from '../ui';

interface EndUser {
  id: string;
  email: string;
  fullName: string | null;
  isActive: boolean;
  createdAt: string;
  projectName: string;
}

export function EndUsers() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const { data, error } = useLoad(
    () => api<{ items: EndUser[]; total: number; pageSize: number }>('GET', `/end-users${qs({ search: applied, page, isActive: status === '' ? undefined : status })}`),
    [applied, page, status],
  );
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  return (
    <section>
      <h1>End users</h1>
      <form
        role="search"
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setApplied(search);
        }}
      >
        <Field label="Search by email or name" name="search" value={search} onInput={setSearch} />
        <div class="field">
          <label for="eu-status">Status</label>
          <select id="eu-status" value={status} onChange={(e) => (setPage(1), setStatus((e.target as HTMLSelectElement).value))}>
            <option value="">All</option>
            <option value="true">Active</option>
            <option value="false">Inactive</option>
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      {!data ? (
        <Loading error={error} />
      ) : data.items.length === 0 ? (
        <p>No end users found.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">End users</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Project</th>
                <th scope="col">Status</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((u) => (
                <tr>
                  <td>{u.email}</td>
                  <td>{u.fullName ?? '—'}</td>
                  <td>{u.projectName}</td>
                  <td>
                    <span class={`badge ${u.isActive ? 'ok' : 'off'}`}>{u.isActive ? 'Active' : 'Inactive'}</span>
                  </td>
                  <td>{when(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="row" aria-label="Pages">
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <span>
          Page {page} of {pages}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </nav>
    </section>
  );
}
