import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, type Page } from '../../api';
import { Confirm, FormError, Listing, useAction, useLoad } from '../../ui';

/** A form card that creates something and, once created, lets the list reload. */
export function CreateCard(props: {
  label: string;
  title: string;
  button: string;
  busyButton?: string;
  action: ReturnType<typeof useAction>;
  onSubmit: () => Promise<void>;
  children: ComponentChildren;
}) {
  const { action } = props;
  return (
    <form
      class="card"
      aria-label={props.label}
      onSubmit={(e) => {
        e.preventDefault();
        action.run(props.onSubmit);
      }}
    >
      <h2>{props.title}</h2>
      {props.children}
      <FormError error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {action.busy && props.busyButton ? props.busyButton : props.button}
      </button>
    </form>
  );
}

/**
 * A project's list of things each edited in place (domains, injectables): the create form
 * above, and a table whose rows open their editor in a full-width row beneath them.
 */
export function EditableList<T extends { id: string }>(props: {
  projectId: string;
  /** The collection under the project in the API, e.g. `domains`. */
  collection: string;
  caption: string;
  empty: string;
  /** The data columns; the actions column is added. */
  columns: string[];
  name: (item: T) => string;
  create: (reload: () => void) => ComponentChildren;
  cells: (item: T) => ComponentChildren;
  editor: (item: T, onDone: () => void, onCancel: () => void) => ComponentChildren;
}) {
  const base = `/projects/${props.projectId}/${props.collection}`;
  const { data, error, reload } = useLoad(() => api<Page<T>>('GET', base), [base]);
  const [editing, setEditing] = useState<string | null>(null);
  const act = useAction();
  const columns = props.columns.length + 1;
  return (
    <>
      {props.create(reload)}
      <FormError error={act.error} />
      <Listing
        data={data}
        error={error}
        empty={props.empty}
        caption={props.caption}
        columns={[...props.columns, '']}
        stack
        row={(item) => [
          <tr>
            {props.cells(item)}
            <EditActions
              id={item.id}
              name={props.name(item)}
              editing={editing}
              setEditing={setEditing}
              onDelete={() => act.run(async () => (await api('DELETE', `${base}/${item.id}`), reload()))}
            />
          </tr>,
          editing === item.id && (
            <tr class="expanded">
              <td colSpan={columns}>
                {props.editor(
                  item,
                  () => (setEditing(null), reload()),
                  () => setEditing(null),
                )}
              </td>
            </tr>
          ),
        ]}
      />
    </>
  );
}

/** The actions cell of an editable row: Edit (opens the row's editor below it) and a confirmed Delete. */
function EditActions(props: {
  id: string;
  name: string;
  editing: string | null;
  setEditing: (id: string | null) => void;
  onDelete: () => void;
}) {
  const open = props.editing === props.id;
  return (
    <td class="actions">
      <button type="button" aria-expanded={open} onClick={() => props.setEditing(open ? null : props.id)}>
        Edit <span class="sr-only">{props.name}</span>
      </button>{' '}
      <Confirm label="Delete" onConfirm={props.onDelete} />
    </td>
  );
}
