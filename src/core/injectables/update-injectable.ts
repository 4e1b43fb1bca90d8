import type { Updateable } from 'kysely';
import type { Context } from '../../context.js';
import type { InjectablesTable } from '../../db/schema/injectables.js';
import { sealSecret, sha256Hex } from '../../lib/crypto.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { Conflict, invalidField } from '../errors.js';
import { injectableData } from '../events/event-data.js';
import { injectableFields } from './create-injectable.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { findInjectableRow, toInjectable, type Injectable } from './injectable.js';
import { checkInjectableInput, SLUG_TAKEN, type InjectableInput } from './injectable-input.js';
import { recordChange } from '../events/record-change.js';

/** Partial update; new content is sealed again together with the secret that must accompany it. */
export async function updateInjectable(
  ctx: Pick<Context, 'db' | 'clock' | 'keys'>,
  principal: Principal,
  projectId: string,
  injectableId: string,
  input: InjectableInput,
): Promise<Injectable> {
  const project = await projectInScope(ctx, principal, projectId);
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const before = await findInjectableRow(trx, project.id, injectableId);
      checkInjectableInput(input, false, before.type);
      // A file injectable changed to another type keeps bytes that were uploaded, not typed: allowed,
      // but a text type cannot be switched to "file" without new content to deliver as the file.
      if (input.type === 'file' && before.type !== 'file' && input.file === undefined && input.content === undefined) {
        throw invalidField('file', 'The file field is required when the type changes to file.', 'missing');
      }
      if (input.slug && input.slug !== before.slug) {
        const taken = await trx
          .selectFrom('injectables')
          .select('id')
          .where('project_id', '=', project.id)
          .where('slug', '=', input.slug)
          .executeTakeFirst();
        if (taken) throw Conflict('slug', 'injectable_slug_taken', SLUG_TAKEN);
      }
      const changes: Updateable<InjectablesTable> = { updated_at: now };
      if (input.title !== undefined) changes.title = input.title?.trim() || null;
      if (input.slug) changes.slug = input.slug;
      if (input.type !== undefined) changes.type = input.type;
      if (input.mode !== undefined) changes.mode = input.mode;
      if (input.targetPath !== undefined) changes.target_path = input.targetPath;
      if (input.onlyIfPaid !== undefined) changes.only_if_paid = input.onlyIfPaid;
      if (input.isActive !== undefined) changes.is_active = input.isActive;
      if (input.secret !== undefined) changes.secret_enc = sealSecret(ctx.keys.seal, input.secret);
      const content = input.file ?? (input.content !== undefined ? Buffer.from(input.content, 'utf8') : undefined);
      if (content !== undefined) {
        changes.content_enc = sealSecret(ctx.keys.seal, content);
        changes.content_hash = sha256Hex(content);
      }
      const row = await trx
        .updateTable('injectables')
        .set(changes)
        .where('id', '=', before.id)
        .where('project_id', '=', project.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const after = toInjectable(row);
      await recordChange(trx, ctx, principal, {
        type: 'injectable.updated',
        project,
        target: { type: 'injectable', id: row.id },
        data: injectableData(after),
        changedFields: injectableFields(input),
      });
      return after;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'slug')) throw Conflict('slug', 'injectable_slug_taken', SLUG_TAKEN);
    throw err;
  }
}
