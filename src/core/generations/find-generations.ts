import type { SelectQueryBuilder } from 'kysely';
import type { Context } from '../../context.js';
import type { Database, GenerationStatus } from '../../db/schema/index.js';
import { isUuid } from '../../lib/ids.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { getProject } from '../projects/get-project.js';
import { toGeneration, type Generation } from './generation.js';
import type { GenerationCaller } from './create-generation.js';

type Ctx = Pick<Context, 'db'>;

export interface GenerationPage {
  generations: Generation[];
  total: number;
  page: number;
  perPage: number;
}

/**
 * One generation as its caller may see it: an end user only their own in their project,
 * an anonymous caller only anonymous generations (an end user's id answers 404 there).
 */
export async function getGeneration(ctx: Ctx, caller: GenerationCaller, id: string): Promise<Generation> {
  if (!isUuid(id)) throw NotFound('generation');
  let q = ctx.db.selectFrom('generations').selectAll().where('id', '=', id);
  q =
    caller.kind === 'end_user'
      ? q.where('user_id', '=', caller.userId).where('project_id', '=', caller.projectId)
      : q.where('anonymous', '=', true);
  const row = await q.executeTakeFirst();
  if (!row) throw NotFound('generation');
  return toGeneration(row);
}

/** The end user's own generations, newest first. */
export async function listGenerations(
  ctx: Ctx,
  caller: Extract<GenerationCaller, { kind: 'end_user' }>,
  page: number,
  perPage: number,
): Promise<GenerationPage> {
  const base = ctx.db
    .selectFrom('generations')
    .where('user_id', '=', caller.userId)
    .where('project_id', '=', caller.projectId);
  return paged(base, page, perPage);
}

/** Generations made public, of one project when named (never another project's), newest first. */
export async function listPublicGenerations(
  ctx: Ctx,
  projectId: string | null,
  page: number,
  perPage: number,
): Promise<GenerationPage> {
  if (projectId !== null && !isUuid(projectId)) return { generations: [], total: 0, page, perPage };
  let base = ctx.db.selectFrom('generations').where('is_public', '=', true);
  if (projectId !== null) base = base.where('project_id', '=', projectId);
  return paged(base, page, perPage);
}

/**
 * A project's generations for its developer (the console's gallery), newest first, optionally
 * of one status; a foreign project is NotFound.
 */
export async function listProjectGenerations(
  ctx: Ctx,
  principal: Principal,
  projectId: string,
  f: { page: number; perPage: number; status: GenerationStatus | null },
): Promise<GenerationPage> {
  const project = await getProject(ctx, principal, projectId);
  let base = ctx.db.selectFrom('generations').where('project_id', '=', project.id);
  if (f.status) base = base.where('status', '=', f.status);
  return paged(base, f.page, f.perPage);
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type Base = SelectQueryBuilder<Database, 'generations', {}>;

async function paged(base: Base, page: number, perPage: number): Promise<GenerationPage> {
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('id', 'desc')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { generations: rows.map(toGeneration), total: Number(count.n), page, perPage };
}
