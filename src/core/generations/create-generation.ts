import type { Context } from '../../context.js';
import type { Tier } from '../../db/schema/index.js';
import { hmacHex } from '../../lib/crypto.js';
import { isUuid, uuidv7 } from '../../lib/ids.js';
import { Forbidden, invalidField, NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { GENERATION_MESSAGES, MAX_EXAMPLES, toGeneration, type Generation, type StoredImage } from './generation.js';
import { parseInstructions } from './instructions.js';
import { monthlyUnitsLeft, quotaExceeded, takeAnonymousUnit, takeMonthlyUnit } from './quota.js';
import { secondsToNextDay, secondsToNextMonth, utcDay } from './generation.js';
import { type Actor, recordAudit } from '../audit/record-audit.js';

/** An end user of a project, or a visitor without an account (anonymous routes), maybe naming a project. */
export type GenerationCaller =
  | Extract<Principal, { kind: 'end_user' }>
  | { kind: 'anonymous'; ip: string; projectId: string | null; requestId?: string };

/** Whose project, quota and concurrency a generation counts against. */
export interface GenerationTarget {
  projectId: string | null;
  ownerId: string | null;
  tier: Tier | null;
  userId: string | null;
  anonymousClient: string | null;
  /** Who the audit entry names: the end user, or the anonymous caller by address and request id. */
  actor: Actor;
}

type CreateCtx = Pick<Context, 'db' | 'clock' | 'config' | 'keys' | 'blobs'>;

/**
 * Who the caller counts against, and whether a generation could be accepted at all: run
 * before an upload is received, so a caller over quota is told at once instead of after
 * sending 50 MB. Not binding: createGeneration takes the unit atomically.
 */
export async function prepareGeneration(ctx: CreateCtx, caller: GenerationCaller): Promise<GenerationTarget> {
  const now = ctx.clock.now();
  let anonymousClient: string | null = null;
  if (caller.kind === 'anonymous') {
    const perDay = ctx.config.generations.anonymousPerDay;
    if (perDay === 0) throw Forbidden('anonymous_generation_disabled', GENERATION_MESSAGES.anonymousOff);
    anonymousClient = hmacHex(ctx.keys.seal, `anonymous-generation:${caller.ip}`);
    const used = await ctx.db
      .selectFrom('anonymous_generation_usage')
      .select('used')
      .where('client', '=', anonymousClient)
      .where('day', '=', utcDay(now))
      .executeTakeFirst();
    if (Number(used?.used ?? 0) >= perDay) throw quotaExceeded(secondsToNextDay(now));
  }
  const projectId = caller.projectId;
  const actor: Actor =
    caller.kind === 'anonymous'
      ? { kind: 'anonymous', origin: { ip: caller.ip, requestId: caller.requestId ?? '' } }
      : caller;
  if (projectId === null) return { projectId: null, ownerId: null, tier: null, userId: null, anonymousClient, actor };
  if (!isUuid(projectId)) throw NotFound('project');
  const project = await ctx.db
    .selectFrom('projects')
    .innerJoin('users', 'users.id', 'projects.owner_id')
    .select(['projects.id', 'projects.owner_id', 'projects.is_active', 'users.tier'])
    .where('projects.id', '=', projectId)
    .executeTakeFirst();
  if (!project?.is_active) throw NotFound('project');
  const left = await monthlyUnitsLeft(ctx.db, project.owner_id, project.tier, now);
  if (left === 0) throw quotaExceeded(secondsToNextMonth(now));
  return {
    projectId: project.id,
    ownerId: project.owner_id,
    tier: project.tier,
    userId: caller.kind === 'end_user' ? caller.userId : null,
    anonymousClient,
    actor,
  };
}

export interface CreateGenerationInput {
  /** Chosen before the upload, since the stored images' keys carry it. */
  id: string;
  instructions: string | undefined;
  examples: StoredImage[];
}

/**
 * Accepts a generation: checks the instructions and images, takes the quota unit and writes
 * the generation (which is its own job) in one transaction, whose commit wakes this process's
 * job loop (workers.ts). Refused or failed, it deletes the images already stored, so nothing half-made stays.
 */
export async function createGeneration(
  ctx: CreateCtx,
  target: GenerationTarget,
  input: CreateGenerationInput,
): Promise<Generation> {
  try {
    if (input.examples.length === 0) throw invalidField('example_images', 'field required', 'value_error.missing');
    if (input.examples.length > MAX_EXAMPLES)
      throw invalidField('example_images', GENERATION_MESSAGES.tooMany, 'value_error.list.max_items');
    const { prompt } = parseInstructions(input.instructions);
    const now = ctx.clock.now();
    const row = await ctx.db.transaction().execute(async (trx) => {
      if (target.anonymousClient)
        await takeAnonymousUnit(trx, target.anonymousClient, ctx.config.generations.anonymousPerDay, now);
      const quotaMonth =
        target.ownerId && target.tier ? await takeMonthlyUnit(trx, target.ownerId, target.tier, now) : null;
      const created = await trx
        .insertInto('generations')
        .values({
          id: input.id,
          project_id: target.projectId,
          owner_id: target.ownerId,
          user_id: target.userId,
          anonymous: target.userId === null,
          instructions: input.instructions!,
          prompt,
          status: 'pending',
          is_public: false,
          example_images: JSON.stringify(input.examples),
          result_key: null,
          result_content_type: null,
          error: null,
          attempts: 0,
          run_after: now,
          lease_until: null,
          lease_token: null,
          quota_month: quotaMonth,
          provider: ctx.config.generations.provider,
          enqueued_at: now,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, ctx, target.actor, {
        action: 'generation.created',
        targetType: 'generation',
        targetId: input.id,
        projectId: target.projectId,
        ownerId: target.ownerId,
        changedFields: [],
      });
      return created;
    });
    return toGeneration(row);
  } catch (err) {
    await ctx.blobs.delete(input.examples.map((e) => e.key)).catch(() => {});
    throw err;
  }
}

export function newGenerationId(now: Date): string {
  return uuidv7(now.getTime());
}
