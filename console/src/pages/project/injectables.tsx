import type { Static } from '@sinclair/typebox';
import { useState } from 'preact/hooks';
import type { InjectableModeSchema, InjectableTypeSchema } from '../../../../src/http/console/shapes';
import { api, type Injectable } from '../../api';
import { Check, Field, SaveCancel, Select, useAction } from '../../ui';
import { CreateCard, EditableList } from './editable-list';

/*
 * Every type and mode the server accepts, typed from its own lists: one it adds is a compile
 * error here until the console offers it. Shown by their API names, as the listing, the API
 * and the SDKs name them.
 */
const TYPES: Record<Static<typeof InjectableTypeSchema>, string> = {
  html: 'html',
  snippet: 'snippet',
  script: 'script',
  css: 'css',
  json: 'json',
  config: 'config',
  markdown: 'markdown',
  template: 'template',
  component: 'component',
  include: 'include',
  sdk_module: 'sdk_module',
  docs: 'docs',
  file: 'file',
};
const MODES: Record<Static<typeof InjectableModeSchema>, string> = {
  inject: 'inject',
  write: 'write',
  replace: 'replace',
  append: 'append',
  prepend: 'prepend',
  inline_render: 'inline_render',
  symlink: 'symlink',
  mount: 'mount',
  stream: 'stream',
};
const TYPE_OPTIONS = Object.entries(TYPES);
const MODE_OPTIONS = Object.entries(MODES);

export function Injectables({ projectId }: { projectId: string }) {
  return (
    <EditableList<Injectable>
      projectId={projectId}
      collection="injectables"
      caption="Injectables"
      empty="No injectables."
      columns={['Title', 'Type / mode', 'Content hash']}
      name={(i) => i.title ?? i.slug}
      create={(reload) => <NewInjectable projectId={projectId} onCreated={reload} />}
      cells={(i) => (
        <>
          <td data-label="Title">
            {i.title ?? i.slug} {!i.isActive && <span class="badge">Inactive</span>}
          </td>
          <td data-label="Type / mode">
            {i.type} / {i.mode}
          </td>
          <td data-label="Content hash">
            <code data-hash>{i.contentHash.slice(0, 16)}…</code>
          </td>
        </>
      )}
      editor={(i, onDone, onCancel) => (
        <InjectableEdit projectId={projectId} injectable={i} onDone={onDone} onCancel={onCancel} />
      )}
    />
  );
}

function NewInjectable({ projectId, onCreated }: { projectId: string; onCreated: () => void }) {
  const [f, setF] = useState({ title: '', targetPath: '', secret: '', content: '' });
  const [type, setType] = useState('html');
  const [mode, setMode] = useState('inject');
  const create = useAction();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  return (
    <CreateCard
      label="New injectable"
      title="Injectables"
      button="Upload injectable"
      busyButton="Uploading…"
      action={create}
      onSubmit={async () => {
        await api('POST', `/projects/${projectId}/injectables`, {
          title: f.title || null,
          type,
          mode,
          targetPath: f.targetPath || null,
          secret: f.secret,
          content: f.content,
        });
        setF({ title: '', targetPath: '', secret: '', content: '' });
        onCreated();
      }}
    >
      <p>The content is encrypted when uploaded and never shown again; only its hash is listed.</p>
      <Field label="Title" name="title" value={f.title} onInput={set('title')} error={create.error} />
      <Select label="Type" name="type" value={type} onChange={setType} options={TYPE_OPTIONS} error={create.error} />
      <Select label="Mode" name="mode" value={mode} onChange={setMode} options={MODE_OPTIONS} error={create.error} />
      <Field
        label="Target path"
        name="targetPath"
        value={f.targetPath}
        onInput={set('targetPath')}
        error={create.error}
      />
      <Field
        label="Delivery secret (at least 8 characters)"
        name="secret"
        type="password"
        value={f.secret}
        onInput={set('secret')}
        error={create.error}
        required
        autoComplete="off"
      />
      <Field rows={5} label="Content" name="content" value={f.content} onInput={set('content')} error={create.error} />
    </CreateCard>
  );
}

/** Edits an injectable's settings; its content is never shown, only replaced (with the delivery secret again). */
function InjectableEdit({
  projectId,
  injectable: i,
  onDone,
  onCancel,
}: {
  projectId: string;
  injectable: Injectable;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [f, setF] = useState({
    title: i.title ?? '',
    type: i.type,
    mode: i.mode,
    targetPath: i.targetPath ?? '',
    content: '',
    secret: '',
  });
  const [onlyIfPaid, setOnlyIfPaid] = useState(i.onlyIfPaid);
  const [isActive, setIsActive] = useState(i.isActive);
  const save = useAction();
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });
  const label = i.title ?? i.slug;
  return (
    <form
      aria-label={`Edit injectable ${label}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.run(async () => {
          const body: Record<string, unknown> = {
            title: f.title || null,
            type: f.type,
            mode: f.mode,
            targetPath: f.targetPath || null,
            onlyIfPaid,
            isActive,
          };
          if (f.content) body.content = f.content;
          if (f.secret) body.secret = f.secret;
          await api('PATCH', `/projects/${projectId}/injectables/${i.id}`, body);
          onDone();
        });
      }}
    >
      <Field label="Title" name="title" value={f.title} onInput={set('title')} error={save.error} />
      <Select
        label="Type"
        name="type"
        value={f.type}
        onChange={set('type')}
        options={Object.hasOwn(TYPES, i.type) ? TYPE_OPTIONS : [[i.type, i.type], ...TYPE_OPTIONS]}
        error={save.error}
      />
      <Select
        label="Mode"
        name="mode"
        value={f.mode}
        onChange={set('mode')}
        options={MODE_OPTIONS}
        error={save.error}
      />
      <Field
        label="Target path"
        name="targetPath"
        value={f.targetPath}
        onInput={set('targetPath')}
        error={save.error}
      />
      <Check label="Only delivered while the project is paid" checked={onlyIfPaid} onChange={setOnlyIfPaid} />
      <Check label="Active" checked={isActive} onChange={setIsActive} />
      <fieldset>
        <legend>Replace the content</legend>
        <p>
          <small>
            The current content is encrypted and not shown. Type new content to replace it, or leave this empty to keep
            it.
          </small>
        </p>
        <Field
          rows={5}
          label="New content"
          name="content"
          value={f.content}
          onInput={set('content')}
          error={save.error}
        />
        <Field
          label="Delivery secret"
          name="secret"
          type="password"
          value={f.secret}
          onInput={set('secret')}
          error={save.error}
          autoComplete="off"
          hint="Required with new content (at least 8 characters); on its own it replaces the secret."
        />
      </fieldset>
      <SaveCancel error={save.error} busy={save.busy} label="Save injectable" onCancel={onCancel} />
    </form>
  );
}
